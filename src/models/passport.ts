import { ts } from '#typescript';
import { refersTo } from '../analysis/imports.js';
import { moduleReferenceThrough } from '../analysis/parameters.js';
import { receivingFunction } from '../analysis/handlers.js';
import { findDeclaration } from '../analysis/scope.js';
import { accessedName, calleeName, enclosingFunction, unwrap } from '../analysis/syntax.js';
import { memoPerFile } from '../analysis/node-memo.js';
import { objectView, staticValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import { atLeast, type LoginAdvisory, loginVerdict } from './login-versions.js';
import type { Model } from './model.js';
import { callbackArgument } from './session-access.js';
import { requestLogout } from './session-logout.js';
import type { LoginCall } from './session-lifecycle.js';

/**
 * passport: `req.logIn` regenerates the session only from 0.6.0 (CVE-2022-25896: below that, login
 * keeps the session id). `passport.authenticate(strategy)` calls `req.logIn` itself unless given a
 * custom callback or `session: false`. From 0.6.0 `req.logout` takes a callback (it regenerates too).
 */
export const PASSPORT_ADVISORY: LoginAdvisory = {
  library: 'passport',
  advisory: 'CVE-2022-25896',
  affected: 'below 0.6.0',
  rotates: (version) => atLeast(version, [0, 6, 0]),
  upgradeRange: () => '^0.7.0',
  upgradeNote:
    'from 0.6.0 `req.logout()` is asynchronous and requires a callback (`req.logout((err) => …)`), and the session store must support `regenerate` (cookie-session does not)',
};

/** Options that only take effect once the strategy has verified the user (passport's authenticate.js). */
const COMPLETION_OPTIONS = [
  'successRedirect',
  'successReturnToOrRedirect',
  'failureRedirect',
  'successFlash',
  'failureFlash',
  'successMessage',
  'failureMessage',
  'failWithError',
  'authInfo',
  'keepSessionInfo',
];

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'all']);

function parentCall(node: ts.Node): ts.CallExpression | undefined {
  let current = node;
  while (current.parent && ts.isParenthesizedExpression(current.parent)) current = current.parent;
  return current.parent && ts.isCallExpression(current.parent) ? current.parent : undefined;
}

/**
 * The start of a redirect flow (OAuth 2, OIDC, SAML): the same `passport.authenticate(name)` sits on
 * the route that sends the browser to the provider and on the callback route that logs in. On the
 * start route it is the route's last handler (or the handler ends by invoking it with its `next`) and
 * carries no option that applies after verification (`successRedirect`, `failureRedirect`, …):
 * success there would fall through to `next()`, so it only ever redirects. Not a login.
 */
function startsRedirectFlow(call: ts.CallExpression, file: FileContext): boolean {
  for (const argument of call.arguments.slice(1)) {
    const view = objectView(argument, file);
    if (!view?.complete || COMPLETION_OPTIONS.some((name) => view.properties.has(name))) return false;
  }
  const parent = parentCall(call);
  if (!parent) return false;
  // `router.get('/auth/x', passport.authenticate('x', { scope }))`: last in a route with a path.
  if (parent.expression !== call) {
    const method = accessedName(unwrap(parent.expression));
    const first = parent.arguments[0] && unwrap(parent.arguments[0]);
    return (
      method !== undefined &&
      ROUTE_METHODS.has(method) &&
      first !== undefined &&
      (ts.isStringLiteralLike(first) || ts.isTemplateExpression(first)) &&
      unwrap(parent.arguments[parent.arguments.length - 1]) === call
    );
  }
  // `passport.authenticate(provider, { scope })(req, res, next)` as the handler's last statement.
  const next = parent.arguments[2] && unwrap(parent.arguments[2]);
  const handler = enclosingFunction(parent);
  if (!next || !ts.isIdentifier(next) || !handler?.body) return false;
  const declaration = findDeclaration(next);
  if (!declaration || !ts.isParameter(declaration) || declaration.parent !== handler) return false;
  if (!ts.isBlock(handler.body)) return unwrap(handler.body as ts.Expression) === parent;
  const last = handler.body.statements.at(-1);
  return last !== undefined && ts.isExpressionStatement(last) && unwrap(last.expression) === parent;
}

/**
 * passport's `session: false` option, to `authenticate(strategy, options)` and to `req.logIn(user,
 * options, cb)` alike: passport then only sets `req.user` and never writes (or regenerates) the session,
 * so nothing is logged into it. Only a `false` that no unseen value can set again counts: options that
 * cannot be seen, and a spread after the option (`{ session: false, ...overrides }`), may log in.
 */
export function disablesSession(options: readonly ts.Expression[], file: FileContext): boolean {
  return options.some((argument) => {
    const view = objectView(argument, file);
    const session = view?.properties.get('session');
    const value = session && staticValue(session.value, session.file);
    if (!view || !session || value?.kind !== 'boolean' || value.value) return false;
    if (view.complete) return true;
    // `{ ...defaults, session: false }` in the call: what the spread holds comes first and is overridden.
    const literal = unwrap(argument);
    if (!ts.isObjectLiteralExpression(literal) || session.property.parent !== literal) return false;
    const later = literal.properties.slice(
      literal.properties.indexOf(session.property as ts.ObjectLiteralElementLike) + 1,
    );
    return later.every(
      (property) => !ts.isSpreadAssignment(property) && !(property.name && ts.isComputedPropertyName(property.name)),
    );
  });
}

