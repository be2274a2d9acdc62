import type { PythonModel } from './python-model.js';

/**
 * Django's session framework (`django.contrib.sessions`, `django.contrib.auth`), as the Python rules
 * need it. See docs/domain.md, "Django sessions".
 */
export const django = {
  id: 'django',
  packages: ['django'],
  keywords: ['session', 'secret_key', 'login', 'logout', 'sessionstore', 'sessionbase', 'cookie'],

  /** `request.session` is the session; these attributes of the request are client-controlled input. */
  sessionAttribute: 'session',
  /** Request attributes whose values the client chooses (`request.GET['sid']`, `request.COOKIES[...]`). */
  requestInputs: new Set(['GET', 'POST', 'COOKIES', 'META', 'headers', 'body', 'data', 'query_params', 'FILES']),
  /** Of those, the ones that come from the URL (a query string): a session key there also leaks. */
  urlInputs: new Set(['GET', 'query_params']),
  /** Parameter names that hold the request in views and middleware when nothing else says so. */
  requestNames: new Set(['request', 'req']),

  /** Session methods that give the session a new key: `cycle_key()` keeps the data, `flush()` drops it. */
  rotatingMethods: new Set(['cycle_key', 'flush']),
  /** Session methods that end the server-side session: `flush()` deletes data and key, `delete()` the stored item. */
  invalidatingMethods: new Set(['flush', 'delete']),
  /** Session methods that only remove keys: the session id stays valid. */
  keyRemovingMethods: new Set(['pop', 'clear', '__delitem__', 'popitem']),
  /** `django.contrib.auth.login(request, user)` rotates the key (cycle_key, or flush for another user). */
  rotatingLogin: 'django.contrib.auth.login',
  /** `django.contrib.auth.logout(request)` flushes the session. */
  invalidatingLogout: 'django.contrib.auth.logout',
  /** Response methods that clear a cookie in the browser only. */
  cookieDeletions: new Set(['delete_cookie']),

  /**
   * Credential checks that make a function a login: Django's own and the common token/OTP verifiers,
   * by the last name of the callee (`authenticate(...)`, `user.check_password(pw)`, `totp.verify(code)`).
   */
  credentialChecks: new Set([
    'authenticate',
    'check_password',
    'check_token',
    'verify_token',
    'verify_otp',
    'verify_totp',
    'verify_code',
    'verify_password',
  ]),
  /** `verify(...)` counts only on an object whose name says OTP or token (`pyotp.TOTP(s).verify(c)`). */
  verifierReceiver: /otp|totp|hotp|token/i,

  /** Constructors of session stores that take a `session_key`. */
  sessionStoreClasses: new Set(['SessionStore']),
  /**
   * Session store methods that only read what is stored under the store's key. A store made from a
   * client value and used only through these (`SessionStore(posted).load()`, pretix's cross-domain
   * handoff token) is a lookup: the key never becomes anyone's session id. `delete()` ends the session
   * under that key, which cannot make a chosen id live either.
   */
  sessionLookupMethods: new Set([
    'load',
    'get',
    'exists',
    'keys',
    'values',
    'items',
    'has_key',
    'is_empty',
    'get_expiry_age',
    'get_expiry_date',
    'get_expire_at_browser_close',
    'delete',
  ]),
  /** Base classes of custom session backends. */
  sessionBaseClasses: new Set(['SessionBase', 'SessionStore', 'CacheDBSessionStore', 'DBStore']),
  /** Attributes that hold or set a session's key. */
  sessionKeyAttributes: new Set(['session_key', '_session_key', '_SessionBase__session_key']),
  /** The backend method that reads the stored session for the current key. */
  loadMethod: 'load',
  /** Backend methods that give the session a new key when the given one has no stored session. */
  keyResettingMethods: new Set(['create', '_get_or_create_session_key', 'cycle_key', 'flush']),
  /** The method a backend overrides to mint keys. */
  keyGenerator: '_get_new_session_key',

  /** Settings and Django's defaults when a settings module does not set them. */
  settings: {
    secure: { name: 'SESSION_COOKIE_SECURE', default: false },
    httpOnly: { name: 'SESSION_COOKIE_HTTPONLY', default: true },
    sameSite: { name: 'SESSION_COOKIE_SAMESITE', default: 'Lax' },
    cookieName: { name: 'SESSION_COOKIE_NAME', default: 'sessionid' },
    secretKey: 'SECRET_KEY',
    debug: 'DEBUG',
    engine: 'SESSION_ENGINE',
  },
  /** Django's own module of defaults, vendored with Django. */
  defaultSettingsModule: 'global_settings.py',
  /** `SESSION_ENGINE` values whose sessions are signed cookies: no server-side id to fixate. */
  statelessEngines: new Set(['django.contrib.sessions.backends.signed_cookies']),
  /**
   * Settings modules of test runs, by path: their secrets sign nothing a user holds. A settings
   * directory's `test.py` / `ci_postgres.py`, or a file whose name pairs a settings word with a test
   * word either way round (`test_settings.py`, `settings_test.py`, netbox's `configuration_testing.py`,
   * `ci_config.py`).
   */
  testSettings:
    /(^|\/)((settings|config|conf|configuration)\/(test|tests|testing|ci)([_-]\w+)?|(test|tests|testing|ci)[_-](settings|config|conf|configuration)|(settings|config|conf|configuration)[_-](test|tests|testing|ci))\.py$/i,
  /**
   * Settings modules by path (`settings.py`, `*_settings.py`, any module of a `settings/` package):
   * scanned even without a session word, since a deployment module (`settings/production.py` with
   * `DEBUG = False` only) is reported for the `SESSION_COOKIE_SECURE` it never sets.
   */
  relevantPaths: /(^|\/|_)settings\.py$|(^|\/)settings\/[^/]+\.py$/i,
  /**
   * Settings module file names of local development and tests, where insecure cookies and throwaway
   * keys are expected: `dev.py`, `local_settings.py`, `settings_dev.py`, and the two words together
   * (wger's `local_dev.py`).
   */
  developmentSettings:
    /^(settings_)?(dev|development|local|test|tests|testing|ci)(_(dev|development|local))?(_settings)?\.py$/i,
  /** Directories of development configuration (nautobot's `development/nautobot_config.py` for docker-compose). */
  developmentDirectory: /(^|\/)(dev|development)(\/|$)/i,
} satisfies PythonModel & Record<string, unknown>;

