import { ts } from '#typescript';
import {
  methodRotation,
  propertySession,
  sessionMethodCall,
  sessionText,
  sessionWritesWith,
} from './session-access.js';
import { registeredPluginOptions, sessionLibraryModel } from './session-options.js';
import { responseCookieClearing } from './session-logout.js';
import { fastifySessionIdHooks } from './session-id-libraries.js';

const findSession = propertySession('@fastify/session', 'session');

/**
 * @fastify/session: server-side store; cookie `sessionId`, `secure: true` and `httpOnly: true` by default.
 *
 * Lifecycle: `await request.session.regenerate()` (or with a callback) issues a new id; values are set
 * with `request.session.key = v` or `request.session.set('key', v)`; `request.session.destroy()` ends it.
 */
export const fastifySession = sessionLibraryModel(
  {
    id: '@fastify/session',
    packages: ['@fastify/session', 'fastify-session'],
    keywords: ['session'],
    stateless: false,
    optionsArgument: registeredPluginOptions(['@fastify/session', 'fastify-session']),
    cookieProperty: 'cookie',
    defaults: { secure: 'secure', httpOnly: true },
    secretPaths: [['secret']],
    cookieNamePaths: [['cookieName']],
    cookieNameDefault: 'sessionId',
  },
  {
    ...fastifySessionIdHooks,
    sessionObject: findSession,
    cookieClearing: responseCookieClearing('@fastify/session'),
    invalidationFix(context) {
      return context.inAsyncFunction
        ? { kind: 'statement', text: `await ${context.carrier}.session.destroy();` }
        : undefined;
    },
    sessionWrites: sessionWritesWith('@fastify/session', findSession, { setMethod: true }),
    rotation: methodRotation('@fastify/session', findSession, 'regenerate', 'promise'),
    invalidation(node, file) {
      if (!ts.isCallExpression(node)) return undefined;
      const session = sessionMethodCall(node, file, findSession, ['destroy']);
      return session ? { model: '@fastify/session', node, session, kind: 'destroy' } : undefined;
    },
    rotationFix(write, file, context) {
      if (!context.inAsyncFunction) return undefined;
      const session = sessionText(write.session, 'session', file);
      return { kind: 'statement', text: `await ${session}.regenerate();`, values: { session, access: 'properties' } };
    },
  },
);
