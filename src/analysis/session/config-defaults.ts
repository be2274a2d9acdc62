import nodePath from 'node:path';
import { ts } from '#typescript';
import type { FileContext } from '../../models/model.js';
import { nestConfigValue } from '../../models/nest-config.js';
import { moduleReferenceOf, refersTo } from '../imports.js';
import { findDeclaration, isConstDeclaration } from '../scope.js';
import {
  environmentVariableName,
  findExport,
  type Located,
  memberValues,
  moduleExportValue,
  type ObjectView,
  objectView,
  propertyAtPath,
  resolveValue,
  staticValue,
  viewAtPath,
} from '../values.js';
import { memberPath, propertyNameText, returnedExpressions, unwrap } from '../syntax.js';

/** The value a configured flag takes when the deployment sets nothing, and where that default is written. */
export interface ConfiguredDefault {
  value: boolean;
  /** For messages: `the fallback in \`env['COOKIE_SECURE'] ?? false\``, `\`COOKIE_SECURE: false\` in src/defaults.ts`. */
  source: string;
}

/** A configuration object read by name: `env.X`, `config.cookies.secure`, `settings['X']`, `process.env.X`. */
const CONFIG_HOLDER = /config|env|setting/i;

/**
 * What a configured flag is when the deployment sets nothing: the default of a validated config value.
 * - a loader helper: `parseBoolean(process.env.COOKIE_SECURE, false)` (an environment read and a
 *   boolean literal among the call's arguments), or a getter given the key and a default
 *   (`config.get('cookieSecure', false)`, `configService.get<boolean>('COOKIE_SECURE', false)`);
 * - a literal fallback of a config read: `env['COOKIE_SECURE'] ?? false`, `config.secure || false`;
 * - a defaults object the environment is spread over: `env.COOKIE_SECURE` with
 *   `env = { ...DEFAULTS, ...process.env }` and `DEFAULTS = { COOKIE_SECURE: false }`;
 * - a JSON schema (`@fastify/env`, env-schema, ajv): `config.COOKIE_SECURE` with
 *   `COOKIE_SECURE: { type: 'boolean', default: true }` in this file or in a module beside it (one
 *   imported by a file that imports this one: the app that registers both).
 * Undefined when no default can be read; a plain `process.env.X === 'true'` is a runtime condition.
 */
