import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { moduleReferenceThrough } from '../analysis/parameters.js';
import { unwrap } from '../analysis/syntax.js';
import { resolveValue } from '../analysis/values.js';
import { atLeast, type LoginAdvisory, loginVerdict } from './login-versions.js';
import type { Model } from './model.js';
import { authenticateLogin, disablesSession, requestLogin, restoredRequestUser } from './passport.js';
import { callbackArgument } from './session-access.js';
import { requestLogout } from './session-logout.js';

const MODULES = ['@fastify/passport', 'fastify-passport'];

/**
 * @fastify/passport: `request.logIn(user)` (awaited) and `fastifyPassport.authenticate(strategy)` as a
 * `preValidation` hook. CVE-2023-29019: versions below 1.1.0 and 2.0.0 to 2.2.x keep the session id
 * at login; 1.1.0 and 2.3.0 regenerate it when the session supports it.
 */
export const FASTIFY_PASSPORT_ADVISORY: LoginAdvisory = {
  library: '@fastify/passport',
  advisory: 'CVE-2023-29019',
  affected: 'below 1.1.0 and 2.0.0 to 2.2.x',
  rotates: (version) => (version[0] < 2 ? atLeast(version, [1, 1, 0]) : atLeast(version, [2, 3, 0])),
  upgradeRange: (version) => (version && version[0] < 2 ? '^1.1.0' : '^2.3.0'),
  upgradeNote: 'the login API is unchanged; the session id is regenerated at `request.logIn`',
};

/** The default export of @fastify/passport, or an `Authenticator` instance created from it. */
function isFastifyPassport(expression: ts.Expression, file: Parameters<typeof resolveValue>[1]): boolean {
  const reference = moduleReferenceThrough(expression, file);
  if (MODULES.some((module) => refersTo(reference, module))) return true;
  const value = resolveValue(expression, file).node;
  return (
    ts.isNewExpression(value) &&
    MODULES.some((module) => refersTo(moduleReferenceOf(value.expression), module, 'Authenticator'))
  );
}

export const fastifyPassport: Model = {
  id: '@fastify/passport',
  packages: MODULES,
  keywords: ['passport', 'login', 'logout'],
  sessionPrincipal: restoredRequestUser(() => fastifyPassport),
  // `fastifyPassport.authenticate(…)` before the handler sets `request.user` itself.
  setsRequestUser(guard, file) {
    const call = unwrap(guard);
    if (!ts.isCallExpression(call)) return undefined;
    const callee = unwrap(call.expression);
    return (
      (ts.isPropertyAccessExpression(callee) &&
        callee.name.text === 'authenticate' &&
        isFastifyPassport(unwrap(callee.expression), file)) ||
      undefined
    );
  },
  // From the fixed versions logout regenerates the session too (the same change as for login).
  logoutCall: requestLogout('@fastify/passport', (file) => loginVerdict(file, FASTIFY_PASSPORT_ADVISORY)),
  loginCall(call, file) {
    const middleware = authenticateLogin(
      call,
      file,
      (callee) => ts.isPropertyAccessExpression(callee) && isFastifyPassport(unwrap(callee.expression), file),
      '@fastify/passport',
      FASTIFY_PASSPORT_ADVISORY,
    );
    if (middleware) return middleware;
    if (!requestLogin(call, file) || disablesSession(call.arguments.slice(1), file)) return undefined;
    // `req.logIn(user, options?, callback?)`: the first argument is the user, never the callback.
    const callback = callbackArgument(call, file, 1);
    return {
      model: '@fastify/passport',
      call,
      kind: 'login',
      completion: callback ? 'callback' : 'promise',
      callback,
      verdict: loginVerdict(file, FASTIFY_PASSPORT_ADVISORY),
    };
  },
};
