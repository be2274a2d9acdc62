import { ts } from 'ts-morph';
import { accessedName, unwrap } from '../analysis/syntax.js';
import { objectView } from '../analysis/values.js';
import { isModule, sessionLibraryModel } from './session-options.js';

/**
 * @hapi/yar: registered as `server.register({ plugin: yar, options })`. Cookie flags are spelled
 * `isSecure` / `isHttpOnly` / `isSameSite` inside `cookieOptions`, which also holds the `password`;
 * `isSecure` and `isHttpOnly` default to true.
 */
export const hapiYar = sessionLibraryModel({
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
      if (plugin?.value && isModule(plugin.value, ['@hapi/yar', 'yar'])) return view?.properties.get('options')?.value;
    }
    return undefined;
  },
  cookieProperty: 'cookieOptions',
  flagNames: { secure: 'isSecure', httpOnly: 'isHttpOnly', sameSite: 'isSameSite' },
  defaults: { secure: 'secure', httpOnly: true },
  secretPaths: [['cookieOptions', 'password']],
  cookieNameOption: 'name',
  cookieNameDefault: 'session',
});
