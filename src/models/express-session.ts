import { ts } from '#typescript';
import { sessionLibraryModel, directCallOptions } from './session-options.js';
import {
  methodRotation,
  promisifiedSessionMethod,
  propertySession,
  sessionMethodCall,
  sessionText,
  sessionWritesWith,
} from './session-access.js';
import { responseCookieClearing } from './session-logout.js';
import { expressSessionIdHooks } from './session-id-libraries.js';

const findSession = propertySession('express-session', 'session');

/**
 * express-session: server-side store keyed by a signed `connect.sid` cookie. Cookie defaults per its
 * README: `httpOnly: true`, `secure: false`, no `sameSite`; `secret` (string or array) signs the id.
 *
 * Lifecycle: `req.session.regenerate(cb)` destroys the old session in the store and puts a new
 * `Session` object (with a new id) on `req` before calling `cb`, so identity must be written inside
 * `cb` (or after awaiting a promisified regenerate). `req.session.destroy(cb)` ends the session (also promisified).
 */
export const expressSession = sessionLibraryModel(
  {
    id: 'express-session',
    packages: ['express-session'],
    keywords: ['session'],
    stateless: false,
    optionsArgument: directCallOptions(['express-session']),
    cookieProperty: 'cookie',
    defaults: { secure: 'insecure', httpOnly: true },
    secretPaths: [['secret']],
    cookieNamePaths: [['name']],
    cookieNameDefault: 'connect.sid',
  },
  {
    ...expressSessionIdHooks,
    sessionObject: findSession,
    cookieClearing: responseCookieClearing('express-session'),
    invalidationFix(context) {
      // In an async handler, await a promisified destroy: a callback cannot hold the `await`s that follow.
      if (context.inAsyncFunction) {
        const typeArgument = context.typescript ? '<void>' : '';
        return {
          kind: 'statement',
          text: `await new Promise${typeArgument}((resolve, reject) => ${context.carrier}.session.destroy((err) => (err ? reject(err) : resolve())));`,
        };
      }
      const prelude = context.response
        ? [`${context.response}.clearCookie('${(context.cookieName ?? 'connect.sid').replace(/[\\']/g, '\\$&')}');`]
        : [];
      return { kind: 'wrap-callback', callee: `${context.carrier}.session.destroy`, prelude };
    },
    sessionWrites: sessionWritesWith('express-session', findSession),
    // regenerate takes a callback and returns nothing: without a callback nothing waits for it.
    rotation: methodRotation('express-session', findSession, 'regenerate', 'callback'),
    invalidation(node, file) {
      if (!ts.isCallExpression(node)) return undefined;
      // `req.session.destroy(cb)`, or `promisify(req.session.destroy.bind(req.session))()` awaited.
      const session =
        sessionMethodCall(node, file, findSession, ['destroy']) ??
        promisifiedSessionMethod(node, file, findSession, 'destroy');
      return session ? { model: 'express-session', node, session, kind: 'destroy' } : undefined;
    },
    rotationFix(write, file, context) {
      const session = sessionText(write.session, 'session', file);
      if (context.inAsyncFunction) {
        const typeArgument = context.typescript ? '<void>' : '';
        return {
          kind: 'statement',
          text: `await new Promise${typeArgument}((resolve, reject) => ${session}.regenerate((err) => (err ? reject(err) : resolve())));`,
          values: { session, access: 'properties' },
        };
      }
      return { kind: 'wrap-callback', callee: `${session}.regenerate`, values: { session, access: 'properties' } };
    },
  },
);
