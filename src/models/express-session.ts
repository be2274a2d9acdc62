import { directCallOptions, sessionLibraryModel } from './session-options.js';

/**
 * express-session: server-side store keyed by a signed `connect.sid` cookie. Cookie defaults per its
 * README: `httpOnly: true`, `secure: false`, no `sameSite`; `secret` (string or array) signs the id.
 */
export const expressSession = sessionLibraryModel({
  id: 'express-session',
  packages: ['express-session'],
  keywords: ['session'],
  stateless: false,
  optionsArgument: directCallOptions(['express-session']),
  cookieProperty: 'cookie',
  defaults: { secure: 'insecure', httpOnly: true },
  secretPaths: [['secret']],
  cookieNameOption: 'name',
  cookieNameDefault: 'connect.sid',
});
