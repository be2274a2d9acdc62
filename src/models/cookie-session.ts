import { responseCookieClearing, statelessInvalidation } from './session-logout.js';
import { directCallOptions, sessionLibraryModel } from './session-options.js';

/**
 * cookie-session: the whole session lives in a signed cookie (no server-side id). Flags sit in the
 * options; `secure` defaults to the request protocol (the `cookies` module), `httpOnly` to true.
 */
export const cookieSession = sessionLibraryModel(
  {
    id: 'cookie-session',
    packages: ['cookie-session'],
    keywords: ['session'],
    stateless: true,
    optionsArgument: directCallOptions(['cookie-session']),
    defaults: { secure: 'auto', httpOnly: true },
    secretPaths: [['keys'], ['secret']],
    // Keygrip keys: a list; `secret` is the single-key form.
    keyLists: ['keys'],
    cookieNamePaths: [['name']],
    cookieNameDefault: 'session',
  },
  {
    invalidation: statelessInvalidation('cookie-session', { nullAssign: true }),
    cookieClearing: responseCookieClearing('cookie-session'),
  },
);
