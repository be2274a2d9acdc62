import { ts } from '#typescript';
import type { FileContext } from '../models/model.js';
import type { Model } from '../models/model.js';
import type {
  CredentialCheck,
  LoginCall,
  SessionInvalidation,
  SessionKeyRemoval,
  SessionObject,
  SessionRotation,
  SessionWrite,
} from '../models/session-lifecycle.js';
import { happensOnExit } from './flow.js';
import { isIdentityKey } from './identity-keys.js';
import { presentedSessionInvalidation, presentedSessionObject, presentedSessionWrites } from './session/roles.js';
import { type LoginOrigin, loginOrigin } from './login-evidence.js';
import { functionOf, guardsBefore, receivingFunction } from './handlers.js';
import { findDeclaration } from './scope.js';
import { isAssignment, isAsyncFunction, isFunctionLike, ownName, propertyNameText, unwrap } from './syntax.js';
import { EXPRESS_REQUEST, EXPRESS_RESPONSE, isCarrier, KOA_CONTEXT } from '../models/session-id.js';
import { cachedVerdict, memoPerFile } from './node-memo.js';

/**
 * Joins the models' answers on session lifecycle concepts, and summarises local helper functions
 * ("rotates the session of the request it receives") across files with a depth bound and a cache.
 * The first model that answers decides: `file.models` lists the models known to be in use first
 * (imported, then declared, then inherited from importers), so in a monorepo where express-session
 * and @fastify/session are both declared, `request.session` in a file importing @fastify/session is
 * @fastify/session's.
 */
