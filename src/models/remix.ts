import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { unwrap } from '../analysis/syntax.js';
import { staticValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import type { Model } from './model.js';
import { SESSION_COOKIE_NAME } from './session-id-concepts.js';
import { namesModule, sessionLibraryModel } from './session-options.js';

/**
 * The packages that export Remix's session API (React Router v7 took it over unchanged): the runtime
 * adapters, the old `remix` magic package, and the hosts' re-exports.
 */
const REMIX_RUNTIMES = [
  '@remix-run/node',
  '@remix-run/cloudflare',
  '@remix-run/deno',
  '@remix-run/server-runtime',
  '@remix-run/architect',
  '@vercel/remix',
  'remix',
  'react-router',
  '@react-router/node',
  '@react-router/cloudflare',
  '@react-router/architect',
];

/** Storages that keep only an id in the cookie and the data on the server (memory, files, KV, a DynamoDB table via Architect, or your own `createData`). */
const ID_STORAGES = [
  'createSessionStorage',
  'createMemorySessionStorage',
  'createFileSessionStorage',
  'createWorkersKVSessionStorage',
  'createArcTableSessionStorage',
];

/** A call of one of the runtimes' named exports: which one, or undefined. */
function remixExportCalled(call: ts.CallExpression, file: FileContext, names: readonly string[]): string | undefined {
  if (!namesModule(file, REMIX_RUNTIMES)) return undefined;
  const reference = moduleReferenceOf(call.expression);
  if (!reference) return undefined;
  return names.find((name) => REMIX_RUNTIMES.some((module) => refersTo(reference, module, name)));
}

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
 * Remix and React Router v7 sessions: the storage factories' cookie options and secrets. Which
 * storage a `getSession()` came from is not followed yet, so logins and logouts through these
 * sessions are not judged (see the rules' READMEs).
 */
export const remix: Model = {
  id: 'remix',
  packages: REMIX_RUNTIMES,
  // Not the package names: every React front-end file imports react-router. The session API's own
  // names are enough (`createCookie…`, `…SessionStorage`).
  keywords: ['createcookie', 'session'],
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
