import type { ts } from 'ts-morph';

/**
 * Session lifecycle concepts the models recognise: the session object, writes into it, rotation (a new
 * id), invalidation (the session ends) and logins performed by a library. Rules such as
 * missing-session-regeneration and the logout rules ask the enabled models through the hooks in
 * `Model` (model.ts) and combine the answers with `src/analysis/session-concepts.ts`.
 */

export interface SessionObject {
  model: string;
  /** The session expression: `req.session`, `ctx.session`, `request.yar`, a `@Session()` parameter. */
  expression: ts.Expression;
  /**
   * What the session hangs off and what a helper receives: `req` for `req.session`, the parameter itself
   * for a `@Session()` parameter. Its root identifier decides which function "receives" the session.
   */
  carrier: ts.Expression;
  /**
   * The getter call the session was obtained from (`const session = await getSession(req, res)`): the
   * variable holding it keeps naming the old object once a rotation replaces the request's session.
   */
  through?: ts.CallExpression;
}

export type SessionWriteKind = 'assign' | 'replace' | 'merge' | 'set';

export interface SessionWrite {
  model: string;
  /** The assignment or call that writes. */
  node: ts.Node;
  session: SessionObject;
  /**
   * Keys written, each as the static path below the session: `req.session.user.id = …` → [['user',
   * 'id']]; `Object.assign(req.session, { a, b })` → [['a'], ['b']]. A computed link is `undefined`.
   */
  paths: (string | undefined)[][];
  kind: SessionWriteKind;
  /**
   * Where the write really lands when the node is a call handing the session's id to a helper that
   * binds identity to it (a hand-rolled table row keyed by a parameter): a related location.
   */
  boundAt?: { node: ts.Node; message: string };
}

/**
 * Keys removed from the session by a method (Remix's `session.unset('userId')`): what a logout that
 * keeps the session does, never a login. Assignments of `null` and `delete` are found from the
 * writes and the syntax; this is for the libraries whose sessions are changed through methods only.
 */
export interface SessionKeyRemoval {
  model: string;
  call: ts.CallExpression;
  session: SessionObject;
  /** The keys it can remove (`undefined`: one not known statically). */
  keys: (string | undefined)[];
}

/** When the new session is ready for writes. */
export type RotationCompletion = 'callback' | 'promise' | 'sync';

export interface SessionRotation {
  model: string;
  call: ts.CallExpression;
  session: SessionObject;
  completion: RotationCompletion;
  /** The callback argument for callback completion (writes inside it go to the new session). */
  callback?: ts.Expression;
}

export type InvalidationKind = 'destroy' | 'reset' | 'null-assign' | 'revoke';

export interface SessionInvalidation {
  model: string;
  node: ts.Node;
  session?: SessionObject;
  kind: InvalidationKind;
}

/** What the installed version of an authentication library does to the session id at login. */
export interface LoginVerdict {
  /** npm package whose version decides, e.g. `passport`. */
  library: string;
  /** true: rotates the id; false: keeps it (vulnerable); undefined: the version could not be determined. */
  rotates: boolean | undefined;
  version?: string;
  versionSource: 'lockfile' | 'range' | 'unknown';
  /** Where the version came from, for messages: `package-lock.json`, `the lowest version "^0.5.0" allows`. */
  versionEvidence?: string;
  /** Why the version is unknown. */
  reason?: string;
  /** The advisory for versions that keep the id, e.g. `CVE-2022-25896`. */
  advisory: string;
  /** Human statement of the affected versions, e.g. `below 0.6.0`. */
  affected: string;
  /** A package.json edit raising the dependency, when the manifest declares it. */
  upgrade?: DependencyUpgrade;
}

export interface DependencyUpgrade {
  manifestPath: string;
  packageName: string;
  range: string;
  /** Offsets of the current range string (without quotes) in the manifest text. */
  start: number;
  end: number;
  /** What changes for the application, for the fix description. */
  note: string;
}

export type LoginKind = 'middleware' | 'login' | 'guard';

export interface LoginCall {
  model: string;
  call: ts.CallExpression;
  kind: LoginKind;
  /** How the code continues after the login: inside `callback`, after awaiting, or in the next middleware. */
  completion: 'callback' | 'promise' | 'middleware';
  callback?: ts.Expression;
  verdict: LoginVerdict;
}

/** How to rotate a session in source, for fixes. */
export type RotationFixTemplate =
  /** A statement inserted before the first identity write (`await request.session.regenerate();`). */
  (
    | { kind: 'statement'; text: string }
    /** Wrap the statements from the first write to the end in `<callee>((err) => { if (err) return next(err); … })`. */
    | { kind: 'wrap-callback'; callee: string }
  ) & {
    /**
     * How the handler reaches the session's values, so values a rotation would drop can be carried over:
     * `properties` for `session.key` / `session.get('key')` / `session.set('key', v)` on a session object
     * replaced by the rotation (`req.session`), `get-set` for `yar.get('key')` / `yar.set('key', v)` only.
     * Without it no values are carried over.
     */
    values?: { session: string; access: 'properties' | 'get-set' };
  };

export interface RotationFixContext {
  inAsyncFunction: boolean;
  /** TypeScript source (type arguments allowed). */
  typescript: boolean;
}

/** A credential check (password hash comparison, OAuth code exchange) used as evidence of a login. */
export interface CredentialCheck {
  model: string;
  call: ts.CallExpression;
  label: string;
}
