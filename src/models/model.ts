import type { ts } from 'ts-morph';
import type { Located, ObjectView } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import type {
  DynamoIndexAddition,
  DynamoOperation,
  DynamoSessionStoreConfig,
  DynamoTableDefinition,
} from './dynamodb-concepts.js';
import type {
  CredentialCheck,
  LoginCall,
  RotationFixContext,
  RotationFixTemplate,
  SessionInvalidation,
  SessionKeyRemoval,
  SessionObject,
  SessionRotation,
  SessionWrite,
} from './session-lifecycle.js';
import type { CookieClearing, InvalidationFixContext, InvalidationFixTemplate, LogoutCall } from './session-logout.js';
import type {
  CookieFlagDefault,
  CookieWrite,
  RequestInput,
  SessionIdSink,
  TokenIssue,
  UrlSink,
} from './session-id-concepts.js';

export type { FileContext } from '../analysis/file-context.js';
export type { CookieFlagDefault } from './session-id-concepts.js';

declare module '../analysis/file-context.js' {
  /**
   * The models a file's scan enabled, added here because `Model` lives in this layer: the file
   * interface in src/analysis knows no framework. Code that reads them imports `FileContext` from
   * this module, so the dependency on the models is visible in its imports.
   */
  interface FileContext {
    /** Every model, as evidence, those known to be in use first (see ParsedFile.models). */
    readonly models: Model[];
    /** Models known to be in use: imported, declared, the package itself, or used by importing files. */
    readonly knownModels: Model[];
  }
}

/**
 * Framework knowledge lives here, never in rules. A model is named after its npm package. Its hooks
 * are evidence, not gates: they recognise API shapes in any file. A model is known to be in use for a
 * file (`knownModels`) when the nearest package.json depends on one of `packages`, the file imports
 * one, or a file importing it does; that adds certainty (versions, defaults, statelessness).
 * Every concept hook is optional; rules ask all models and combine the answers.
 */
export interface Model {
  /** The npm package name, e.g. `express-session`. */
  id: string;
  /** Packages whose presence enables the model (the package itself, plus legacy names). */
  packages: string[];
  /**
   * Words whose absence from a file's text proves the model has nothing to say about it. Used by the
   * engine's byte-level pre-filter; keep them short and lower-case (matched case-insensitively).
   */
  keywords: string[];
  /** No server-side session id (sealed cookie): fixation rules do not apply. */
  stateless?: boolean;

  /** The session middleware/plugin configured at this call, if the call configures one. */
  sessionOptions?(call: ts.CallExpression, file: FileContext): SessionOptionsSite | undefined;
  /** Secrets configured outside an options object (`cookieParser('s')`, koa `app.keys = [...]`). */
  secretSites?(node: ts.Node, file: FileContext): SecretSite[] | undefined;
  /**
   * A framework's own read of an environment variable with a default (Strapi's `env('S', 'dev')`,
   * `env.array('KEYS', ['a'])`): the default is used whenever the variable is unset, like the fallback
   * of `process.env.S || 'dev'`.
   */
  environmentDefault?(call: ts.CallExpression, file: FileContext): EnvironmentDefault | undefined;

