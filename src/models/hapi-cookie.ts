import { ts } from '#typescript';
import { accessedName, isPropertyAccessLike, unwrap } from '../analysis/syntax.js';
import { staticValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import { statelessInvalidation } from './session-logout.js';
import { sessionLibraryModel } from './session-options.js';

/** `request.cookieAuth.clear()`; with a key (`clear('cart')`) it only drops that key. */
const clearSealedCookie = statelessInvalidation('@hapi/cookie', { property: 'cookieAuth', methods: ['clear'] });

/**
 * @hapi/cookie (formerly hapi-auth-cookie): hapi's cookie-auth scheme. The session lives in a cookie
 * sealed with Iron under `password`; the scheme is registered as a plugin (often in a glue manifest,
 * by package name only) and configured with `server.auth.strategy(name, 'cookie', options)`, so the
 * strategy call is the evidence, whatever the file imports.
 *
 * Two option shapes: @hapi/cookie and hapi-auth-cookie ≥ 10 nest the cookie settings
 * (`{ cookie: { name, password, isSecure, isHttpOnly, isSameSite } }`); older hapi-auth-cookie keeps
 * them at the top (`{ password, cookie: 'sid', isSecure }`). `isSecure` and `isHttpOnly` default to
 * true in both. hapi ≤ 16 also accepts a mode between scheme and options
 * (`strategy('session', 'cookie', 'required', { … })`).
 *
 * The configuration and the logout are modelled. `request.cookieAuth.clear()` ends the session (the
 * sealed cookie is all there is of it). `request.cookieAuth.set(session)` replaces the whole sealed
 * cookie, so a login through it cannot keep a planted session, and a client cannot forge what the
 * seal covers: the library has no fixation of its own to report.
 */
export const hapiCookie = sessionLibraryModel(
  {
    id: '@hapi/cookie',
    packages: ['@hapi/cookie', 'hapi-auth-cookie'],
    keywords: ['cookie'],
    stateless: true,
    optionsArgument: cookieStrategyOptions,
    cookieProperty: 'cookie',
    flatWhenCookieIsNotAnObject: true,
    flagNames: { secure: 'isSecure', httpOnly: 'isHttpOnly', sameSite: 'isSameSite' },
    defaults: { secure: 'secure', httpOnly: true },
    secretPaths: [['cookie', 'password'], ['password']],
    cookieNamePaths: [['cookie', 'name'], ['cookie']],
    cookieNameDefault: 'sid',
  },
  {
    invalidation(node, file) {
      return ts.isCallExpression(node) && node.arguments.length === 0 ? clearSealedCookie(node, file) : undefined;
    },
  },
);

/** The options of `<server>.auth.strategy(name, 'cookie', [mode,] options)`. */
function cookieStrategyOptions(call: ts.CallExpression, file: FileContext): ts.Expression | undefined {
  const callee = unwrap(call.expression);
  if (!isPropertyAccessLike(callee) || accessedName(callee) !== 'strategy') return undefined;
  if (accessedName(unwrap(callee.expression)) !== 'auth') return undefined;
  const scheme = call.arguments[1];
  const schemeName = scheme && staticValue(scheme, file);
  if (schemeName?.kind !== 'string' || schemeName.value !== 'cookie') return undefined;
  // The mode (`'required'`, `true`) is a string or a boolean; the options are anything else.
  const options = call.arguments.slice(2).find((argument) => {
    const kind = staticValue(argument, file)?.kind;
    return kind !== 'string' && kind !== 'boolean';
  });
  return options && unwrap(options);
}