/**
 * Randomness in Python's standard library and Django's helpers: what can mint a session key.
 * Strong sources read the OS CSPRNG; weak ones are a seeded PRNG, a clock or a MAC address.
 */
export const pythonRandomness = {
  /** Module functions backed by the OS CSPRNG, and Django's `get_random_string`. */
  strong: new Set([
    'secrets.token_hex',
    'secrets.token_urlsafe',
    'secrets.token_bytes',
    'secrets.choice',
    'secrets.randbelow',
    'secrets.randbits',
    'os.urandom',
    'uuid.uuid4',
    'random.SystemRandom',
    'django.utils.crypto.get_random_string',
    'get_random_string',
  ]),
  /** Weak sources by module: any function of `random`, and the clock and MAC-based UUIDs. */
  weakModules: new Set(['random']),
  weak: new Map([
    ['time.time', 'the clock is guessable to the second'],
    ['time.time_ns', 'the clock is guessable'],
    ['time.monotonic', 'the clock is guessable'],
    ['datetime.datetime.now', 'the clock is guessable to the second'],
    ['datetime.now', 'the clock is guessable to the second'],
    ['uuid.uuid1', 'uuid1 is the clock plus the host MAC address'],
  ]),
  weakModuleReason: "Python's `random` is a Mersenne Twister: its output can be predicted from earlier outputs",
  /** Minimum entropy of a session key, in bytes (128 bits). */
  minimumBytes: 16,
  /** Bits per character of each source's text, for values cut short (`uuid4().hex[:8]`); hex when absent. */
  bitsPerCharacter: new Map([
    ['secrets.token_urlsafe', 6],
    ['secrets.token_bytes', 8],
    ['os.urandom', 8],
    ['get_random_string', 5.95],
    ['django.utils.crypto.get_random_string', 5.95],
  ]),
  /** Arguments are bytes for token_*; characters of a 62-letter alphabet (~5.95 bits) for get_random_string. */
  bitsPerUnit: new Map([
    ['secrets.token_hex', 8],
    ['secrets.token_urlsafe', 8],
    ['secrets.token_bytes', 8],
    ['os.urandom', 8],
    ['get_random_string', 5.95],
    ['django.utils.crypto.get_random_string', 5.95],
  ]),
};