function first<K extends keyof Model, T>(
  file: FileContext,
  hook: K,
  ask: (model: Model) => T | undefined,
): T | undefined {
  for (const model of modelsWith(file, hook)) {
    const answer = ask(model);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

const modelsByHook = new WeakMap<FileContext, Map<keyof Model, Model[]>>();

/**
 * The file's models that implement a hook, in `file.models` order. Every call of every file asks
 * several concepts; offering each node only to the models that can answer keeps the rest off the path.
 */
function modelsWith(file: FileContext, hook: keyof Model): Model[] {
  let byHook = modelsByHook.get(file);
  if (!byHook) {
    byHook = new Map();
    modelsByHook.set(file, byHook);
  }
  let models = byHook.get(hook);
  if (!models) {
    models = file.models.filter((model) => model[hook] !== undefined);
    byHook.set(hook, models);
  }
  return models;
}

/** Each concept's answer is computed once per node (see `memoPerFile`). */
const remembered = <N extends ts.Node, T>(compute: (node: N, file: FileContext) => T) =>
  memoPerFile<N, FileContext, T>(compute);

/** Literals and functions: every call's arguments are asked, and these are never a session. */
function isNeverSession(expression: ts.Expression): boolean {
  const inner = unwrap(expression);
  return (
    ts.isStringLiteralLike(inner) ||
    ts.isNumericLiteral(inner) ||
    ts.isTemplateExpression(inner) ||
    ts.isArrayLiteralExpression(inner) ||
    ts.isObjectLiteralExpression(inner) ||
    isFunctionLike(inner) ||
    inner.kind === ts.SyntaxKind.TrueKeyword ||
    inner.kind === ts.SyntaxKind.FalseKeyword ||
    inner.kind === ts.SyntaxKind.NullKeyword
  );
}

export const sessionObjectOf = remembered((expression: ts.Expression, file: FileContext): SessionObject | undefined =>
  isNeverSession(expression)
    ? undefined
    : (first(file, 'sessionObject', (model) => model.sessionObject?.(expression, file)) ??
      presentedSessionObject(expression, file)),
);

/** Most nodes write nothing: one shared empty answer instead of an array per node. */
const NO_WRITES: readonly SessionWrite[] = Object.freeze([]);

export const sessionWritesAt = remembered((node: ts.Node, file: FileContext): readonly SessionWrite[] => {
  if (ts.isBinaryExpression(node) && !isAssignment(node)) return NO_WRITES;
  const writes = first(file, 'sessionWrites', (model) => {
    const found = model.sessionWrites?.(node, file);
    return found && found.length > 0 ? found : undefined;
  });
  // A hand-rolled store's entry for the id the client presented (sessions by role).
  return writes ?? presentedSessionWrites(node, file) ?? NO_WRITES;
});

/** Asked once per call, by the logout rule: not remembered (a map entry per call would cost more than the answer). */
export function keyRemovalAt(call: ts.CallExpression, file: FileContext): SessionKeyRemoval | undefined {
  return first(file, 'sessionKeyRemoval', (model) => model.sessionKeyRemoval?.(call, file));
}

export const rotationAt = remembered((call: ts.CallExpression, file: FileContext): SessionRotation | undefined =>
  first(file, 'rotation', (model) => model.rotation?.(call, file)),
);

export const invalidationAt = remembered(
  (node: ts.Node, file: FileContext): SessionInvalidation | undefined =>
    first(file, 'invalidation', (model) => model.invalidation?.(node, file)) ??
    presentedSessionInvalidation(node, file),
);

export const loginCallAt = remembered((call: ts.CallExpression, file: FileContext): LoginCall | undefined =>
  first(file, 'loginCall', (model) => model.loginCall?.(call, file)),
);

export const credentialCheckAt = remembered((call: ts.CallExpression, file: FileContext): CredentialCheck | undefined =>
  first(file, 'credentialCheck', (model) => model.credentialCheck?.(call, file)),
);

/**
 * Where a value written into a session comes from, when that is a login: a credential check or token
 * exchange the models recognise, or a token endpoint request, through helpers, awaits and members.
 */
export function loginOriginOf(expression: ts.Expression, file: FileContext): LoginOrigin | undefined {
  return loginOrigin(expression, file, {
    call: (call, at) => credentialCheckAt(call, at as FileContext)?.label,
    verifiedUser: (candidate, at) => verifiedUserOf(candidate, at as FileContext),
  });
}

/**
 * `req.user` in a handler that runs behind a middleware or guard verifying the user
 * (`passport.authenticate('local')` before it in the route, `@UseGuards(AuthGuard('local'))`): the
 * user is a login's result, so writing it (or its id) into the session is a login whatever the key.
 */
export function verifiedUserOf(expression: ts.Expression, file: FileContext): LoginOrigin | undefined {
  const inner = unwrap(expression);
  if (!ts.isPropertyAccessExpression(inner) || inner.name.text !== 'user') return undefined;
  const request = unwrap(inner.expression);
  if (!ts.isIdentifier(request)) return undefined;
  const receiver = receivingFunction(request);
  if (!receiver) return undefined;
  for (const guard of guardsBefore(receiver.fn, file)) {
    const label = first(file, 'verifiesUser', (model) => model.verifiesUser?.(guard, file));
    if (label) return { node: guard, file, label: `the user verified by ${label}` };
  }
  return undefined;
}

/**
 * Whether an expression is the principal the request carries from its session (`req.user` restored by
 * passport's session middleware), in a handler no guard before which sets the user itself
 * (`passport.authenticate('jwt', { session: false })`, `AuthGuard('jwt')`): writing it back into the
 * session is the session's own principal again.
 */
export function sessionPrincipalOf(expression: ts.Expression, file: FileContext): boolean {
  const inner = unwrap(expression);
  if (!ts.isPropertyAccessExpression(inner)) return false;
  if (!first(file, 'sessionPrincipal', (model) => model.sessionPrincipal?.(inner, file))) return false;
  const receiver = receivingFunction(inner);
  if (!receiver) return false;
  return !guardsBefore(receiver.fn, file).some((guard) =>
    first(file, 'setsRequestUser', (model) => model.setsRequestUser?.(guard, file)),
  );
}

/** The library login a function runs inside (a passport strategy's verify callback), if any. */
export function loginStepOf(fn: ts.FunctionLikeDeclaration, file: FileContext): string | undefined {
  return first(file, 'loginStep', (model) => model.loginStep?.(fn, file));
}

/** Model ids that describe a session store (they declare `stateless` either way). */
function isSessionStoreModel(model: Model): boolean {
  return model.stateless !== undefined || model.statelessIn !== undefined;
}

function modelStateless(model: Model, file: FileContext): boolean {
  return model.statelessIn?.(file) ?? model.stateless ?? false;
}

/**
 * Whether the sessions this file deals with have no server-side id (cookie-session, iron-session,
 * @fastify/secure-session, koa-session without a store): fixation by a planted id does not apply.
 * Session libraries the file imports decide; otherwise the ones known for it (declared in its
 * package.json, or used by the files that import it). With no known session library the sessions are
 * taken to be stateful: the rules then say the library is unknown.
 */
export function sessionsAreStateless(file: FileContext): boolean {
  const stores = file.knownModels.filter(isSessionStoreModel);
  const imported = stores.filter((model) => model.packages.some((name) => file.importedModules.has(name)));
  const deciding = imported.length > 0 ? imported : stores;
  return deciding.length > 0 && deciding.every((model) => modelStateless(model, file));
}

/** A package named like a session library fixate does not model (`next-session`, `hono-sessions`, `@types/express-session`). */
const SESSION_PACKAGE_NAME = /session/i;

/**
 * Whether the request's `session` property in this file can only be one the application attaches
 * itself: the package.json in scope declares no session library (none of the session models' packages,
 * and no package named like one), and neither this file nor the files importing it import one. Nothing
 * then keeps that object under an id the client presents, unless the application does so by hand,
 * which the hand-rolled store analysis judges on its own. Without a package.json in scope nothing is
 * known (a library writing into its host's session declares none either), so the answer is no.
 */
export function sessionLibraryAbsent(file: FileContext): boolean {
  const manifest = file.manifest;
  if (!manifest) return false;
  if (file.knownModels.some(isSessionStoreModel)) return false;
  if (Object.keys(manifest.dependencies).some((name) => SESSION_PACKAGE_NAME.test(name))) return false;
  const packageImports = [...file.importedModules].filter((specifier) => !/^[./]/.test(specifier));
  return !packageImports.some((specifier) => SESSION_PACKAGE_NAME.test(specifier));
}

// ---------------------------------------------------------------------------------------------------
// Events that complete a rotation, for the flow analysis.

const MAX_HELPER_DEPTH = 3;

/**
 * A node after whose evaluation the session has a new id: an awaited promise rotation, a synchronous
 * rotation, an awaited `new Promise` whose executor rotates, an awaited library login that rotates,
 * or a call of a local helper that rotates the session of an argument it receives.
 */
export function completesRotation(node: ts.Node, file: FileContext, depth = 0): boolean {
  if (ts.isAwaitExpression(node)) return isRotationPromise(node.expression, file, depth);
  if (ts.isCallExpression(node)) {
    const rotation = rotationAt(node, file);
    if (rotation?.completion === 'sync') return true;
    // A synchronous helper (not async, returns no promise) that rotates synchronously.
    if (!rotation && !isAwaited(node)) {
      const helper = helperOf(node, file);
      if (helper && !isAsyncFunction(helper.fn) && helperRotates(node, helper, depth)) return true;
    }
  }
  return false;
}

/** An expression that, once awaited, has rotated the session. */
export function isRotationPromise(expression: ts.Expression, file: FileContext, depth = 0): boolean {
  const inner = unwrap(expression);
  if (ts.isCallExpression(inner)) {
    const rotation = rotationAt(inner, file);
    if (rotation) return rotation.completion !== 'callback';
    const login = loginCallAt(inner, file);
    if (login) return login.completion === 'promise' && login.verdict.rotates === true;
    const helper = helperOf(inner, file);
    if (helper && helperRotates(inner, helper, depth)) return true;
    return false;
  }
  if (ts.isNewExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === 'Promise') {
    const executor = inner.arguments?.[0];
    const target = executor && functionOf(executor, file);
    return target ? executorRotates(target.fn, target.file) : false;
  }
  return false;
}

/** `new Promise((resolve, reject) => req.session.regenerate((err) => …))`: the executor starts a rotation. */
function executorRotates(executor: ts.FunctionLikeDeclaration, file: FileContext): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node)) {
      const rotation = rotationAt(node, file);
      if (rotation) {
        found = true;
        return;
      }
      const login = loginCallAt(node, file);
      if (login && login.verdict.rotates === true) {
        found = true;
        return;
      }
    }
    if (isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  if (executor.body) ts.forEachChild(executor.body, visit);
  if (executor.body && !ts.isBlock(executor.body)) visit(executor.body);
  return found;
}