  // Session lifecycle (types in session-lifecycle.ts; combined by src/analysis/session-concepts.ts).
  /** Whether the session is stateless for this file when that depends on configuration (koa-session `store`). */
  statelessIn?(file: FileContext): boolean | undefined;
  /** The session object this expression denotes (`req.session`, `ctx.session`, `request.yar`, `@Session() s`). */
  sessionObject?(expression: ts.Expression, file: FileContext): SessionObject | undefined;
  /** Writes into the session at this node (assignment, `Object.assign`, `session.set(k, v)`, `yar.set`). */
  sessionWrites?(node: ts.Node, file: FileContext): SessionWrite[] | undefined;
  /** Keys removed from the session by a method call (`session.unset('userId')`). */
  sessionKeyRemoval?(call: ts.CallExpression, file: FileContext): SessionKeyRemoval | undefined;
  /** A call that gives the session a new id (`regenerate`, `yar.reset`). */
  rotation?(call: ts.CallExpression, file: FileContext): SessionRotation | undefined;
  /** A call or assignment that ends the session (`destroy`, `ctx.session = null`, `yar.reset`). */
  invalidation?(node: ts.Node, file: FileContext): SessionInvalidation | undefined;
  /** A login performed by a library (`passport.authenticate`, `req.logIn`, `super.logIn`) and its version verdict. */
  loginCall?(call: ts.CallExpression, file: FileContext): LoginCall | undefined;
  /** How to rotate this write's session in source, for fixes. */
  rotationFix?(write: SessionWrite, file: FileContext, context: RotationFixContext): RotationFixTemplate | undefined;
  /** A credential check (`bcrypt.compare`, `crypto.timingSafeEqual`), evidence that a handler logs in. */
  credentialCheck?(call: ts.CallExpression, file: FileContext): CredentialCheck | undefined;
  /**
   * A middleware or guard that verifies the user before the handler runs and leaves it on the request
   * (`passport.authenticate('local')`, NestJS `AuthGuard('local')` in `@UseGuards`): the label for
   * messages, so `req.user` in that handler is a login's result.
   */
  verifiesUser?(guard: ts.Expression, file: FileContext): string | undefined;
  /**
   * The principal this library restores on every request from the session it logged into
   * (`req.user`, which passport's session middleware deserialises from `req.session.passport.user`):
   * a value built from it and written back is the session's own principal again, not a login.
   */
  sessionPrincipal?(expression: ts.Expression, file: FileContext): boolean | undefined;
  /**
   * A middleware or guard that authenticates the request itself and leaves its user on it, whatever the
   * strategy (`passport.authenticate('jwt', { session: false })`, `AuthGuard('jwt')`): behind it, `req.user`
   * is that guard's result (a token's subject, a fresh login), not the session's principal.
   */
  setsRequestUser?(guard: ts.Expression, file: FileContext): boolean | undefined;
  /**
   * A function the library runs inside its own login (a passport strategy's verify callback): session
   * writes there happen before the library logs the user in, and that login's own verdict (by version)
   * decides whether the id survives. The label names it for notes.
   */
  loginStep?(fn: ts.FunctionLikeDeclaration, file: FileContext): string | undefined;
  /** A logout performed by a library (`req.logout()`, `request.logOut()`) and whether its version ends the session. */
  logoutCall?(call: ts.CallExpression, file: FileContext): LogoutCall | undefined;
  /** Clearing a cookie in the response (`res.clearCookie(name)`, `ctx.cookies.set(name, null)`, `h.unstate(name)`). */
  cookieClearing?(call: ts.CallExpression, file: FileContext): CookieClearing | undefined;
  /** How to end this library's server-side session in source, for logout fixes. */
  invalidationFix?(context: InvalidationFixContext, file: FileContext): InvalidationFixTemplate | undefined;

  /**
   * The DynamoDB request this call performs (SDK v2 DocumentClient/DynamoDB methods, v3 `client.send`
   * of a command, lib-dynamodb). Prefer `dynamoFacts(file)` from src/models/dynamodb.ts, which joins
   * all models' answers and fills in session-table evidence and put key attributes.
   */
  dynamoOperation?(call: ts.CallExpression, file: FileContext): DynamoOperation | undefined;
  /** A table defined by this construction or call (CDK `Table`/`TableV2`). */
  dynamoTableDefinition?(
    node: ts.NewExpression | ts.CallExpression,
    file: FileContext,
  ): DynamoTableDefinition | undefined;
  /** `table.addGlobalSecondaryIndex({...})` on a CDK table. */
  dynamoIndexAddition?(call: ts.CallExpression, file: FileContext): DynamoIndexAddition | undefined;
  /** A session store configured against a DynamoDB table (connect-dynamodb, dynamodb-store). */
  dynamoSessionStore?(
    node: ts.NewExpression | ts.CallExpression,
    file: FileContext,
  ): DynamoSessionStoreConfig | undefined;

