import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import type { Located } from '../analysis/values.js';

/*
 * Session-id concepts (types only) the models answer `Model`'s session-id hooks with; the shared
 * recognisers and the model-driven taint engine are in session-id.ts.
 */

/** What a library does when a cookie flag is absent: `auto` follows the request protocol. */
export type CookieFlagDefault = 'secure' | 'insecure' | 'auto';

export type RequestInputKind = 'url' | 'body' | 'header' | 'cookie';

/** Client-controlled data read from the request. */
export interface RequestInput {
  model: string;
  /** How the read looks in source, for messages (`req.query`, `ctx.get()`, `@Query()`). */
  label: string;
  kind: RequestInputKind;
}

/** The request's collections (Express, Fastify, Koa, Next): read whole, they hold the request's data. */
const REQUEST_COLLECTIONS = new Set(['cookies', 'signedCookies', 'query', 'body', 'headers', 'params', 'searchParams']);

/**
 * `req.cookies`, `request.query` used as a whole: not `req.cookies.sid`, `req.cookies['sid']` or
 * `req.cookies.get('sid')`, which read one value out of the collection.
 */
export function isWholeRequestCollection(node: ts.Node): boolean {
  if (!ts.isPropertyAccessExpression(node) || !REQUEST_COLLECTIONS.has(node.name.text)) return false;
  const parent = node.parent;
  return !(
    (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) &&
    parent.expression === node
  );
}

/**
 * Session cookie names every library uses by default match this, as do most custom names: `sid`,
 * `connect.sid`, `sessionid`, `app_session`. Shared by every language's cookie checks.
 */
export const SESSION_COOKIE_NAME = /sess|(^|[^a-z])sid([^a-z]|$)/i;

/** The `model` of session-id sinks found by role in hand-rolled stores (src/analysis/session/roles.ts). */
export const HAND_ROLLED_MODEL = 'hand-rolled';

/**
 * - `generator`: a library callback whose return value becomes the session id (`genid`, `idGenerator`);
 * - `assignment`: the id set directly (`req.sessionID = x`);
 * - `create`: a session created with a caller-chosen id (lucia `createSession(u, a, { sessionId })`);
 * - `store-write` / `store-read`: a session store (or session table) written or read by id;
 * - `injection`: a session cookie written into the incoming request (`req.headers.cookie = 'sid=' + x`),
 *   which the session middleware further down adopts as the session id.
 */
export type SessionIdSinkKind = 'generator' | 'assignment' | 'create' | 'store-write' | 'store-read' | 'injection';

export interface SessionIdSink {
  model: string;
  kind: SessionIdSinkKind;
  /** The API as users know it, for messages: `genid`, `req.sessionID`, `store.set()`. */
  label: string;
  /** Where to report when the id expression is not in the current file. */
  node: ts.Node;
  /** The id expression (all kinds but `generator`). */
  value?: Located;
  /** `generator`: the callback whose return value is the id. */
  generator?: { fn: ts.FunctionLikeDeclaration; file: FileContext };
}

/** A cookie set on the response. `name` is the static name when it can be read. */
export interface CookieWrite {
  model: string;
  /** `res.cookie()`, `reply.setCookie()`, `Set-Cookie header`. */
  label: string;
  node: ts.Node;
  name?: string;
  value: Located;
  /**
   * A raw `Set-Cookie` header: `value` is the whole header text (`sid=…; HttpOnly`), so its flags are
   * in that text and replacing the value would drop the name and attributes.
   */
  rawHeader?: boolean;
  /** The cookie options argument (`res.cookie(name, value, options)`), when one is passed. */
  options?: Located;
  /**
   * What the API does when a flag is absent from the options; set only for cookie APIs that take
   * options (not for raw `Set-Cookie` headers, whose flags are in the header text).
   */
  defaults?: CookieWriteDefaults;
}

/**
 * A credential handed to the client outside a cookie: in a response header (`Authorization`,
 * `X-Session-Token`) or as a field of the response body (`res.json({ token })`). Unlike a cookie it is
 * a session credential only by role (bound to identity on the server): APIs return tokens of every
 * kind, so a name alone proves nothing here.
 */
export interface TokenIssue {
  model: string;
  /** `X-Session-Token header`, `res.json()`. */
  label: string;
  node: ts.Node;
  /** The header or body field name. */
  name: string;
  value: Located;
  channel: 'header' | 'body';
}

/** What the session-id rules treat as issuing a credential to the client. */
export type CredentialIssue = CookieWrite | TokenIssue;

export function isTokenIssue(issue: CredentialIssue): issue is TokenIssue {
  return 'channel' in issue;
}

/** A cookie API's behaviour for absent flags: `auto` follows the request protocol. */
export interface CookieWriteDefaults {
  secure: CookieFlagDefault;
  httpOnly: boolean;
}

/** Where a value becomes (part of) a URL the client is sent to or shown. */
export interface UrlSink {
  model: string;
  /** `res.redirect()`, `Location header`, `URL search parameter`. */
  label: string;
  node: ts.Node;
  value: Located;
}