function isAwaited(call: ts.CallExpression): boolean {
  let parent = call.parent;
  while (parent && ts.isParenthesizedExpression(parent)) parent = parent.parent;
  return parent !== undefined && ts.isAwaitExpression(parent);
}

// ---------------------------------------------------------------------------------------------------
// Helper summaries.

export interface HelperTarget {
  fn: ts.FunctionLikeDeclaration;
  file: FileContext;
}

/** The local function a call invokes (same file or a local module), when it can be seen. */
export function helperOf(call: ts.CallExpression, file: FileContext): HelperTarget | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isIdentifier(callee)) return undefined;
  return functionOf(callee, file);
}

export interface HelperSummary {
  /** Parameter indices whose session is rotated when the helper returns (or its promise settles). */
  rotates: Map<number, ts.Node>;
  /** Parameter indices of callbacks the helper invokes only inside a rotation's callback. */
  callsAfterRotation: Map<number, ts.Node>;
  /**
   * Identity-carrying writes `p.key = …` into a parameter, for callers passing a session object. With
   * `property`, the session is a member destructured from an options parameter
   * (`({ session, user }) => { session.key = … }`): the caller passes it inside an object.
   */
  writesIntoParameter: Map<number, { node: ts.Node; key: string; property?: string }[]>;
}