  // Session-id taint (types and shared recognisers in session-id.ts; used with src/analysis/taint.ts).
  /** Client-controlled request data read at this node (an expression, a decorated parameter, a destructuring element). */
  requestInput?(node: ts.Node, file: FileContext): RequestInput | undefined;
  /**
   * A read of a cookie the server signed (`getSignedCookie(c, secret, 'sid')`): not data the client
   * chooses, so not a `requestInput`, but still the credential the caller presented. Its label.
   */
  signedCookieRead?(node: ts.Node, file: FileContext): string | undefined;
  /** Calls whose result carries some of their arguments (`url.parse(x, true)`): those arguments. */
  taintPassThrough?(call: ts.CallExpression | ts.NewExpression, file: FileContext): ts.Expression[] | undefined;
  /** Where a session id is generated, set, created with, or stored/looked up by (`genid`, `req.sessionID = …`). */
  sessionIdSinks?(node: ts.Node, file: FileContext): SessionIdSink[] | undefined;
  /** Cookies set on the response (`res.cookie(n, v)`, `reply.setCookie`, `ctx.cookies.set`, raw `Set-Cookie`). */
  cookieWrites?(node: ts.Node, file: FileContext): CookieWrite[] | undefined;
  /** Tokens sent in a response header or body (`res.json({ token })`, `c.header('Authorization', …)`). */
  tokenIssues?(node: ts.Node, file: FileContext): TokenIssue[] | undefined;
  /** A read of the current session's id (`req.sessionID`, `req.session.id`): its label. */
  sessionIdValue?(node: ts.Node, file: FileContext): string | undefined;
  /** Where a value becomes a URL the client is sent to (redirects, `Location` headers). */
  urlSinks?(node: ts.Node, file: FileContext): UrlSink[] | undefined;
}

export interface SessionOptionsSite {
  model: string;
  /** The configuring call (e.g. `session({...})`, `fastify.register(plugin, {...})`). */
  call: ts.CallExpression;
  /** The options object when it can be seen (literal, const, local import, spreads). */
  options?: ObjectView;
  /**
   * Each object the options can be, one by one (`options` keeps only what they agree on): a
   * `options.cookie = …` inside an `if` gives one shape with the cookie and one without.
   */
  shapes?: ObjectView[];
  /** The object holding the cookie flags (`cookie`, `cookieOptions`, or the options themselves). */
  cookie?: ObjectView;
  /** Where the cookie object would be inserted in a fix (the options literal), when visible. */
  cookieContainer?: ObjectView;
  /** The property name of the cookie object inside the options, or undefined when flags are top-level. */
  cookieProperty?: string;
  /** Flag property names in this library's spelling. */
  flagNames: { secure: string; httpOnly: string; sameSite: string };
  /** What the library does when a flag is absent. */
  defaults: { secure: CookieFlagDefault; httpOnly: boolean };
  /** Values configured as secrets/keys/passwords. */
  secrets: SecretSite[];
  stateless: boolean;
  /** The session cookie name, from the options or the library default. */
  cookieName: string;
}

export interface SecretSite {
  model: string;
  /** The option or API that takes the secret, for messages (e.g. `secret`, `keys`, `app.keys`). */
  label: string;
  value: Located;
  /**
   * The library takes a list of keys and never a single string (Keygrip's keys: koa `app.keys`,
   * cookie-session `keys`, Remix `secrets`): an edit that replaces a whole list must write a list.
   */
  keyList?: boolean;
  /** The environment variable the framework's own templates read the secret from (`APP_KEYS`), for fixes. */
  variable?: string;
}

export interface EnvironmentDefault {
  variable: string;
  /** The value used when the variable is unset. */
  fallback: ts.Expression;
  /** The read written without its default (`env('S')`), so a missing variable fails at start-up. */
  withoutDefault: string;
}
