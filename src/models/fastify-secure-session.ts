import { responseCookieClearing, statelessInvalidation } from './session-logout.js';
import { registeredPluginOptions, sessionLibraryModel } from './session-options.js';

/**
 * @fastify/secure-session: the session is sealed into the cookie (no server-side id). It takes a
 * `key` or a `secret` + `salt`; cookie flags come from @fastify/cookie and default to unset, so only
 * explicit weakening is reported.
 */
export const fastifySecureSession = sessionLibraryModel(
  {
    id: '@fastify/secure-session',
    packages: ['@fastify/secure-session', 'fastify-secure-session'],
    keywords: ['session'],
    stateless: true,
    optionsArgument: registeredPluginOptions(['@fastify/secure-session', 'fastify-secure-session']),
    cookieProperty: 'cookie',
    defaults: { secure: 'auto', httpOnly: true },
    secretPaths: [['secret'], ['key']],
    cookieNamePaths: [['cookieName']],
    cookieNameDefault: 'session',
  },
  {
    invalidation: statelessInvalidation('@fastify/secure-session', { methods: ['delete'] }),
    cookieClearing: responseCookieClearing('@fastify/secure-session'),
  },
);
