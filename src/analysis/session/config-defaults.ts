import nodePath from 'node:path';
import { ts } from '#typescript';
import type { FileContext } from '../../models/model.js';
import { nestConfigValue } from '../../models/nest-config.js';
import { moduleReferenceOf, refersTo } from '../imports.js';
import {
  environmentVariableName,
  findExport,
  type Located,
  moduleExportValue,
  type ObjectView,
  objectView,
  propertyAtPath,
  resolveValue,
  staticValue,
  viewAtPath,
} from '../values.js';
import { memberPath, propertyNameText, returnedExpressions, unwrap } from '../syntax.js';

/**
 * What a configured flag is when the deployment sets nothing: the default of a validated config value.
 * - a loader helper: `parseBoolean(process.env.COOKIE_SECURE, false)` (an environment read and a
 *   boolean literal among the call's arguments);
 * - a JSON schema (`@fastify/env`, env-schema, ajv): `config.COOKIE_SECURE` with
 *   `COOKIE_SECURE: { type: 'boolean', default: true }` in this file or in a module beside it (one
 *   imported by a file that imports this one: the app that registers both).
 * Undefined when no default can be read; a plain `process.env.X === 'true'` is a runtime condition.
 */
export function configuredDefault(expression: ts.Expression, file: FileContext): boolean | undefined {
  const resolved = resolveValue(expression, file);
  const node = resolved.node;
  if (ts.isCallExpression(node)) {
    const reads = node.arguments.some((argument) => environmentVariableName(argument) !== undefined);
    const literal = node.arguments.map((argument) => unwrap(argument)).find(isBooleanLiteral);
    if (reads && literal) return literal.kind === ts.SyntaxKind.TrueKeyword;
    return undefined;
  }
  const path = ts.isExpression(node as ts.Expression) ? memberPath(node as ts.Expression) : undefined;
  if (!path || path.length < 2 || !path.slice(0, -1).some((segment) => /config|env/i.test(segment))) return undefined;
  const name = path.at(-1)!;
  for (const candidate of nearbyFiles(file)) {
    const found = schemaDefault(candidate, name);
    if (found !== undefined) return found;
  }
  return undefined;
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
