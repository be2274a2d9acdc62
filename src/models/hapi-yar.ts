import { ts } from '#typescript';
import { accessedName, unwrap } from '../analysis/syntax.js';
import { objectView } from '../analysis/values.js';
import {
  methodRotation,
  propertySession,
  sessionMethodCall,
  sessionText,
  sessionWritesWith,
} from './session-access.js';
import { isModule, sessionLibraryModel } from './session-options.js';
import { responseCookieClearing } from './session-logout.js';
import { hapiYarSessionIdHooks } from './session-id-libraries.js';

const findSession = propertySession('@hapi/yar', 'yar');

/**
 * @hapi/yar: registered as `server.register({ plugin: yar, options })`. Cookie flags are spelled
 * `isSecure` / `isHttpOnly` / `isSameSite` inside `cookieOptions`, which also holds the `password`;
 * `isSecure` and `isHttpOnly` default to true.
 *
 * Lifecycle: `request.yar.set('key', v)` / `request.yar.set({ … })` write; `request.yar.reset()`
 * synchronously clears the data and issues a new id (rotation and invalidation at once);
 * `server.yar.revoke(id)` drops a stored session.
 */
export const hapiYar = sessionLibraryModel(
  {
    id: '@hapi/yar',
    packages: ['@hapi/yar', 'yar'],
    keywords: ['yar'],
    stateless: false,
    optionsArgument(call, file) {
      if (accessedName(unwrap(call.expression)) !== 'register') return undefined;
      const first = call.arguments[0] && unwrap(call.arguments[0]);
      const registrations = first && ts.isArrayLiteralExpression(first) ? first.elements : [first];
      for (const registration of registrations) {
        if (!registration) continue;
        const view = objectView(registration, file);
        const plugin = view?.properties.get('plugin');
        if (plugin?.value && isModule(plugin.value, ['@hapi/yar', 'yar']))
          return view?.properties.get('options')?.value;
      }
      return undefined;
    },
    cookieProperty: 'cookieOptions',
    flagNames: { secure: 'isSecure', httpOnly: 'isHttpOnly', sameSite: 'isSameSite' },
    defaults: { secure: 'secure', httpOnly: true },
    secretPaths: [['cookieOptions', 'password']],
    cookieNamePaths: [['name']],
    cookieNameDefault: 'session',
  },
  {
    ...hapiYarSessionIdHooks,
    sessionObject: findSession,
    cookieClearing: responseCookieClearing('@hapi/yar'),
    invalidationFix(context) {
      return { kind: 'statement', text: `${context.carrier}.yar.reset();` };
    },
    sessionWrites: sessionWritesWith('@hapi/yar', findSession, { setMethod: true }),
    rotation: methodRotation('@hapi/yar', findSession, 'reset', 'sync'),
    invalidation(node, file) {
      if (!ts.isCallExpression(node)) return undefined;
      const reset = sessionMethodCall(node, file, findSession, ['reset']);
      if (reset) return { model: '@hapi/yar', node, session: reset, kind: 'reset' };
      const revoke = sessionMethodCall(node, file, findSession, ['revoke']);
      return revoke ? { model: '@hapi/yar', node, kind: 'revoke' } : undefined;
    },
    rotationFix(write, file) {
      const session = sessionText(write.session, 'yar', file);
      return { kind: 'statement', text: `${session}.reset();`, values: { session, access: 'get-set' } };
    },
  },
);
