import { ts } from '#typescript';
import { findDeclaration } from '../analysis/scope.js';
import { isFunctionLike, memberPath, returnedExpressions, unwrap } from '../analysis/syntax.js';
import { objectView, propertyAtPath, resolveValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import type { EnvironmentDefault, Model, SecretSite } from './model.js';

/**
 * Strapi's config modules: `config/server.js` (`config/env/<environment>/server.js` overrides it)
 * exports `({ env }) => ({ … })`, and Strapi's loader hands the object to its core. The secrets among
 * them, by file:
 * - `server` `app.keys`: koa's `app.keys`, the Keygrip keys that sign the session cookies;
 *   `admin.auth.secret` in Strapi 3, where the admin settings sat in the server config;
 * - `admin` `auth.secret`: the key of the admin panel's JSON Web Tokens;
 * - `plugins` `users-permissions.config.jwtSecret`: the key of the users-permissions plugin's tokens.
 * `env('S', 'dev')` and its typed forms (`env.array('KEYS', ['a', 'b'])`, `env.json`, …) return the
 * default when `S` is unset, like `process.env.S || 'dev'`.
 */
const CONFIG_MODULE = /(?:^|\/)config\/(?:env\/[^/]+\/)?(server|admin|plugins)\.[cm]?[jt]s$/;

/** Each secret, with the variable Strapi's generated projects read it from. */
const SECRET_PATHS: Record<string, { path: string[]; variable: string; keyList?: boolean }[]> = {
  server: [
    { path: ['app', 'keys'], variable: 'APP_KEYS', keyList: true },
    { path: ['admin', 'auth', 'secret'], variable: 'ADMIN_JWT_SECRET' },
  ],
  admin: [{ path: ['auth', 'secret'], variable: 'ADMIN_JWT_SECRET' }],
  plugins: [{ path: ['users-permissions', 'config', 'jwtSecret'], variable: 'JWT_SECRET' }],
};

/** `env.oneOf(key, expected, default)` takes its default third; the other forms second. */
const DEFAULT_ARGUMENT: Record<string, number> = { oneOf: 2 };

export const strapi: Model = {
  id: '@strapi/strapi',
  packages: ['@strapi/strapi', 'strapi'],
  // A config module reads the environment through `env(…)` / `env.array(…)`; one that does not (a plain
  // object) is recognised where the package is known.
  keywords: ['env(', 'env.array('],
  secretSites(node, file) {
    const exported = exportedValue(node);
    if (!exported) return undefined;
    const name = file.path.match(CONFIG_MODULE)?.[1];
    if (!name) return undefined;
    const config = resolveValue(exported, file);
    // The evidence: the config-module shape `({ env }) => ({ … })`, or Strapi in the manifest.
    const reader = isFunctionLike(config.node) ? environmentParameter(config.node) : undefined;
    if (!reader && !file.knownModels.includes(strapi)) return undefined;
    const objects = isFunctionLike(config.node)
      ? returnedExpressions(config.node as ts.FunctionLikeDeclaration)
      : [config.node as ts.Expression];
    const sites: SecretSite[] = [];
    for (const object of objects) {
      const view = objectView(object, config.file);
      for (const { path, variable, keyList } of SECRET_PATHS[name]) {
        const property = propertyAtPath(view, path);
        if (!property?.value) continue;
        sites.push({
          model: '@strapi/strapi',
          label: `${name}.${path.join('.')}`,
          value: { node: property.value, file: property.file },
          variable,
          ...(keyList ? { keyList: true } : {}),
        });
      }
    }
    return sites.length > 0 ? sites : undefined;
  },
  environmentDefault(call, file): EnvironmentDefault | undefined {
    const callee = unwrap(call.expression);
    const reader = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression) : callee;
    if (!ts.isIdentifier(reader) || reader.text !== 'env') return undefined;
    const form = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    const variable = call.arguments[0] && unwrap(call.arguments[0]);
    const fallback = call.arguments[form ? (DEFAULT_ARGUMENT[form] ?? 1) : 1];
    if (!fallback || !variable || !ts.isStringLiteralLike(variable)) return undefined;
    // `env` is the config module's parameter (`({ env }) =>`), not any function of that name.
    const declaration = findDeclaration(reader);
    const fn = declaration && ts.isBindingElement(declaration) ? declaration.parent.parent?.parent : undefined;
    if (!fn || !isFunctionLike(fn) || environmentParameter(fn) !== declaration) return undefined;
    if (!/(?:^|\/)config\//.test(file.path)) return undefined;
    const kept = call.arguments.slice(0, call.arguments.indexOf(fallback));
    return {
      variable: variable.text,
      fallback,
      withoutDefault: `${file.textOf(callee)}(${kept.map((argument) => file.textOf(argument)).join(', ')})`,
    };
  },
};

/** `X` of `module.exports = X` or `export default X`. */
function exportedValue(node: ts.Node): ts.Expression | undefined {
  if (ts.isExportAssignment(node)) return node.expression;
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const target = memberPath(unwrap(node.left))?.join('.');
  return target === 'module.exports' || target === 'exports.default' ? node.right : undefined;
}

/** The `env` binding of a config module's first parameter (`({ env })`, `({ env }: { env: Env })`). */
function environmentParameter(fn: ts.Node): ts.BindingElement | undefined {
  const pattern = (fn as ts.FunctionLikeDeclaration).parameters?.[0]?.name;
  if (!pattern || !ts.isObjectBindingPattern(pattern)) return undefined;
  return pattern.elements.find(
    (element) =>
      !element.dotDotDotToken &&
      ts.isIdentifier(element.name) &&
      element.name.text === 'env' &&
      (!element.propertyName || (ts.isIdentifier(element.propertyName) && element.propertyName.text === 'env')),
  );
}