/** `passport.authenticate(...)` without a custom callback and without `session: false`: logs in. */
export function authenticateLogin(
  call: ts.CallExpression,
  file: FileContext,
  isAuthenticate: (callee: ts.Expression) => boolean,
  model: string,
  advisory: LoginAdvisory,
): LoginCall | undefined {
  const callee = unwrap(call.expression);
  if (accessedName(callee) !== 'authenticate' || !isAuthenticate(callee)) return undefined;
  // A custom callback takes over: passport then calls no `req.logIn` (the callback must).
  const rest = call.arguments.slice(1);
  if (rest.some((argument) => callbackArgument({ arguments: [argument] } as unknown as ts.CallExpression, file)))
    return undefined;
  if (disablesSession(rest, file)) return undefined;
  if (startsRedirectFlow(call, file)) return undefined;
  return { model, call, kind: 'middleware', completion: 'middleware', verdict: loginVerdict(file, advisory) };
}

/**
 * `req.login(user, cb)` / `req.logIn(user, cb)` on a request received as the first parameter of a
 * function (a handler or a helper), or through a `@Req()` parameter.
 */
export function requestLogin(call: ts.CallExpression, _file: FileContext): ts.Expression | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || call.arguments.length === 0) return undefined;
  if (callee.name.text !== 'login' && callee.name.text !== 'logIn') return undefined;
  const request = unwrap(callee.expression);
  if (!ts.isIdentifier(request)) return undefined;
  const receiver = receivingFunction(request);
  if (!receiver) return undefined;
  const decorated = ts.canHaveDecorators(receiver.parameter) && (ts.getDecorators(receiver.parameter) ?? []).length > 0;
  return receiver.index === 0 || decorated ? request : undefined;
}

/**
 * Strategies that authenticate every request from a credential it carries (a bearer token, an API key,
 * basic auth) rather than logging a browser in: the user they leave on the request is not a login's.
 */
const PER_REQUEST_STRATEGY = /jwt|bearer|api[-_]?key|header|basic|anonymous|cookie|session/i;

/**
 * Whether a strategy argument (`'local'`, `['local', 'ldap']`) names strategies that log a browser in.
 * An unknown name (a variable) does not count: the guard may be a per-request token check.
 */
export function logsInWithStrategy(argument: ts.Expression | undefined, file: FileContext): string | undefined {
  if (!argument) return undefined;
  const inner = unwrap(argument);
  const elements = ts.isArrayLiteralExpression(inner) ? [...inner.elements] : [inner];
  const names: string[] = [];
  for (const element of elements) {
    const value = staticValue(element, file);
    if (value?.kind !== 'string') return undefined;
    names.push(value.value);
  }
  if (names.length === 0 || names.some((name) => PER_REQUEST_STRATEGY.test(name))) return undefined;
  return names.map((name) => `'${name}'`).join(', ');
}

/**
 * `passport.authenticate('local', …)` as a middleware before the handler (also with `session: false`):
 * passport has verified the user and set `req.user` when the handler runs. A custom callback decides
 * itself what happens with the user.
 */
function verifiesUser(guard: ts.Expression, file: FileContext): string | undefined {
  const call = unwrap(guard);
  if (!ts.isCallExpression(call)) return undefined;
  const callee = unwrap(call.expression);
  if (accessedName(callee) !== 'authenticate') return undefined;
  if (!refersTo(moduleReferenceThrough(callee, file), 'passport', 'authenticate')) return undefined;
  if (
    call.arguments
      .slice(1)
      .some((argument) => callbackArgument({ arguments: [argument] } as unknown as ts.CallExpression, file))
  )
    return undefined;
  const strategy = logsInWithStrategy(call.arguments[0], file);
  return strategy ? `passport.authenticate(${strategy})` : undefined;
}

/**
 * `req.user` (`request.user`) on the request a function receives, where this passport library is in
 * use for the file (imported or declared, not merely mentioned): its session middleware deserialises
 * that user from the session on every request, so it is the principal the session already holds.
 * Without that evidence `req.user` may be any middleware's (a JWT check copying a token's subject).
 */
export function restoredRequestUser(model: () => Model) {
  return (expression: ts.Expression, file: FileContext): boolean | undefined => {
    const inner = unwrap(expression);
    if (!ts.isPropertyAccessExpression(inner) || inner.name.text !== 'user') return undefined;
    const request = unwrap(inner.expression);
    if (!ts.isIdentifier(request) || !file.knownModels.includes(model())) return undefined;
    return receivingFunction(request) ? true : undefined;
  };
}

