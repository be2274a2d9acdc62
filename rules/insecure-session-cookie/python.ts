import {
  booleanLiteral,
  definePythonRule,
  django,
  djangoSettingsModule,
  environmentDefault,
  statementOf,
  stringValue,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/**
 * Django settings modules: `SESSION_COOKIE_SECURE = False`, or unset in a deployment (`DEBUG = False`
 * in the module, or a module named `prod.py`/`production.py`) where Django's default is False;
 * `SESSION_COOKIE_HTTPONLY = False`; `SESSION_COOKIE_SAMESITE = 'None'` without Secure. Local and test
 * settings, and modules with `DEBUG = True`, are not judged. Split settings are read through
 * `from .base import *`.
 */
export default definePythonRule(meta, (ctx) => ({
  module() {
    const settings = djangoSettingsModule(ctx.file);
    if (!settings || settings.development) return;
    const { secure, httpOnly, sameSite, debug } = django.settings;
    const debugValue = booleanLiteral(settings.effective.get(debug)?.value);
    if (debugValue === true) return;
    const library = 'Django';
    // A flag set to False where the module says so: what an attacker gains, by setting.
    const consequences: [string, string][] = [
      [secure.name, 'the session id is also sent over plain HTTP, where it can be read or planted'],
      [httpOnly.name, 'any script on the page (and any XSS) can read the session id'],
    ];
    for (const [setting, consequence] of consequences) {
      const own = settings.own.get(setting);
      // Read from the environment with a default of False: a deployment that sets nothing gets False.
      const fromEnvironment = own ? environmentDefault(own.value) : undefined;
      if (own && fromEnvironment?.whenUnset === false) {
        ctx.report({
          target: own.value,
          messageId: 'djangoSettingDefaultFalse',
          data: { setting, variable: fromEnvironment.variable, consequence },
        });
        continue;
      }
      if (!own || booleanLiteral(own.value) !== false) continue;
      ctx.report({
        target: own.value,
        messageId: 'djangoSettingFalse',
        data: { setting, consequence },
        fixes: [
          {
            suggestionId: 'setDjangoSetting',
            data: { setting, value: 'True' },
            edits: [{ start: own.value.startIndex, end: own.value.endIndex, newText: 'True' }],
          },
        ],
      });
    }

    const effectiveSecure = settings.effective.get(secure.name);
    if (!effectiveSecure && !settings.incomplete && (debugValue === false || settings.deployment)) {
      // Report where the module says it is a deployment: its own `DEBUG = False`, else its first line.
      const ownDebug = settings.own.get(debug);
      const anchor = ownDebug ? statementOf(ownDebug.assignment) : undefined;
      // The new setting goes on its own line after DEBUG's (after any comment on that line).
      const lineEnd = anchor ? ctx.file.text.indexOf('\n', anchor.endIndex) : -1;
      const insertAt = lineEnd < 0 ? ctx.file.text.length : lineEnd;
      ctx.report({
        target: anchor ?? { start: 0, end: Math.max(0, ctx.file.text.indexOf('\n')) },
        messageId: 'djangoSecureMissing',
        data: { setting: secure.name },
        fixes: anchor
          ? [
              {
                suggestionId: 'setDjangoSetting',
                data: { setting: secure.name, value: 'True' },
                edits: [{ start: insertAt, end: insertAt, newText: `\n${secure.name} = True` }],
              },
            ]
          : [],
      });
    }

    const ownSameSite = settings.own.get(sameSite.name);
    const secureValue = effectiveSecure
      ? booleanLiteral(effectiveSecure.value)
      : settings.incomplete
        ? undefined
        : secure.default;
    if (ownSameSite && stringValue(ownSameSite.value)?.toLowerCase() === 'none' && secureValue === false) {
      ctx.report({
        target: ownSameSite.value,
        messageId: 'sameSiteNoneInsecure',
        data: { library, sameSite: sameSite.name, flag: secure.name },
      });
    }
  },
}));