export function configuredDefault(
  expression: ts.Expression,
  file: FileContext,
  depth = 0,
): ConfiguredDefault | undefined {
  if (depth > 4) return undefined;
  const written = unwrap(expression);
  // Before following the read to the literal it finds: that literal may be only a default.
  if (ts.isPropertyAccessExpression(written) || ts.isElementAccessExpression(written)) {
    const path = memberPath(written);
    if (path && path.length >= 2 && path.slice(0, -1).some((segment) => CONFIG_HOLDER.test(segment))) {
      const overridden = defaultsObjectValue(written, file);
      if (overridden) return overridden;
    }
  } else if (ts.isIdentifier(written)) {
    const declaration = findDeclaration(written);
    if (
      declaration &&
      ts.isVariableDeclaration(declaration) &&
      declaration.initializer &&
      isConstDeclaration(declaration)
    )
      return configuredDefault(declaration.initializer, file, depth + 1);
  }
  const resolved = resolveValue(expression, file);
  const node = unwrap(resolved.node as ts.Expression);
  if (ts.isCallExpression(node)) return callDefault(node);
  if (
    ts.isBinaryExpression(node) &&
    (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
      node.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  ) {
    const fallback = unwrap(node.right);
    if (!isBooleanLiteral(fallback) || !isConfigRead(node.left, resolved.file)) return undefined;
    // A default already given to the left side decides first (a boolean is never nullish).
    const left = configuredDefault(node.left, resolved.file, depth + 1);
    const nullish = node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken;
    if (left && (nullish || left.value)) return left;
    return { value: fallback.kind === ts.SyntaxKind.TrueKeyword, source: `the fallback in \`${excerpt(node)}\`` };
  }
  const path = memberPath(node);
  if (!path || path.length < 2 || !path.slice(0, -1).some((segment) => CONFIG_HOLDER.test(segment))) return undefined;
  const name = path.at(-1)!;
  for (const candidate of nearbyFiles(resolved.file)) {
    const found = schemaDefault(candidate, name);
    if (found !== undefined) return { value: found, source: `the schema default of \`${name}\` in ${candidate.path}` };
  }
  return undefined;
}

/** `parseBoolean(process.env.X, false)`, `config.get('x', false)`, `env.bool('X', false)`. */
function callDefault(call: ts.CallExpression): ConfiguredDefault | undefined {
  const literal = call.arguments.map((argument) => unwrap(argument)).find(isBooleanLiteral);
  if (!literal) return undefined;
  const reads = call.arguments.some((argument) => environmentVariableName(argument) !== undefined);
  const getter =
    ts.isStringLiteralLike(unwrap(call.arguments[0] ?? call)) &&
    (memberPath(unwrap(call.expression)) ?? []).some((segment) => CONFIG_HOLDER.test(segment));
  if (!reads && !getter) return undefined;
  return { value: literal.kind === ts.SyntaxKind.TrueKeyword, source: `the default argument of \`${excerpt(call)}\`` };
}

/**
 * `config.isProduction || false` says "secure in production", like `secure: isProduction`: a run-time
 * condition, not a default the deployment forgets to change.
 */
const DEPLOYMENT_MODE = /prod|development|^(is)?dev|node_?env|mode$|stage/i;

/** A read of configuration: a member of something named for it, the environment, or a getter of either. */
function isConfigRead(expression: ts.Expression, file: FileContext): boolean {
  const written = unwrap(expression);
  // `const secureCookies = process.env.SECURE_COOKIES`: the variable's value (a member read is not
  // followed: it would end at the default it holds).
  const node = ts.isIdentifier(written) ? unwrap(resolveValue(written, file).node as ts.Expression) : written;
  const variable = environmentVariableName(node);
  if (variable !== undefined) return !DEPLOYMENT_MODE.test(variable);
  const read = ts.isCallExpression(node) ? unwrap(node.expression) : node;
  const path = memberPath(read);
  if (!path) return false;
  const key = ts.isCallExpression(node) && node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
  const name = key && ts.isStringLiteralLike(key) ? key.text : path.at(-1)!;
  if (DEPLOYMENT_MODE.test(name)) return false;
  // `env.X` reads a holder; `getEnv('X')`, `config.get('x')` call a getter of one.
  const holders = ts.isCallExpression(node) ? path : path.slice(0, -1);
  return holders.some((segment) => CONFIG_HOLDER.test(segment));
}

/**
 * `env.X` of `env = { ...DEFAULTS, ...process.env }`: a boolean the visible object holds only as a
 * default that a spread not seen here (the environment) may replace.
 */
function defaultsObjectValue(access: ts.Expression, file: FileContext): ConfiguredDefault | undefined {
  const values = memberValues(access, file);
  if (values?.length !== 1 || !values[0].overridable) return undefined;
  const value = unwrap(values[0].node);
  if (!isBooleanLiteral(value)) return undefined;
  const property = value.parent;
  const written = ts.isPropertyAssignment(property) ? excerpt(property) : excerpt(value);
  return { value: value.kind === ts.SyntaxKind.TrueKeyword, source: `\`${written}\` in ${values[0].file.path}` };
}

/** Source text for a message, on one line and cut short. */
function excerpt(node: ts.Node): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isBooleanLiteral(node: ts.Expression): boolean {
  return node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword;
}

/** This file, the local modules it imports, and those its importers import (siblings registered together). */
function nearbyFiles(file: FileContext): FileContext[] {
  const seen = new Set<FileContext>([file]);
  const add = (from: FileContext) => {
    for (const statement of from.sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const target = from.resolveImport(statement.moduleSpecifier.text);
      if (target) seen.add(target);
    }
  };
  add(file);
  for (const importer of file.importers) {
    seen.add(importer);
    add(importer);
  }
  return [...seen];
}

const schemaDefaults = new WeakMap<FileContext, Map<string, boolean>>();

/** `NAME: { type: 'boolean', default: true }` anywhere in the file. */
function schemaDefault(file: FileContext, name: string): boolean | undefined {
  let defaults = schemaDefaults.get(file);
  if (!defaults) {
    const found = new Map<string, boolean>();
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.initializer)) {
        const key = propertyNameText(node.name);
        let isBoolean = false;
        let fallback: boolean | undefined;
        for (const property of node.initializer.properties) {
          if (!ts.isPropertyAssignment(property)) continue;
          const field = propertyNameText(property.name);
          const value = unwrap(property.initializer);
          if (field === 'type' && ts.isStringLiteralLike(value) && value.text === 'boolean') isBoolean = true;
          if (field === 'default' && isBooleanLiteral(value)) fallback = value.kind === ts.SyntaxKind.TrueKeyword;
        }
        if (key && isBoolean && fallback !== undefined) found.set(key, fallback);
      }
      ts.forEachChild(node, visit);
    };
    if (/default/.test(file.text)) visit(file.sourceFile);
    defaults = found;
    schemaDefaults.set(file, defaults);
  }
  return defaults.get(name);
}