/** `passport.authenticate(…)` before the handler, any strategy and options: it sets `req.user` itself. */
function setsRequestUser(guard: ts.Expression, file: FileContext): boolean | undefined {
  const call = unwrap(guard);
  if (!ts.isCallExpression(call) || accessedName(unwrap(call.expression)) !== 'authenticate') return undefined;
  return refersTo(moduleReferenceThrough(unwrap(call.expression), file), 'passport', 'authenticate') || undefined;
}

/**
 * A strategy's verify callback, which passport calls inside `authenticate`, before `req.logIn`:
 * - the function handed to `new XStrategy(options?, verify)`, inline or by name (a function declaration
 *   or a const);
 * - a function with an OAuth verify callback's signature, `(req?, accessToken, refreshToken, profile,
 *   done)`, however it reaches the strategy (apostrophe's passport bridge builds it in a factory method
 *   and wraps it in a user-supplied `verify(…)` before `new Strategy`). The signature alone decides
 *   only with a token, then `profile`, then a completion callback last: no route handler or login
 *   helper is written that way.
 */
function strategyVerifyCallback(fn: ts.FunctionLikeDeclaration, file: FileContext): string | undefined {
  let node: ts.Node = fn;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const inline = strategyConstruction(node);
  if (inline) return `the ${inline} verify callback`;
  const byName = namedVerifyCallbacks(file.sourceFile, file).get(fn);
  if (byName) return `the ${byName} verify callback`;
  // Not `validate` of a NestJS strategy (`class … extends PassportStrategy(Strategy)`), whatever its
  // signature: @nestjs/passport's AuthGuard runs passport with `session: false` unless told otherwise,
  // so no library login follows it, and a session write there is the login itself.
  if (isNestStrategyMethod(fn)) return undefined;
  return hasOAuthVerifySignature(fn) ? 'an OAuth strategy verify callback' : undefined;
}

/** The strategy's name when `argument` is an argument of `new …Strategy(…)`. */
function strategyConstruction(argument: ts.Node): string | undefined {
  const created = argument.parent;
  if (!ts.isNewExpression(created) || !created.arguments?.includes(argument as ts.Expression)) return undefined;
  const name = calleeName(created);
  return name && /Strategy$/.test(name) ? name : undefined;
}

/** Functions handed by name to `new …Strategy(…)` in a file, with the strategy's name. */
const namedVerifyCallbacks = memoPerFile((sourceFile: ts.SourceFile, _file: FileContext) => {
  const callbacks = new Map<ts.Node, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const strategy = strategyConstruction(node);
      const declaration = strategy ? findDeclaration(node) : undefined;
      const fn =
        declaration && ts.isFunctionDeclaration(declaration)
          ? declaration
          : declaration && ts.isVariableDeclaration(declaration) && declaration.initializer
            ? unwrap(declaration.initializer)
            : undefined;
      if (strategy && fn && ts.isFunctionLike(fn)) callbacks.set(fn, strategy);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return callbacks;
});

function isNestStrategyMethod(fn: ts.FunctionLikeDeclaration): boolean {
  if (!ts.isMethodDeclaration(fn) || !ts.isClassLike(fn.parent)) return false;
  const base = fn.parent.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  const extended = base && unwrap(base.expression);
  return !!extended && ts.isCallExpression(extended) && calleeName(extended) === 'PassportStrategy';
}

const COMPLETION_CALLBACK = /^(done|cb|callback|verified|next)$/;

function hasOAuthVerifySignature(fn: ts.FunctionLikeDeclaration): boolean {
  const names = fn.parameters.map((parameter) => (ts.isIdentifier(parameter.name) ? parameter.name.text : ''));
  const profile = names.indexOf('profile');
  const last = names[names.length - 1];
  return (
    profile > 0 &&
    names.slice(0, profile).some((name) => /token/i.test(name)) &&
    last !== undefined &&
    COMPLETION_CALLBACK.test(last)
  );
}

export const passport: Model = {
  id: 'passport',
  packages: ['passport'],
  keywords: ['passport', 'login', 'logout'],
  verifiesUser,
  sessionPrincipal: restoredRequestUser(() => passport),
  setsRequestUser,
  loginStep: strategyVerifyCallback,
  // From the fixed versions logout regenerates the session too (the same change as for login), and
  // requires a callback: `req.logout()` without one throws.
  logoutCall: requestLogout('passport', (file) => loginVerdict(file, PASSPORT_ADVISORY), true),
  loginCall(call, file) {
    const middleware = authenticateLogin(
      call,
      file,
      // The passport object may arrive as a parameter (a router factory, a typed `PassportStatic`).
      (callee) => refersTo(moduleReferenceThrough(callee, file), 'passport', 'authenticate'),
      'passport',
      PASSPORT_ADVISORY,
    );
    if (middleware) return middleware;
    if (!requestLogin(call, file) || disablesSession(call.arguments.slice(1), file)) return undefined;
    // `req.logIn(user, options?, callback?)`: the first argument is the user, never the callback.
    const callback = callbackArgument(call, file, 1);
    return {
      model: 'passport',
      call,
      kind: 'login',
      completion: 'callback',
      callback,
      verdict: loginVerdict(file, PASSPORT_ADVISORY),
    };
  },
};
