import { registeredPluginOptions, sessionLibraryModel } from './session-options.js';

/** @fastify/session: server-side store; cookie `sessionId`, `secure: true` and `httpOnly: true` by default. */
export const fastifySession = sessionLibraryModel({
  id: '@fastify/session',
  packages: ['@fastify/session', 'fastify-session'],
  keywords: ['session'],
  stateless: false,
  optionsArgument: registeredPluginOptions(['@fastify/session', 'fastify-session']),
  cookieProperty: 'cookie',
  defaults: { secure: 'secure', httpOnly: true },
  secretPaths: [['secret']],
  cookieNameOption: 'cookieName',
  cookieNameDefault: 'sessionId',
});