/** A string a config store hands out when the deployment does not set the key. */
export interface ConfigStoreDefault {
  /** The default value, a string literal in the store's schema or document. */
  literal: ts.StringLiteralLike;
  file: FileContext;
  /** The store and the key asked for, for messages: `convict` / `confidence`, `session.secret`. */
  store: string;
  key: string;
  /** When the default applies, for messages (`unless \`SESSION_SECRET\` is set`). */
  condition?: string;
}

/**
 * The default behind `config.get('<key>')` of a config store whose schema is in the source:
 * - convict: `convict({ session: { secret: { default: 'x', env: 'SESSION_SECRET' } } }).get('session.secret')`;
 * - confidence: `new Confidence.Store({ cookieSecret: { $filter: 'env', production: process.env.X,
 *   $default: 'x' } }).get('/cookieSecret', criteria)`, also through a local module whose `get(key)`
 *   returns `store.get(key, criteria)` (the usual config.js).
 * - node-config: `require('config').get('session.secret')` reads `config/default.{json,js,cjs,ts}` of the
 *   package (its `config` directory beside package.json); `config/custom-environment-variables.json`
 *   names the variable that overrides the key.
 * Undefined when the key, the store or the default cannot be seen.
 */
export function configStoreDefault(call: ts.CallExpression, file: FileContext): ConfigStoreDefault | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'get') return undefined;
  const key = call.arguments[0] && unwrap(call.arguments[0]);
  if (!key || !ts.isStringLiteralLike(key)) return undefined;
  return (
    storeDefault(callee.expression, key.text, file) ??
    nodeConfigDefault(callee.expression, key.text, file) ??
    delegatedDefault(callee, key.text, file)
  );
}

/** node-config: the package's `config/default.*` file, and the variable `custom-environment-variables` maps. */
function nodeConfigDefault(
  storeExpression: ts.Expression,
  key: string,
  file: FileContext,
): ConfigStoreDefault | undefined {
  if (!refersTo(moduleReferenceOf(unwrap(storeExpression)), 'config') || !file.manifest) return undefined;
  const path = key.split('.');
  const configFile = (name: string) => {
    for (const extension of ['.json', '.js', '.cjs', '.ts']) {
      let specifier = posixRelative(file.absPath, nodePath.join(file.manifest!.dir, 'config', `${name}${extension}`));
      if (!specifier.startsWith('.')) specifier = `./${specifier}`;
      const found = file.resolveImport(specifier);
      if (found) return found;
    }
    return undefined;
  };
  const defaults = configFile('default');
  const leaf = defaults && propertyAtPath(configDocument(defaults), path);
  const literal = leaf?.value && unwrap(leaf.value);
  if (!leaf || !literal || !ts.isStringLiteralLike(literal)) return undefined;
  const variables = configFile('custom-environment-variables');
  const mapped = variables && propertyAtPath(configDocument(variables), path);
  const variable = mapped?.value && unwrap(mapped.value);
  const condition = variable && ts.isStringLiteralLike(variable) ? `unless \`${variable.text}\` is set` : undefined;
  return { literal, file: leaf.file, store: 'node-config', key, condition };
}

/** The object a config file holds: a JSON document, or what a module exports. */
function configDocument(file: FileContext): ObjectView | undefined {
  const exported = findExport(file, 'default');
  return exported ? objectView(exported.node as ts.Expression, exported.file) : undefined;
}