const summaries = new WeakMap<ts.Node, HelperSummary>();
const inProgress = new WeakSet<ts.Node>();

export function summarize(helper: HelperTarget, depth = 0): HelperSummary {
  const cached = summaries.get(helper.fn);
  if (cached) return cached;
  const empty: HelperSummary = { rotates: new Map(), callsAfterRotation: new Map(), writesIntoParameter: new Map() };
  if (depth > MAX_HELPER_DEPTH || inProgress.has(helper.fn) || !helper.fn.body) return empty;
  inProgress.add(helper.fn);
  try {
    const summary = computeSummary(helper, depth);
    summaries.set(helper.fn, summary);
    return summary;
  } finally {
    inProgress.delete(helper.fn);
  }
}

function parameterIndexOfRoot(expression: ts.Expression, fn: ts.FunctionLikeDeclaration): number | undefined {
  let root = unwrap(expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
  if (!ts.isIdentifier(root)) return undefined;
  const declaration = findDeclaration(root);
  if (!declaration || !ts.isParameter(declaration) || declaration.parent !== fn) return undefined;
  return fn.parameters.indexOf(declaration);
}

/**
 * The parameter an object written into comes from: the parameter itself (`p`) or a member destructured
 * from an options parameter (`{ session }`, `{ session: s }`). `opts.session.key = …` is not among them:
 * it reads like `req.session.key`, and the write is judged where it is, as a helper receiving the request.
 */
function writtenParameter(
  object: ts.Expression,
  fn: ts.FunctionLikeDeclaration,
): { index: number; property?: string } | undefined {
  if (!ts.isIdentifier(object)) return undefined;
  const declaration = findDeclaration(object);
  if (!declaration) return undefined;
  if (ts.isParameter(declaration)) {
    return declaration.parent === fn && ts.isIdentifier(declaration.name)
      ? { index: fn.parameters.indexOf(declaration) }
      : undefined;
  }
  if (!ts.isBindingElement(declaration) || declaration.dotDotDotToken) return undefined;
  const pattern = declaration.parent;
  const parameter = pattern.parent;
  if (!ts.isObjectBindingPattern(pattern) || !ts.isParameter(parameter) || parameter.parent !== fn) return undefined;
  const property = declaration.propertyName ?? declaration.name;
  if (!ts.isIdentifier(property) && !ts.isStringLiteral(property)) return undefined;
  return { index: fn.parameters.indexOf(parameter), property: property.text };
}

function computeSummary(helper: HelperTarget, depth: number): HelperSummary {
  const { fn, file } = helper;
  const summary: HelperSummary = { rotates: new Map(), callsAfterRotation: new Map(), writesIntoParameter: new Map() };
  const rotations: SessionRotation[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const rotation = rotationAt(node, file);
      if (rotation) rotations.push(rotation);
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(node.left);
      if (ts.isPropertyAccessExpression(left) && isIdentityKey(left.name.text, file.identityKeys)) {
        const target = writtenParameter(unwrap(left.expression), fn);
        if (target) {
          const list = summary.writesIntoParameter.get(target.index) ?? [];
          list.push({ node, key: left.name.text, property: target.property });
          summary.writesIntoParameter.set(target.index, list);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);

  const returnsRotation = (expression: ts.Node) =>
    ts.isExpression(expression) && isRotationPromise(expression as ts.Expression, file, depth + 1);
  for (const rotation of rotations) {
    const index = parameterIndexOfRoot(rotation.session.carrier, fn);
    if (index === undefined) continue;
    // Callback rotations: callbacks of the helper invoked inside the rotation callback.
    if (rotation.completion === 'callback' && rotation.callback) {
      for (const [parameterIndex, parameter] of fn.parameters.entries()) {
        if (!ts.isIdentifier(parameter.name) || parameterIndex === index) continue;
        if (invokesInside(rotation.callback, parameter, file))
          summary.callsAfterRotation.set(parameterIndex, rotation.call);
      }
    }
  }
  if (rotations.length > 0 || fn.body) {
    const rotated = happensOnExit(fn, (node) => completesRotation(node, file, depth + 1), returnsRotation);
    if (rotated) {
      for (const rotation of rotations) {
        const index = parameterIndexOfRoot(rotation.session.carrier, fn);
        if (index !== undefined) summary.rotates.set(index, rotation.call);
      }
      // Rotation through a nested helper: `await regenerate(req)` inside this helper.
      if (rotations.length === 0) {
        for (const [index, parameter] of fn.parameters.entries()) {
          if (ts.isIdentifier(parameter.name)) summary.rotates.set(index, parameter);
        }
      }
    }
  }
  return summary;
}

/** Whether `parameter` is called, or passed on as a callback, inside `callback`'s body. */
function invokesInside(callback: ts.Expression, parameter: ts.ParameterDeclaration, file: FileContext): boolean {
  const target = functionOf(callback, file);
  if (!target) {
    // `req.session.regenerate(done)`: the helper's callback is the rotation callback itself.
    const inner = unwrap(callback);
    return ts.isIdentifier(inner) && findDeclaration(inner) === parameter;
  }
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && findDeclaration(node) === parameter) {
      const parent = node.parent;
      if (
        (ts.isCallExpression(parent) && (parent.expression === node || parent.arguments.includes(node))) ||
        ts.isReturnStatement(parent)
      ) {
        found = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  if (target.fn.body) visit(target.fn.body);
  return found;
}

function helperRotates(call: ts.CallExpression, helper: HelperTarget, depth: number): boolean {
  if (depth > MAX_HELPER_DEPTH) return false;
  const summary = summarize(helper, depth + 1);
  for (const index of summary.rotates.keys()) if (index < call.arguments.length) return true;
  return false;
}

/** The rotation evidence node of a helper call that rotates (for related locations), if any. */
export function helperRotationEvidence(call: ts.CallExpression, file: FileContext): ts.Node | undefined {
  const helper = helperOf(call, file);
  if (!helper) return undefined;
  const summary = summarize(helper);
  for (const [index, node] of summary.rotates) if (index < call.arguments.length) return node;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Logouts.

/** Route paths of logout endpoints: /logout, /log-out, /signout, /sign_out, /logoff, /auth/logout. */
export const LOGOUT_PATH = /(log|sign)[-_]?(out|off)(?![a-z])/i;

/**
 * Own names of logout handlers, lower-cased without `_`/`-`: `logout`, `logOut`, `signOut`, `log_off`,
 * `handleLogout`, `logoutUser`. Not `signOff` (an approval's sign-off), nor hooks and steps around a
 * logout (`onLogout`, `afterLogout`, `logoutCallback`, `logoutUrl`).
 */
const LOGOUT_NAME = /^(handle|do|process|perform|post|get|api)?(log(out|off)|signout)(handler|route|action|user)?$/;

/**
 * The name node of a function named for a logout (`async logout(req, res)`, `exports.signOut = (req, res)
 * => …`, `logout = async (ctx) => …`). Such a request handler is the logout whatever path it is mounted
 * at: a controller registered at `'/'` and mounted at `/logout` by another module
 * (`app.use('/logout', controller.router)`) is still the logout. See `receivesRequest`.
 */
export function logoutName(fn: ts.FunctionLikeDeclaration): ts.Node | undefined {
  const name = ownName(fn);
  return name && LOGOUT_NAME.test(propertyNameText(name)?.toLowerCase().replace(/[-_]/g, '') ?? '') ? name : undefined;
}

/** A request handler's parameters: the request and the response, or a Koa context. */
export function receivesRequest(fn: ts.FunctionLikeDeclaration): boolean {
  const [first, second] = fn.parameters.map((parameter) => parameter.name);
  if (!first || !ts.isIdentifier(first)) return false;
  if (isCarrier(first, KOA_CONTEXT)) return true;
  return (
    isCarrier(first, EXPRESS_REQUEST) &&
    second !== undefined &&
    ts.isIdentifier(second) &&
    isCarrier(second, EXPRESS_RESPONSE)
  );
}

/**
 * Whether `fn` is a logout handler: registered on a logout route, or calling a library logout
 * (`req.logout()`), and verifying no credentials. An identity write there (a branch that re-asserts
 * `authenticated` instead of ending the session) belongs to a logout that keeps the session, which
 * session-not-invalidated-on-logout judges; it is not a login.
 */
const logoutHandlers = new WeakMap<ts.FunctionLikeDeclaration, Map<string | undefined, boolean>>();

export function isLogoutHandler(
  fn: ts.FunctionLikeDeclaration,
  routePath: string | undefined,
  file: FileContext,
): boolean {
  // Asked for every identity write and every caller judged in a function: walk its body once.
  return cachedVerdict(logoutHandlers, fn, routePath, () => logoutHandlerUncached(fn, routePath, file));
}

function logoutHandlerUncached(
  fn: ts.FunctionLikeDeclaration,
  routePath: string | undefined,
  file: FileContext,
): boolean {
  let logout = routePath !== undefined && LOGOUT_PATH.test(routePath);
  let credentials = false;
  const visit = (node: ts.Node): void => {
    if (credentials) return;
    if (ts.isCallExpression(node)) {
      if (credentialCheckAt(node, file)) credentials = true;
      if (!logout && file.models.some((model) => model.logoutCall?.(node, file))) logout = true;
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return logout && !credentials;
}
