import { ts } from 'ts-morph';
import { receivingFunction } from '../analysis/handlers.js';
import { findDeclaration } from '../analysis/scope.js';
import { accessedName, isFunctionLike, memberPath, stringValue, unwrap } from '../analysis/syntax.js';
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
    if (!ts.isIdentifier(request) || !receivingFunction(request)) return undefined;
    const verdict = verdictOf(file);
    const callback = callbackArgument(call, file);
    const throwsWithoutCallback = callbackWhenItEnds && verdict.rotates === true && !callback;
    return { model, call, verdict, callback, ...(throwsWithoutCallback ? { throwsWithoutCallback } : {}) };
  };
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
 * `getIronSession(...)` returned or on `req.session`. The cookie is then rewritten empty.
 */
export function statelessInvalidation(
  model: string,
  shape: { nullAssign?: boolean; methods?: string[]; factory?: { module: string; names: string[] } },
) {
  const find = propertySession(model, 'session');
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

// ---------------------------------------------------------------------------------------------------
// Hand-rolled session stores, as far as a logout needs them.
//
// A deliberately small recogniser (the general "session by issue / bind / resolve" concept belongs to
// session-id.ts): a collection or table is a hand-rolled session store when one function issues a
// cookie and keys an entry of it by the cookie's value (`sessions.set(sid, …)`, `store[sid] = …`,
// `db.session.create({ data: { token, … } })`), and the file reads it back by key somewhere
// (`sessions.get(x)`, `has`, `store[x]`, `findUnique`, …). A logout ends such a session by deleting the
// entry keyed by the request's credential.

export interface HandRolledStore {
  /** The collection or table as written: `sessions`, `prisma.session`, `Session`. */
  path: string[];
  /** The declaration of the root identifier (`sessions` in `sessions.set`), to tell same-named values apart. */
  root: ts.Node;
  /** Whether it is a keyed collection (`Map`, object): entries are deleted with `delete` / `.delete(key)`. */
  collection: boolean;
  /** The cookie that carries the key, when its name is static. */
  cookieName?: string;
  /** Where the entry is bound to the issued value. */
  bind: ts.Node;
}

export interface StoreDeletion {
  store?: HandRolledStore;
  node: ts.Node;
}

const COLLECTION_BINDS = new Set(['set']);
const TABLE_BINDS = new Set(['create', 'insert', 'insertOne', 'put', 'save', 'upsert', 'add']);
const COLLECTION_READS = new Set(['get', 'has']);
const TABLE_READS =
  /^(find|findOne|findUnique|findFirst|findById|findByPk|get|getItem|load|query|select|where)$|^find(One|Unique|First)?(OrThrow)?$/;
const DELETIONS = new Set([
  'delete',
  'del',
  'deleteOne',
  'deleteMany',
  'destroy',
  'remove',
  'findByIdAndDelete',
  'findOneAndDelete',
  'findByIdAndRemove',
  'findOneAndRemove',
]);

const storesByFile = new WeakMap<ts.SourceFile, HandRolledStore[]>();

/** The hand-rolled session stores this file keeps (computed once per file). */
export function handRolledStores(file: FileContext): HandRolledStore[] {
  const cached = storesByFile.get(file.sourceFile);
  if (cached) return cached;
  const issued: { value: ts.Expression; name?: string; fn: ts.Node }[] = [];
  const keyed: { path: string[]; root: ts.Node; collection: boolean; key: ts.Node; node: ts.Node }[] = [];
  const reads: { path: string[]; root: ts.Node }[] = [];
  const visit = (node: ts.Node): void => {
    for (const model of file.models) {
      for (const write of model.cookieWrites?.(node, file) ?? []) {
        const fn = enclosingFunctionOf(node);
        if (fn && write.value.file === file)
          issued.push({ value: write.value.node as ts.Expression, name: write.name, fn });
      }
    }
    const entry = storeAccess(node);
    if (entry?.kind === 'bind') keyed.push(entry);
    if (entry?.kind === 'read') reads.push(entry);
    ts.forEachChild(node, visit);
  };
  visit(file.sourceFile);
  const stores: HandRolledStore[] = [];
  for (const bind of keyed) {
    const cookie = issued.find((issue) => within(bind.node, issue.fn) && sameValue(issue.value, bind.key));
    if (!cookie) continue;
    if (!reads.some((read) => read.root === bind.root && read.path.join('.') === bind.path.join('.'))) continue;
    if (stores.some((store) => store.root === bind.root && store.path.join('.') === bind.path.join('.'))) continue;
    stores.push({
      path: bind.path,
      root: bind.root,
      collection: bind.collection,
      cookieName: cookie.name,
      bind: bind.node,
    });
  }
  storesByFile.set(file.sourceFile, stores);
  return stores;
}

/**
 * A deletion that ends a hand-rolled session: `sessions.delete(key)`, `delete sessions[key]`,
 * `sessions.clear()`, `prisma.session.delete({ where: { token } })`, `Session.findByIdAndDelete(id)` on
 * a store of this file, keyed by a value that comes from the request (its cookie, a field a middleware
 * set on it, a record looked up with it). A deletion keyed by the request's cookie counts without a
 * store in this file (the store is kept elsewhere).
 */
export function storeDeletionAt(node: ts.Node, file: FileContext): StoreDeletion | undefined {
  let target: ts.Expression | undefined;
  let keys: ts.Expression[] = [];
  let method: string | undefined;
  if (ts.isDeleteExpression(node)) {
    const operand = unwrap(node.expression);
    if (!ts.isElementAccessExpression(operand)) return undefined;
    target = operand.expression;
    keys = [operand.argumentExpression];
  } else if (ts.isCallExpression(node)) {
    const callee = unwrap(node.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    method = callee.name.text;
    if (!DELETIONS.has(method) && method !== 'clear') return undefined;
    target = callee.expression;
    keys = [...node.arguments];
  }
  if (!target) return undefined;
  const store = storeOf(target, file);
  if (store) {
    if (method === 'clear' && store.collection && keys.length === 0) return { store, node };
    if (method !== 'clear' && keys.some((key) => fromRequest(key, 0))) return { store, node };
    return undefined;
  }
  if (method === undefined || method === 'clear' || method === 'destroy') return undefined;
  return keys.some((key) => fromRequestCookie(key, file, 0)) ? { node } : undefined;
}

/** `sessions.delete(req.cookies.sid);` for a keyed collection whose cookie name is known. */
export function storeDeletionFix(store: HandRolledStore, carrier: string): string | undefined {
  if (!store.collection || !store.cookieName) return undefined;
  const name = store.cookieName;
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
  return `${store.path.join('.')}.delete(${carrier}.cookies${key});`;
}

function storeOf(target: ts.Expression, file: FileContext): HandRolledStore | undefined {
  const path = memberPath(target);
  const root = path && rootDeclaration(target);
  if (!path || !root) return undefined;
  return handRolledStores(file).find((store) => store.root === root && store.path.join('.') === path.join('.'));
}

type StoreAccess = {
  kind: 'bind' | 'read';
  path: string[];
  root: ts.Node;
  collection: boolean;
  key: ts.Node;
  node: ts.Node;
};

/** `M.set(k, v)`, `M[k] = v`, `T.create({ … k … })` (binds) and `M.get(k)`, `M[k]`, `T.findUnique(…)` (reads). */
function storeAccess(node: ts.Node): StoreAccess | undefined {
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = unwrap(node.left);
    if (!ts.isElementAccessExpression(left)) return undefined;
    const located = locate(left.expression);
    return located && { kind: 'bind', ...located, collection: true, key: left.argumentExpression, node };
  }
  if (
    ts.isElementAccessExpression(node) &&
    !isAssignedTo(node) &&
    !ts.isStringLiteralLike(unwrap(node.argumentExpression))
  ) {
    const located = locate(node.expression);
    return located && { kind: 'read', ...located, collection: true, key: node.argumentExpression, node };
  }
  if (!ts.isCallExpression(node)) return undefined;
  const callee = unwrap(node.expression);
  if (!ts.isPropertyAccessExpression(callee) || node.arguments.length === 0) return undefined;
  const method = callee.name.text;
  const located = locate(callee.expression);
  if (!located) return undefined;
  if (COLLECTION_BINDS.has(method) && node.arguments.length >= 2)
    return { kind: 'bind', ...located, collection: true, key: node.arguments[0], node };
  if (TABLE_BINDS.has(method)) return { kind: 'bind', ...located, collection: false, key: node.arguments[0], node };
  if (COLLECTION_READS.has(method) || TABLE_READS.test(method))
    return { kind: 'read', ...located, collection: COLLECTION_READS.has(method), key: node.arguments[0], node };
  return undefined;
}

function locate(expression: ts.Expression): { path: string[]; root: ts.Node } | undefined {
  const path = memberPath(expression);
  const root = path && rootDeclaration(expression);
  // A value the function receives (`req.query`, `res.locals`) is no store of this file.
  if (!path || !root || ts.isParameter(root)) return undefined;
  return { path, root };
}

function rootDeclaration(expression: ts.Expression): ts.Node | undefined {
  let root = unwrap(expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
  return ts.isIdentifier(root) ? findDeclaration(root) : undefined;
}

function isAssignedTo(node: ts.Expression): boolean {
  const parent = node.parent;
  return (
    ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken
  );
}

/** Whether `key` (or, for table binds, a value inside it) is the same variable as the issued value. */
function sameValue(issued: ts.Expression, key: ts.Node): boolean {
  const value = unwrap(issued);
  if (!ts.isIdentifier(value)) return false;
  const declaration = findDeclaration(value);
  if (!declaration) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node.text === value.text && findDeclaration(node) === declaration) {
      found = true;
      return;
    }
    // `{ token }`: the shorthand property's value is the variable.
    if (ts.isShorthandPropertyAssignment(node) && node.name.text === value.text) {
      found = true;
      return;
    }
    if (!isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  visit(key);
  return found;
}

function enclosingFunctionOf(node: ts.Node): ts.Node | undefined {
  let current = node.parent;
  while (current && !isFunctionLike(current)) current = current.parent;
  return current;
}

function within(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

const MAX_KEY_DEPTH = 4;

/**
 * A value that comes from the request a function receives: `req.sid`, `req.cookies.sid`, a variable
 * initialised from one, a record looked up with one (`(await Session.findOne({ token })).id`), or an
 * object literal holding one (`{ where: { token } }`).
 */
function fromRequest(expression: ts.Node, depth: number): boolean {
  return derivesFrom(expression, depth, (identifier) => receivingFunction(identifier) !== undefined);
}

/** A value read from a request cookie (`req.cookies.token`, `ctx.cookies.get('token')`), or derived from one. */
function fromRequestCookie(expression: ts.Node, file: FileContext, depth: number): boolean {
  const isCookieRead = (node: ts.Node) =>
    file.models.some((model) => model.requestInput?.(node, file)?.kind === 'cookie');
  return derivesFrom(expression, depth, () => false, isCookieRead);
}

function derivesFrom(
  expression: ts.Node,
  depth: number,
  rootMatches: (identifier: ts.Identifier) => boolean,
  nodeMatches: (node: ts.Node) => boolean = () => false,
): boolean {
  if (depth > MAX_KEY_DEPTH) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionLike(node)) return;
    if (nodeMatches(node)) {
      found = true;
      return;
    }
    const identifier = ts.isShorthandPropertyAssignment(node) ? node.name : ts.isIdentifier(node) ? node : undefined;
    if (identifier && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
      if (rootMatches(identifier)) {
        found = true;
        return;
      }
      const declaration = findDeclaration(identifier);
      const initializer =
        declaration && ts.isVariableDeclaration(declaration)
          ? declaration.initializer
          : declaration && ts.isBindingElement(declaration)
            ? (declaration.parent.parent as ts.VariableDeclaration).initializer
            : undefined;
      if (initializer && derivesFrom(initializer, depth + 1, rootMatches, nodeMatches)) {
        found = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}
