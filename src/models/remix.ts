import { ts } from '#typescript';
import { findDeclaration } from '../analysis/scope.js';
import { unwrap } from '../analysis/syntax.js';
import { possibleStrings, staticValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import type { Model } from './model.js';
import { ID_STORAGES, REMIX_RUNTIMES, remixExportCalled, storageKindOf, storageMethodOf } from './remix-storages.js';
import { SESSION_COOKIE_NAME } from './session-id-concepts.js';
import { type GetterContext, getterCallSession } from './session-getters.js';
import type { SessionInvalidation, SessionKeyRemoval, SessionObject, SessionWrite } from './session-lifecycle.js';
import { sessionLibraryModel } from './session-options.js';

/**
 * Remix's cookie flags are the `cookie` package's: a cookie made by `createCookie` has `path: '/'`
 * (and, from Remix 2, `sameSite: 'lax'`) but neither `secure` nor `httpOnly` unless the options say so.
 * `secrets` sign the cookie; for `createCookieSessionStorage` the signed cookie is the whole session.
 */
const REMIX_COOKIE_DEFAULTS = { secure: 'insecure', httpOnly: false } as const;

const storageSpec = {
  packages: REMIX_RUNTIMES,
  keywords: ['createcookie', 'session'],
  cookieProperty: 'cookie',
  defaults: REMIX_COOKIE_DEFAULTS,
  secretPaths: [['cookie', 'secrets']],
  keyLists: ['cookie.secrets'],
  cookieNamePaths: [['cookie', 'name']],
  cookieNameDefault: '__session',
};

/** `createCookieSessionStorage({ cookie })`: the session data is sealed into the cookie itself. */
const cookieStorage = sessionLibraryModel({
  ...storageSpec,
  id: 'remix',
  stateless: true,
  optionsArgument: (call, file) =>
    remixExportCalled(call, file, ['createCookieSessionStorage']) ? call.arguments[0] : undefined,
});

/** `createSessionStorage({ cookie, createData, … })` and the built-in id storages. */
const idStorage = sessionLibraryModel({
  ...storageSpec,
  id: 'remix',
  stateless: false,
  optionsArgument: (call, file) => (remixExportCalled(call, file, ID_STORAGES) ? call.arguments[0] : undefined),
});

/**
 * `createCookie(name, options)`, when the cookie carries a session: its name says so (`__session`,
 * `sid`, `auth`), or this file hands it to a session storage as `cookie`. Other cookies (a theme, a
 * banner dismissed) are left alone.
 */
const sessionCookie = sessionLibraryModel({
  ...storageSpec,
  id: 'remix',
  stateless: false,
  cookieProperty: undefined,
  secretPaths: [['secrets']],
  keyLists: ['secrets'],
  cookieNamePaths: [],
  optionsArgument: (call, file) => {
    if (!remixExportCalled(call, file, ['createCookie'])) return undefined;
    const name = call.arguments[0] && staticValue(call.arguments[0], file);
    const named = name?.kind === 'string' && (SESSION_COOKIE_NAME.test(name.value) || /auth/i.test(name.value));
    return named || handedToStorage(call, file) ? (call.arguments[1] ?? undefined) : undefined;
  },
});

/** `const c = createCookie(…)` with `cookie: c` (or `{ cookie }`) in the same file. */
function handedToStorage(call: ts.CallExpression, file: FileContext): boolean {
  const name = boundName(call);
  if (name === undefined) return false;
  const escaped = name.replace(/\$/g, '\\$');
  const asCookie = new RegExp(`\\bcookie\\s*:\\s*${escaped}\\b${name === 'cookie' ? '|[{,]\\s*cookie\\s*[,}]' : ''}`);
  return asCookie.test(file.text);
}

/**
 * Remix and React Router v7 sessions: the storage factories' cookie options and secrets, and the
 * lifecycle of the sessions an id storage keeps on the server (see `presentedSession`): a login that
 * writes into the session the browser presented keeps its id, a logout that only unsets the user
 * leaves it valid, `destroySession` ends it. Cookie storages have no id: their sessions are not
 * reported as sessions at all, so clearing the user there is the logout and a login fixes nothing.
 */
export const remix: Model = {
  id: 'remix',
  packages: REMIX_RUNTIMES,
  // Not the package names: every React front-end file imports react-router. The session API's own
  // names are enough (`createCookie…`, `…SessionStorage`).
  keywords: ['createcookie', 'session'],
  sessionObject: (expression, file) => presentedSession(expression, file),
  sessionWrites: sessionSetWrites,
  sessionKeyRemoval: unsetKeys,
  invalidation: destroyedSession,
  sessionOptions(call, file) {
    const callee = unwrap(call.expression);
    if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return undefined;
    const site =
      cookieStorage.sessionOptions?.(call, file) ??
      idStorage.sessionOptions?.(call, file) ??
      withCookieName(sessionCookie.sessionOptions?.(call, file), call, file);
    return site && !holdsDisplayState(site.cookieName, call) ? site : undefined;
  },
};

/**
 * Remix apps keep display state in session storages of their own (`themeStorage` with a
 * `my_remix_theme` cookie, a `__message` toast storage, a flash storage): a forged or stolen theme or
 * toast cookie logs nobody in, so their secrets and flags are not the session's. Judged by the
 * cookie's name and the name the storage is bound to.
 */
const DISPLAY_STATE =
  /theme|toast|flash|message|notification|pref(erence)?s?\b|colou?r|locale|language|banner|consent/i;

function holdsDisplayState(cookieName: string, call: ts.CallExpression): boolean {
  const name = boundName(call);
  return DISPLAY_STATE.test(cookieName) || (name !== undefined && DISPLAY_STATE.test(name));
}

/** The variable a call's result is declared as (`const themeStorage = create…(…)`). */
function boundName(call: ts.CallExpression): string | undefined {
  let holder: ts.Node = call;
  while (ts.isParenthesizedExpression(holder.parent) || ts.isAsExpression(holder.parent)) holder = holder.parent;
  const declaration = holder.parent;
  return ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) ? declaration.name.text : undefined;
}

