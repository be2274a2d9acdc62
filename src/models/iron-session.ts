import { responseCookieClearing, statelessInvalidation } from './session-logout.js';
import { namedExportCallOptions, sessionLibraryModel } from './session-options.js';

const IRON_ENTRY_POINTS = [
  'getIronSession',
  'withIronSessionApiRoute',
  'withIronSessionSsr',
  'ironSession',
  'sealData',
  'unsealData',
];

/**
 * iron-session: the session is sealed into the cookie with `password` (no server-side id). The options
 * are the last argument of its entry points; `cookieOptions.secure` defaults to true in production and
 * `httpOnly` to true.
 */
export const ironSession = sessionLibraryModel(
  {
    id: 'iron-session',
    packages: ['iron-session'],
    keywords: ['iron-session'],
    stateless: true,
    optionsArgument: namedExportCallOptions('iron-session', IRON_ENTRY_POINTS),
    cookieProperty: 'cookieOptions',
    defaults: { secure: 'secure', httpOnly: true },
    secretPaths: [['password']],
    cookieNamePaths: [['cookieName']],
    cookieNameDefault: 'iron-session',
  },
  {
    invalidation: statelessInvalidation('iron-session', {
      methods: ['destroy'],
      factory: { module: 'iron-session', names: ['getIronSession'] },
    }),
    cookieClearing: responseCookieClearing('iron-session'),
  },
);
