import { ts } from '#typescript';
import { receivingFunction } from '../analysis/handlers.js';
import { accessedName, stringValue, unwrap } from '../analysis/syntax.js';
import type { FileContext } from '../analysis/file-context.js';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { resolveValue, staticValue } from '../analysis/values.js';
import { callbackArgument, propertySession, sessionMethodCall } from './session-access.js';
import type { LoginVerdict, SessionInvalidation } from './session-lifecycle.js';

/**
 * Logout concepts: a library logout (`req.logout()`, `request.logOut()`) with its version verdict,
 * clearing the session cookie in the response, and how to invalidate a session in source (for fixes).
 * Asked by the session-not-invalidated-on-logout rule through the `logoutCall`, `cookieClearing` and
 * `invalidationFix` hooks of `Model`.
 */

export interface LogoutCall {
  model: string;
  call: ts.CallExpression;
  /** `rotates` here means: the library regenerates (or destroys) the server-side session at logout. */
  verdict: LoginVerdict;
  callback?: ts.Expression;
  /**
   * The call throws because the library version requires a callback and none is passed (passport from
   * 0.6.0: `req.logout()` throws "req#logout requires a callback function"): nothing is logged out.
   */
  throwsWithoutCallback?: boolean;
}

export interface CookieClearing {
  model: string;
  /** The clearing call (`res.clearCookie('sid')`, `ctx.cookies.set('sid', null)`, `h.unstate('sid')`). */
  node: ts.CallExpression;
  /** The cookie name, when static. */
  name?: string;
}

export interface InvalidationFixContext {
  /** Source text of what the session hangs off: `req`, `request`, `ctx`. */
  carrier: string;
  /** Source text of the response parameter, when the handler has one (`res`, `reply`). */
  response?: string;
  /** The session cookie name, when known (configured or the library default). */
  cookieName?: string;
  inAsyncFunction: boolean;
  typescript: boolean;
}

export type InvalidationFixTemplate =
  /** A statement inserted before the handler responds (`await request.session.destroy();`). */
  | { kind: 'statement'; text: string }
  /**
   * Wrap the statements from the first response to the end in `<callee>((err) => { if (err) return
   * next(err); <prelude> … })`; `prelude` statements run first inside the callback.
   */
  | { kind: 'wrap-callback'; callee: string; prelude: string[] };

/**
 * `x.logout(cb?)` / `x.logOut(cb?)` on a request received by a function (a handler or a helper, or a
 * `@Req()` parameter), with the verdict of `verdictOf`.
 */
export function requestLogout(
  model: string,
  verdictOf: (file: FileContext) => LoginVerdict,
  /** The versions that end the session at logout also require a callback (passport 0.6.0+). */
  callbackWhenItEnds = false,
): (call: ts.CallExpression, file: FileContext) => LogoutCall | undefined {
  return (call, file) => {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    if (callee.name.text !== 'logout' && callee.name.text !== 'logOut') return undefined;
    const request = unwrap(callee.expression);
    if (!ts.isIdentifier(request)) return undefined;
    const received = receivingFunction(request);
    if (!received || !looksLikeRequest(received.parameter)) return undefined;
    const verdict = verdictOf(file);
    const callback = callbackArgument(call, file);
    const throwsWithoutCallback = callbackWhenItEnds && verdict.rotates === true && !callback;
    return { model, call, verdict, callback, ...(throwsWithoutCallback ? { throwsWithoutCallback } : {}) };
  };
}

/**
 * passport's `logout` hangs off the request (`req.logout`, koa-passport's `ctx.logout`, @fastify/passport's
 * `request.logOut`): a parameter named or typed like one. Other objects with a `logout` method are not it:
 * satellizer's and other client libraries' `$auth.logout()` in a browser controller.
 */
function looksLikeRequest(parameter: ts.ParameterDeclaration): boolean {
  const name = ts.isIdentifier(parameter.name) ? parameter.name.text : '';
  if (/^(req|request|ctx|context)$/i.test(name) || /(Req|Request|Ctx|Context)$/.test(name)) return true;
  const decorated = (ts.canHaveDecorators(parameter) ? ts.getDecorators(parameter) : undefined) ?? [];
  if (decorated.some((decorator) => /^(Req|Request|Ctx)\b/.test(decorator.expression.getText()))) return true;
  return parameter.type !== undefined && /\b(Request|IncomingMessage|Context)\b/.test(parameter.type.getText());
}

