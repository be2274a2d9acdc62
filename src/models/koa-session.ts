import { directCallOptions, sessionLibraryModel } from './session-options.js';

/**
 * koa-session: a cookie session unless a `store` (or `ContextStore`) is configured, in which case only
 * an external key is in the cookie. Flags sit in the options; `httpOnly` defaults to true and `secure`
 * to the request protocol. Signing uses koa's `app.keys` (see the koa model).
 */
export const koaSession = sessionLibraryModel({
  id: 'koa-session',
  packages: ['koa-session', 'koa-generic-session'],
  keywords: ['session'],
  stateless: false,
  optionsArgument: directCallOptions(['koa-session', 'koa-generic-session']),
  defaults: { secure: 'auto', httpOnly: true },
  secretPaths: [],
  cookieNameOption: 'key',
  cookieNameDefault: 'koa.sess',
});
