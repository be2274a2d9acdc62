import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { accessedName, unwrap } from '../analysis/syntax.js';
import { objectView, propertyAtPath } from '../analysis/values.js';
import type { Model } from './model.js';
import { keyListSecretSite, optionSecretSites, plainSecretSite } from './secret-sites.js';
import { namesModule } from './session-options.js';

const MODULES = ['cookie-signature', 'keygrip', 'cookies', '@fastify/cookie', '@hapi/iron', 'iron', 'oidc-provider'];

/**
 * Libraries that sign cookies, used directly (hand-rolled sessions sign their id cookie with them, and
 * the session libraries build on them):
 * - cookie-signature `sign(value, secret)` / `unsign(value, secret)`;
 * - keygrip `new Keygrip(keys)` (or called without `new`);
 * - cookies `new Cookies(req, res, { keys })`;
 * - @fastify/cookie `register(fastifyCookie, { secret })`;
 * - @hapi/iron (and its old name `iron`) `seal(object, password, options)` / `unseal(sealed, password, …)`;
 * - oidc-provider `new Provider(issuer, { cookies: { keys } })`: Keygrip keys that sign the provider's
 *   own login session (`_session`) and interaction cookies.
 * A forged signature on a session cookie is a session of the attacker's choosing.
 */
export const cookieSigning: Model = {
  id: 'cookie-signing',
  packages: MODULES,
  keywords: ['cookie', 'keygrip'],
  secretSites(node, file) {
    if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return undefined;
    // Every call of a file that mentions cookies is asked: only a file naming a module can call it.
    if (!namesModule(file, MODULES)) return undefined;
    const reference = moduleReferenceOf(node.expression);
    const args = node.arguments ?? [];
    const method = ['sign', 'unsign'].find((name) => refersTo(reference, 'cookie-signature', name));
    if (method && args[1]) return plainSecretSite('cookie-signature', `${method}() secret`, args[1], file);
    if (refersTo(reference, 'keygrip') && args[0]) return keyListSecretSite('keygrip', 'keys', args[0], file);
    for (const iron of ['@hapi/iron', 'iron']) {
      const sealing = ['seal', 'unseal'].find((name) => refersTo(reference, iron, name));
      if (sealing && args[1]) return plainSecretSite(iron, `${sealing}() password`, args[1], file);
    }
    if (refersTo(reference, 'cookies')) return optionSecretSites('cookies', args[2], ['keys'], file, keyListSecretSite);
    if (refersTo(reference, 'oidc-provider') || refersTo(reference, 'oidc-provider', 'Provider')) {
      const keys = args[1] && propertyAtPath(objectView(args[1], file), ['cookies', 'keys']);
      if (!keys?.value) return undefined;
      const value = { node: keys.value, file: keys.file, ...(keys.overridable ? { overridable: true } : {}) };
      return [{ model: 'oidc-provider', label: 'cookies.keys', value, keyList: true }];
    }
    if (ts.isCallExpression(node) && accessedName(unwrap(node.expression)) === 'register' && args[0]) {
      if (refersTo(moduleReferenceOf(unwrap(args[0])), '@fastify/cookie')) {
        return optionSecretSites('@fastify/cookie', args[1], ['secret'], file);
      }
    }
    return undefined;
  },
};