function isNullish(expression: ts.Expression | undefined, file: FileContext): boolean {
  if (!expression) return false;
  const value = staticValue(expression, file);
  return value?.kind === 'null' || value?.kind === 'undefined' || (value?.kind === 'string' && value.value === '');
}

/**
 * Response cookie clearing in the shapes the web frameworks offer: express / @fastify/cookie
 * `res.clearCookie(name)`, hapi `h.unstate(name)`, koa `ctx.cookies.set(name, null | '')`, Next.js
 * `cookies().delete(name)`, and `res.cookie(name, '', { maxAge: 0 | expires: new Date(0) })`. The
 * receiver must be something a function receives (a response, reply, toolkit or context).
 */
export function responseCookieClearing(model: string) {
  return (call: ts.CallExpression, file: FileContext): CookieClearing | undefined => {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    const receiver = unwrap(callee.expression);
    const name = stringValue(call.arguments[0]);
    const clearing = { model, node: call, name };
    if (method === 'clearCookie' || method === 'unstate') return receivedValue(receiver) ? clearing : undefined;
    if (method === 'set' && accessedName(receiver) === 'cookies' && isNullish(call.arguments[1], file)) {
      return receivedValue(receiver) ? clearing : undefined;
    }
    if (
      method === 'delete' &&
      ts.isCallExpression(receiver) &&
      accessedName(unwrap(receiver.expression)) === undefined
    ) {
      const inner = unwrap(receiver.expression);
      return ts.isIdentifier(inner) && inner.text === 'cookies' ? clearing : undefined;
    }
    if ((method === 'cookie' || method === 'setCookie') && isNullish(call.arguments[1], file)) {
      return receivedValue(receiver) ? clearing : undefined;
    }
    return undefined;
  };
}

function receivedValue(expression: ts.Expression): boolean {
  let root = unwrap(expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
  return ts.isIdentifier(root) && receivingFunction(root) !== undefined;
}

/**
 * Ending a sealed-cookie session (no server-side id): cookie-session `req.session = null`,
 * @fastify/secure-session `request.session.delete()`, iron-session `session.destroy()` on the object
 * `getIronSession(...)` returned or on `req.session`, @hapi/cookie `request.cookieAuth.clear()`. The
 * cookie is then rewritten empty.
 */
export function statelessInvalidation(
  model: string,
  shape: {
    nullAssign?: boolean;
    methods?: string[];
    factory?: { module: string; names: string[] };
    /** The request property holding the session (`session`, or @hapi/cookie's `cookieAuth`). */
    property?: string;
  },
) {
  const find = propertySession(model, shape.property ?? 'session');
  return (node: ts.Node, file: FileContext): SessionInvalidation | undefined => {
    if (shape.nullAssign && ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      if (unwrap(node.right).kind !== ts.SyntaxKind.NullKeyword) return undefined;
      const session = find(node.left, file);
      return session ? { model, node, session, kind: 'null-assign' } : undefined;
    }
    if (!shape.methods || !ts.isCallExpression(node)) return undefined;
    const session = sessionMethodCall(node, file, find, shape.methods);
    if (session) return { model, node, session, kind: 'destroy' };
    const callee = unwrap(node.expression);
    if (shape.factory && ts.isPropertyAccessExpression(callee) && shape.methods.includes(callee.name.text)) {
      let value = unwrap(resolveValue(callee.expression, file).node as ts.Expression);
      if (ts.isAwaitExpression(value)) value = unwrap(value.expression);
      const factory = shape.factory;
      if (
        ts.isCallExpression(value) &&
        factory.names.some((name) => refersTo(moduleReferenceOf(value.expression), factory.module, name))
      ) {
        return {
          model,
          node,
          session: { model, expression: callee.expression, carrier: callee.expression },
          kind: 'destroy',
        };
      }
    }
    return undefined;
  };
}
