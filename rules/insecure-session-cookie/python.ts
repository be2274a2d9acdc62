import {
  booleanLiteral,
  calledName,
  definePythonRule,
  django,
  type DjangoSettingsModule,
  djangoSettingsModule,
  environmentDefault,
  field,
  isSessionCookieName,
  keywordArgument,
  numberValue,
  positionalArgument,
  receiverOf,
  SESSION_COOKIE_NAME,
  statementOf,
  stringValue,
  unsetValueOf,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

const { secure, httpOnly, sameSite, debug } = django.settings;

/**
 * The module serves a deployment (DEBUG off where nothing sets it: `DEBUG = False`, an environment read
 * defaulting to off; or a name like `prod.py`) and neither it nor anything it reads sets
 * `SESSION_COOKIE_SECURE`, which Django defaults to False.
 */
function lacksSecureInDeployment(settings: DjangoSettingsModule): boolean {
  if (settings.development || settings.incomplete || settings.effective.has(secure.name)) return false;
  const debugSetting = settings.effective.get(debug);
  if (booleanLiteral(debugSetting?.value) === true) return false;
  return settings.deployment || unsetValueOf(debugSetting) === false;
}

/**
 * A module it star-imports (directly or further down) is reported for the same missing setting: the
 * `SESSION_COOKIE_SECURE = True` added there reaches this module too, so one finding per fix (ralph's
 * `settings/__init__.py` and `prod.py` over `base.py`'s `DEBUG = False`).
 */
function inheritsMissingSecureFinding(settings: DjangoSettingsModule, seen = new Set<string>()): boolean {
  for (const imported of settings.starImported) {
    if (seen.has(imported.absPath)) continue;
    seen.add(imported.absPath);
    const module = djangoSettingsModule(imported);
    if (module && (lacksSecureInDeployment(module) || inheritsMissingSecureFinding(module, seen))) return true;
  }
  return false;
}

/**
 * Django settings modules: `SESSION_COOKIE_SECURE = False`, or unset in a deployment (`DEBUG = False`
 * or read from the environment with an off default, or a module named `prod.py`/`production.py`)
 * where Django's default is False, once per fix (not again in modules star-importing a reported one);
 * `SESSION_COOKIE_HTTPONLY = False`; `SESSION_COOKIE_SAMESITE = 'None'` without Secure. Local and test
 * settings, and modules with `DEBUG = True`, are not judged. Split settings are read through
 * `from .base import *`.
 */
export default definePythonRule(meta, (ctx) => ({
  /**
   * `response.set_cookie('sessionid', key)` written by hand: Django's `set_cookie` sets neither
   * `secure` nor `httponly` unless told. Judged for cookies named like a session (`sess`, `sid`); a
   * deletion (an empty value or `max_age=0`) is not a session cookie.
   */
  call(call) {
    if (calledName(call) !== 'set_cookie' || !receiverOf(call)) return;
    const name = positionalArgument(call, 0) ?? keywordArgument(call, 'key');
    const value = positionalArgument(call, 1) ?? keywordArgument(call, 'value');
    const cookieName = stringValue(name);
    const named = cookieName !== undefined ? SESSION_COOKIE_NAME.test(cookieName) : isSessionCookieName(name);
    if (!value || !named) return;
    if (stringValue(value) === '' || value.type === 'none' || numberValue(keywordArgument(call, 'max_age')) === 0) return;
    // A flag set from a variable or a setting is the deployment's choice: only absent or False flags count.
    const judged = ['secure', 'httponly'].filter((flag) => {
      const given = keywordArgument(call, flag);
      return !given || booleanLiteral(given) === false;
    });
    if (judged.length === 0) return;
    const library = 'Django';
    const arguments_ = field(call, 'arguments');
    const closing = arguments_ ? arguments_.endIndex - 1 : undefined;
    const absent = judged.filter((flag) => !keywordArgument(call, flag));
    // `set_cookie(a, b,)`: a trailing comma is already there.
    const separator = closing !== undefined && ctx.file.text.slice(0, closing).trimEnd().endsWith(',') ? ' ' : ', ';
    ctx.report({
      target: call,
      messageId: judged.length === 2 ? 'flagsMissing' : judged[0] === 'secure' ? 'secureMissing' : 'httpOnlyMissing',
      data: { library, flag: judged[0], httpOnly: 'httponly' },
      fixes:
        closing !== undefined && absent.length === judged.length
          ? [
              {
                suggestionId: 'addCookieFlags',
                data: { flags: absent.map((flag) => `${flag}=True`).join(', ') },
                edits: [
                  { start: closing, end: closing, newText: `${separator}${absent.map((flag) => `${flag}=True`).join(', ')}` },
                ],
              },
            ]
          : [],
    });
  },
  module() {
    const settings = djangoSettingsModule(ctx.file);
    if (!settings || settings.development) return;
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
      // Read from the environment (or a configuration module or dict) with a default of False: a
      // deployment that sets nothing gets False.
      const fromEnvironment = own ? environmentDefault(own.value, ctx.file) : undefined;
      if (own && fromEnvironment?.whenUnset === false) {
        ctx.report({
          target: own.value,
          messageId: 'djangoSettingDefaultFalse',
          data: { setting, source: fromEnvironment.source, consequence },
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
    if (lacksSecureInDeployment(settings) && !inheritsMissingSecureFinding(settings)) {
      // Report where the module says it is a deployment: its own DEBUG line, else its first line.
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
