import { ts } from '#typescript';
import { type ModuleReference, moduleReferenceOf } from '../analysis/imports.js';
import { moduleReferenceThrough } from '../analysis/parameters.js';
import { unwrap } from '../analysis/syntax.js';
import { resolveValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import type { Model } from './model.js';

/**
 * OAuth 2 / OIDC client calls that exchange an authorization code (or a user's password) for tokens:
 * what they return is a login's result. By module: the export (a class, `*` for any) and the methods
 * of its instances, or plain function exports (`''` as the class).
 */
const EXCHANGES: Record<string, Record<string, string[]>> = {
  // `new AuthorizationCode(config).getToken({ code, redirect_uri })`
  'simple-oauth2': { AuthorizationCode: ['getToken'], ResourceOwnerPassword: ['getToken'] },
  // `new OAuth2Client(id, secret, redirect).getToken(code)`
  'google-auth-library': { OAuth2Client: ['getToken'] },
  // openid-client 6: `await client.authorizationCodeGrant(config, currentUrl, checks)`
  'openid-client': { '': ['authorizationCodeGrant', 'genericGrantRequest'] },
  // `new GitHub(id, secret, redirect).validateAuthorizationCode(code)`
  arctic: { '*': ['validateAuthorizationCode'] },
  '@octokit/oauth-methods': { '': ['exchangeWebFlowCode'] },
  '@octokit/oauth-app': { OAuthApp: ['createToken'] },
  // `keycloak.grantManager.obtainFromCode(request, code)`
  'keycloak-connect': { default: ['grantManager.obtainFromCode', 'grantManager.obtainDirectly'] },
};

/** The module reference of the object a method is called on, through `new X()` and parameters. */
function instanceReference(object: ts.Expression, file: FileContext): ModuleReference | undefined {
  const resolved = resolveValue(object, file).node;
  if (ts.isNewExpression(resolved)) return moduleReferenceOf(resolved.expression);
  return moduleReferenceThrough(object, file) ?? moduleReferenceOf(object);
}

function exchangeLabel(call: ts.CallExpression, file: FileContext): string | undefined {
  const callee = unwrap(call.expression);
  const direct = moduleReferenceOf(callee);
  if (direct && EXCHANGES[direct.module]) {
    const path = direct.path[0] === 'default' && direct.path.length > 1 ? direct.path.slice(1) : direct.path;
    if (path.length === 1 && EXCHANGES[direct.module]['']?.includes(path[0])) return `${direct.module}.${path[0]}`;
  }
  // `instance.method(…)` or `instance.a.method(…)`: walk down to the instance.
  const members: string[] = [];
  let object: ts.Expression = callee;
  while (ts.isPropertyAccessExpression(object) && members.length < 3) {
    members.unshift(object.name.text);
    object = unwrap(object.expression);
    const reference = instanceReference(object, file);
    if (!reference) continue;
    const classes = EXCHANGES[reference.module];
    if (!classes) return undefined;
    const exported = reference.path.at(-1) ?? 'default';
    const methods = classes[exported] ?? classes['*'];
    const method = members.join('.');
    if (methods?.includes(method))
      return `${reference.module} ${exported === 'default' ? '' : `${exported}.`}${method}`;
    return undefined;
  }
  return undefined;
}

/**
 * OAuth / OIDC clients. Not a session model: like the password verifiers, it supplies evidence that a
 * value written into the session is a login's result (a token set), enabled by imports or package.json.
 */
export const oauthClients: Model = {
  id: 'oauth-clients',
  packages: Object.keys(EXCHANGES),
  keywords: [],
  credentialCheck(call, file) {
    const label = exchangeLabel(call, file);
    return label ? { model: 'oauth-clients', call, label: `token exchange by ${label}` } : undefined;
  },
};