/** A relative specifier from one file to another path, with `/` separators. */
function posixRelative(fromFile: string, to: string): string {
  return nodePath.relative(nodePath.dirname(fromFile), to).split(nodePath.sep).join('/');
}

function storeDefault(storeExpression: ts.Expression, key: string, file: FileContext): ConfigStoreDefault | undefined {
  const located = moduleExportValue(storeExpression, file);
  const store = unwrap(located.node as ts.Expression);
  if (ts.isCallExpression(store) && refersTo(moduleReferenceOf(store.expression), 'convict') && store.arguments[0]) {
    const leaf = viewAtPath(objectView(store.arguments[0], located.file), key.split('.'));
    const fallback = leaf?.properties.get('default');
    const literal = fallback?.value && unwrap(fallback.value);
    if (!leaf || !fallback || !literal || !ts.isStringLiteralLike(literal)) return undefined;
    const env = leaf.properties.get('env');
    const variable = env?.value && unwrap(env.value);
    const condition = variable && ts.isStringLiteralLike(variable) ? `unless \`${variable.text}\` is set` : undefined;
    return { literal, file: fallback.file, store: 'convict', key, condition };
  }
  if (ts.isNewExpression(store) && refersTo(moduleReferenceOf(store.expression), 'confidence', 'Store')) {
    const document = store.arguments?.[0];
    const leaf = document && viewAtPath(objectView(document, located.file), key.split('/').filter(Boolean));
    const fallback = leaf?.properties.get('$default');
    const literal = fallback?.value && unwrap(fallback.value);
    if (!leaf || !fallback || !literal || !ts.isStringLiteralLike(literal)) return undefined;
    // `$filter: 'env'` picks one of the listed values (`production: process.env.COOKIE_SECRET`) by the
    // criterion; every other value of it gets the default.
    const filter = staticValue(leaf.properties.get('$filter')?.value, located.file);
    const listed = [...leaf.properties.keys()].filter((name) => !name.startsWith('$'));
    const condition =
      filter?.kind === 'string' && listed.length > 0
        ? `unless the \`${filter.value}\` criterion is ${listed.map((name) => `\`${name}\``).join(' or ')}`
        : undefined;
    return { literal, file: fallback.file, store: 'confidence', key, condition };
  }
  return undefined;
}

/** `Config.get(key)` where `Config.get` is a local function returning `store.get(key, …)`. */
function delegatedDefault(
  callee: ts.PropertyAccessExpression,
  key: string,
  file: FileContext,
): ConfigStoreDefault | undefined {
  const located = resolveValue(callee, file);
  const fn = located.node;
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn) && !ts.isFunctionDeclaration(fn)) return undefined;
  const parameter = fn.parameters[0]?.name;
  if (!parameter || !ts.isIdentifier(parameter)) return undefined;
  for (const returned of returnedExpressions(fn)) {
    const inner = unwrap(returned);
    if (!ts.isCallExpression(inner)) continue;
    const innerCallee = unwrap(inner.expression);
    const passed = inner.arguments[0] && unwrap(inner.arguments[0]);
    if (!ts.isPropertyAccessExpression(innerCallee) || innerCallee.name.text !== 'get') continue;
    if (!passed || !ts.isIdentifier(passed) || passed.text !== parameter.text) continue;
    const found = storeDefault(innerCallee.expression, key, located.file);
    if (found) return found;
  }
  return undefined;
}

/** A value a config store hands out, as the expression that gives it (not only a default). */
export interface ConfigStoreValue {
  value: Located;
  /** The store and the key read, for messages: `@nestjs/config`, `auth.session.secret`. */
  store: string;
  key: string;
}

/**
 * The expression behind a read of a config store whose values are code: an @nestjs/config namespace
 * (`registerAs('auth', () => ({ session: { secret: process.env.S ?? 'x' } }))`) injected into a
 * parameter or read with `ConfigService.get('auth.session.secret')` (see src/models/nest-config.ts).
 * Its literal fallbacks are the store's defaults.
 */
export function configStoreValue(expression: ts.Expression, file: FileContext): ConfigStoreValue | undefined {
  const nest = nestConfigValue(expression, file);
  return nest && { value: nest.value, store: '@nestjs/config', key: nest.key };
}
