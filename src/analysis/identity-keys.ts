import { cachedVerdict } from './node-memo.js';

/**
 * Session keys as a login signal, spelled any way: `user_id`, `userId`, `gh_access_token`. A signal,
 * not the gate: values that come out of a login count too (login-evidence.ts).
 */

/** `gh_access_token` → [gh, access, token]; `userId` → [user, id]; `keycloak-token` → [keycloak, token]. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/**
 * Keys whose trailing words name a credential or the logged-in principal whatever prefixes them (a
 * provider, `current`, `auth`): `gh_access_token`, `google_id_token`, `currentUser`, `github_user_id`.
 */
const PRINCIPAL_SUFFIXES: readonly string[][] = [
  ['access', 'token'],
  ['refresh', 'token'],
  ['id', 'token'],
  ['auth', 'token'],
  ['bearer', 'token'],
  ['token', 'set'],
  ['tokens'],
  ['user'],
  ['user', 'id'],
  ['uid'],
  ['account', 'id'],
];

/**
 * Qualifiers that turn a credential-looking key into something that is not (yet) a login: anti-forgery
 * and OAuth flow state, one-time links, a user not yet verified, history.
 */
const NOT_A_LOGIN_QUALIFIERS = new Set([
  'csrf',
  'xsrf',
  'state',
  'nonce',
  'verifier',
  'challenge',
  'captcha',
  'recaptcha',
  'reset',
  'verification',
  'verify',
  'confirm',
  'confirmation',
  'invite',
  'invitation',
  'unsubscribe',
  'pending',
  'temp',
  'tmp',
  'last',
  'previous',
  'prev',
  'request',
  'form',
  'push',
  'device',
]);

function endsWith(words: string[], suffix: string[]): boolean {
  return words.length >= suffix.length && suffix.every((word, i) => words[words.length - suffix.length + i] === word);
}

/**
 * Whether a session key names identity: one of `identityKeys` spelled in any case style
 * (`user_id`, `userId`, `user-id`), or a principal/credential name behind a prefix
 * (`gh_access_token`, `currentUser`), or a bearer `…token` (`keycloak-token`) that no qualifier
 * marks as anti-forgery or one-time.
 */
export function isIdentityKey(key: string, identityKeys: ReadonlySet<string>): boolean {
  if (identityKeys.has(key)) return true;
  // Asked of every property name the login and logout rules meet: each key is judged once per key set.
  return cachedVerdict(verdictsByKeys, identityKeys, key, () => judgeKey(key, identityKeys));
}

const verdictsByKeys = new WeakMap<ReadonlySet<string>, Map<string, boolean>>();
const joinedByKeys = new WeakMap<ReadonlySet<string>, Set<string>>();

function judgeKey(key: string, identityKeys: ReadonlySet<string>): boolean {
  const words = keyWords(key);
  if (words.length === 0) return false;
  let joinedIdentities = joinedByKeys.get(identityKeys);
  if (!joinedIdentities) {
    joinedIdentities = new Set([...identityKeys].map((identity) => keyWords(identity).join('')));
    joinedByKeys.set(identityKeys, joinedIdentities);
  }
  if (joinedIdentities.has(words.join(''))) return true;
  if (words.some((word) => NOT_A_LOGIN_QUALIFIERS.has(word))) return false;
  if (PRINCIPAL_SUFFIXES.some((suffix) => endsWith(words, suffix))) return true;
  // A bare `token` is too often a CSRF or one-time token; behind a qualifier it is a bearer credential.
  return words.length > 1 && words.at(-1) === 'token';
}

/** Keys that say "not a login" whatever their value: flow state, anti-forgery, history, preferences. */
export function isNonIdentityKey(key: string): boolean {
  return keyWords(key).some((word) => NOT_A_LOGIN_QUALIFIERS.has(word));
}