/** `createCookie`'s name is its first argument, not an option. */
function withCookieName<T extends { cookieName: string }>(
  site: T | undefined,
  call: ts.CallExpression,
  file: FileContext,
): T | undefined {
  if (!site) return undefined;
  const name = call.arguments[0] && staticValue(call.arguments[0], file);
  return name?.kind === 'string' ? { ...site, cookieName: name.value } : site;
}

// ---------------------------------------------------------------------------------------------------
// Session lifecycle of the id storages.

/**
 * A session loaded from the id the browser sent: `await getSession(request.headers.get('Cookie'))` on
 * an id storage (memory, file, KV, Architect table, `createSessionStorage`), found by following the
 * method to the factory that made its storage (`remix-storages.ts`), or a getter of the application
 * returning one (`getUserSession(request)`, see session-getters.ts). `commitSession` keeps that id
 * (`updateData`); only a session without one (`getSession()` with no cookie) gets a fresh id from
 * `createData`. So such a session is the one a planted id names. The carrier is what the cookie
 * header is read from (`request`), for the rules to find the function that receives it.
 */
function presentedSession(expression: ts.Expression, file: FileContext): SessionObject | undefined {
  const inner = unwrap(expression);
  if (ts.isAwaitExpression(inner) || ts.isCallExpression(inner)) return sessionFrom(inner, inner, file);
  if (!ts.isIdentifier(inner)) return undefined;
  const declaration = findDeclaration(inner);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  return ts.isIdentifier(declaration.name) ? sessionFrom(inner, unwrap(declaration.initializer), file) : undefined;
}

const getters: GetterContext = { find: presentedSession, getters: new WeakMap(), destructuredRequests: true };

function sessionFrom(expression: ts.Expression, value: ts.Expression, file: FileContext): SessionObject | undefined {
  const awaited = ts.isAwaitExpression(value);
  const call = awaited ? unwrap(value.expression) : value;
  if (!ts.isCallExpression(call)) return undefined;
  if (storageMethodOf(call.expression) === 'getSession') {
    const kind = storageKindOf(call.expression, file);
    if (kind === 'cookie') return undefined;
    if (kind === 'id') {
      const cookie = call.arguments[0];
      // `getSession()` (or of `null`): a new session, which commitSession gives a fresh id.
      if (!cookie || isNullish(cookie, file)) return undefined;
      return { model: 'remix', expression, carrier: requestRoot(cookie), through: call };
    }
  }
  // A getter of the application (`await getUserSession(request)`) only matters in a project that
  // uses Remix or React Router: elsewhere its callee is not resolved for this model.
  return file.knownModels.includes(remix) ? getterCallSession(call, awaited, expression, file, getters) : undefined;
}

function isNullish(expression: ts.Expression, file: FileContext): boolean {
  const value = staticValue(expression, file);
  return value?.kind === 'null' || value?.kind === 'undefined';
}

/**
 * What the cookie header is read from: `request` of `request.headers.get('Cookie')`, also through
 * locals (`const cookie = request.headers.get('Cookie')`).
 */
function requestRoot(expression: ts.Expression, depth = 0): ts.Expression {
  let root = unwrap(expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isCallExpression(root))
    root = unwrap(root.expression);
  if (!ts.isIdentifier(root) || depth >= 3) return root;
  const declaration = findDeclaration(root);
  return declaration && ts.isVariableDeclaration(declaration) && declaration.initializer
    ? requestRoot(declaration.initializer, depth + 1)
    : root;
}

/** `session.set(key, value)` on a presented session. `flash` carries one-time messages, not identity. */
function sessionSetWrites(node: ts.Node, file: FileContext): SessionWrite[] | undefined {
  const session = ts.isCallExpression(node) ? methodSession(node, 'set', file) : undefined;
  if (!session) return undefined;
  const paths = possibleStrings((node as ts.CallExpression).arguments[0], file).map((key) => [key]);
  return [{ model: 'remix', node, session, paths, kind: 'set' }];
}

/** `session.unset(key)` on a presented session: what a logout that keeps the session does. */
function unsetKeys(call: ts.CallExpression, file: FileContext): SessionKeyRemoval | undefined {
  const session = methodSession(call, 'unset', file);
  return session && { model: 'remix', call, session, keys: possibleStrings(call.arguments[0], file) };
}

/** The presented session of `session.<method>(key, …)`. */
function methodSession(call: ts.CallExpression, method: string, file: FileContext): SessionObject | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== method || call.arguments.length === 0)
    return undefined;
  return presentedSession(callee.expression, file);
}

/**
 * `destroySession(session)`: the storage deletes the data under the session's id (`deleteData`) and
 * expires the cookie. Counted when the session is a presented one or the storage can be followed.
 */
function destroyedSession(node: ts.Node, file: FileContext): SessionInvalidation | undefined {
  if (!ts.isCallExpression(node) || node.arguments.length === 0) return undefined;
  if (storageMethodOf(node.expression) !== 'destroySession') return undefined;
  const session = presentedSession(node.arguments[0], file);
  if (!session && storageKindOf(node.expression, file) === undefined) return undefined;
  return { model: 'remix', node, session, kind: 'destroy' };
}
