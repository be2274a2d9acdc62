/**
 * Session keys whose write means "this session now belongs to someone" or "has more privilege":
 * identity, authentication state, roles, OAuth/OIDC tokens and MFA completion. Users extend the list
 * with the `identityKeys` config option. Non-identity keys (returnTo, csrfSecret, cart, flash, locale,
 * views) are deliberately absent.
 */
export const DEFAULT_IDENTITY_KEYS: readonly string[] = [
  'user',
  'userId',
  'user_id',
  'uid',
  'account',
  'accountId',
  'username',
  'email',
  'login',
  'loggedIn',
  'isLoggedIn',
  'authenticated',
  'isAuthenticated',
  'auth',
  // What an authentication middleware resolved (medusa's `req.auth_context`: actor id and type).
  'authContext',
  'role',
  'roles',
  'isAdmin',
  'admin',
  'permissions',
  'scopes',
  'passport',
  'accessToken',
  'idToken',
  'tokenSet',
  'mfaVerified',
  'twoFactorAuthenticated',
  'otpVerified',
];
