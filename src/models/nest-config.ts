import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { decoratorsOf } from '../analysis/handlers.js';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import {
  accessedName,
  enclosingClass,
  isFunctionLike,
  parameterProperty,
  propertyNameText,
  returnedExpressions,
  unwrap,
} from '../analysis/syntax.js';
import { type Located, objectView, propertyAtPath, resolveValue } from '../analysis/values.js';

/**
 * @nestjs/config namespaces, a config store whose values are written in the source:
 * `export const authConfig = registerAs('auth', () => ({ session: { secret: process.env.S ?? 'x' } }))`.
 * A namespace reaches code as the object its factory returns, injected
 * - into a parameter typed `ConfigType<typeof authConfig>` (directly or through a type alias);
 * - into a parameter decorated `@Inject(authConfig.KEY)`, or with a local decorator returning that
 *   (`export const AuthConfig = () => Inject(authConfig.KEY)`);
 * - into a `useFactory` parameter whose `inject: [authConfig.KEY]` entry sits at the same index;
 * or read by key: `configService.get('auth.session.secret')`, `get<ConfigType<typeof authConfig>>('auth')`.
 */
export interface NestConfigValue {
  /** The expression the factory gives the key. */
  value: Located;
  /** The key read, namespace first: `auth.session.secret`. */
  key: string;
}

/** The namespace value a member read (`this.config.session.secret`) or a `ConfigService.get` call stands for. */
export function nestConfigValue(expression: ts.Expression, file: FileContext): NestConfigValue | undefined {
  const inner = unwrap(expression);
  if (ts.isCallExpression(inner)) return configServiceRead(inner, [], file);
  const path: string[] = [];
  let root = inner;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) {
    // `this.config.session.secret`: the parameter property `config` is the root.
    if (ts.isPropertyAccessExpression(root) && root.expression.kind === ts.SyntaxKind.ThisKeyword) break;
    const name = accessedName(root);
    if (name === undefined) return undefined;
    path.unshift(name);
    root = unwrap(root.expression);
  }
  if (path.length === 0) return undefined;
  if (ts.isCallExpression(root)) return configServiceRead(root, path, file);
  const parameter = injectedParameter(root);
  const namespace = parameter && injectedNamespace(parameter, file);
  return namespace && namespaceValue(namespace, path);
}

interface Namespace {
  name: string;
  factory: ts.FunctionLikeDeclaration;
  file: FileContext;
}

/** `registerAs('auth', () => ({ … }))` behind an expression. */
function namespaceOf(expression: ts.Expression, file: FileContext): Namespace | undefined {
  const located = resolveValue(expression, file);
  const call = located.node;
  if (!ts.isCallExpression(call) || !refersTo(moduleReferenceOf(call.expression), '@nestjs/config', 'registerAs'))
    return undefined;
  const [name, factory] = call.arguments;
  const fn = factory && resolveValue(factory, located.file);
  if (!name || !ts.isStringLiteralLike(unwrap(name)) || !fn || !isFunctionLike(fn.node)) return undefined;
  return { name: (unwrap(name) as ts.StringLiteralLike).text, factory: fn.node, file: fn.file };
}

/** The value at `path` of the object the namespace's factory returns. */
function namespaceValue(namespace: Namespace, path: string[]): NestConfigValue | undefined {
  for (const returned of returnedExpressions(namespace.factory)) {
    const property = propertyAtPath(objectView(returned, namespace.file), path);
    if (property?.value)
      return { value: { node: property.value, file: property.file }, key: [namespace.name, ...path].join('.') };
  }
  return undefined;
}

/** The parameter a read starts from: a plain parameter, or the parameter property behind `this.x`. */
function injectedParameter(root: ts.Expression): ts.ParameterDeclaration | undefined {
  if (ts.isIdentifier(root)) {
    const declaration = findDeclaration(root);
    return declaration && ts.isParameter(declaration) ? declaration : undefined;
  }
  if (!ts.isPropertyAccessExpression(root) || root.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const owner = enclosingClass(root);
  return owner && parameterProperty(owner, root.name.text);
}

/** The namespace a parameter receives: by its type, its decorator, or its factory's `inject` list. */
function injectedNamespace(parameter: ts.ParameterDeclaration, file: FileContext): Namespace | undefined {
  return (
    (parameter.type && typedNamespace(parameter.type, file, 0)) ??
    decoratedNamespace(parameter, file) ??
    factoryInjectedNamespace(parameter, file)
  );
}

/** `ConfigType<typeof authConfig>`, or an alias of it (`IAuthConfig`), local or imported. */
function typedNamespace(type: ts.TypeNode, file: FileContext, depth: number): Namespace | undefined {
  if (depth > 3 || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
  const argument = type.typeArguments?.[0];
  if (type.typeName.text === 'ConfigType' && argument && ts.isTypeQueryNode(argument)) {
    return ts.isIdentifier(argument.exprName) ? namespaceOf(argument.exprName, file) : undefined;
  }
  const alias = typeAlias(type.typeName, file);
  return alias && typedNamespace(alias.node, alias.file, depth + 1);
}

/** The type a type alias name stands for, following one import of a local module. */
function typeAlias(name: ts.Identifier, file: FileContext): Located<ts.TypeNode> | undefined {
  const declaration = findDeclaration(name);
  if (!declaration) return localAlias(file, name.text);
  if (!ts.isImportSpecifier(declaration)) return undefined;
  const specifier = declaration.parent.parent.parent.moduleSpecifier;
  const target = ts.isStringLiteralLike(specifier) ? file.resolveImport(specifier.text) : undefined;
  return target && localAlias(target, (declaration.propertyName ?? declaration.name).text);
}

function localAlias(file: FileContext, name: string): Located<ts.TypeNode> | undefined {
  for (const statement of file.sourceFile.statements) {
    if (ts.isTypeAliasDeclaration(statement) && statement.name.text === name) return { node: statement.type, file };
  }
  return undefined;
}

/** `@Inject(authConfig.KEY)`, or `@AuthConfig()` with `const AuthConfig = () => Inject(authConfig.KEY)`. */
function decoratedNamespace(parameter: ts.ParameterDeclaration, file: FileContext): Namespace | undefined {
  for (const decorator of decoratorsOf(parameter)) {
    const call = unwrap(decorator.expression);
    if (!ts.isCallExpression(call)) continue;
    const found = injectCallNamespace(call, file);
    if (found) return found;
    const helper = resolveValue(call.expression, file);
    if (!isFunctionLike(helper.node)) continue;
    for (const returned of returnedExpressions(helper.node)) {
      const inner = unwrap(returned);
      const viaHelper = ts.isCallExpression(inner) ? injectCallNamespace(inner, helper.file) : undefined;
      if (viaHelper) return viaHelper;
    }
  }
  return undefined;
}

function injectCallNamespace(call: ts.CallExpression, file: FileContext): Namespace | undefined {
  if (!refersTo(moduleReferenceOf(call.expression), '@nestjs/common', 'Inject') || !call.arguments[0]) return undefined;
  return keyNamespace(call.arguments[0], file);
}

/** `authConfig.KEY`: the token of a namespace. */
function keyNamespace(expression: ts.Expression, file: FileContext): Namespace | undefined {
  const key = unwrap(expression);
  if (!ts.isPropertyAccessExpression(key) || key.name.text !== 'KEY') return undefined;
  return namespaceOf(key.expression, file);
}

/** `{ inject: [authConfig.KEY], useFactory: (config) => … }`: the entry at the parameter's index. */
function factoryInjectedNamespace(parameter: ts.ParameterDeclaration, file: FileContext): Namespace | undefined {
  const fn = parameter.parent;
  const index = fn.parameters.indexOf(parameter);
  const holder = ts.isMethodDeclaration(fn) ? fn : fn.parent;
  const property = ts.isMethodDeclaration(holder) || ts.isPropertyAssignment(holder) ? holder : undefined;
  if (!property || propertyNameText(property.name) !== 'useFactory') return undefined;
  const options = property.parent;
  if (!ts.isObjectLiteralExpression(options)) return undefined;
  const inject = options.properties.find(
    (element): element is ts.PropertyAssignment =>
      ts.isPropertyAssignment(element) && propertyNameText(element.name) === 'inject',
  );
  const list = inject && unwrap(inject.initializer);
  const entry = list && ts.isArrayLiteralExpression(list) ? list.elements[index] : undefined;
  return entry && !ts.isSpreadElement(entry) ? keyNamespace(entry, file) : undefined;
}

/**
 * `configService.get('auth.session.secret')` (also `getOrThrow`), or `get<ConfigType<typeof authConfig>>('auth')`
 * followed by `path`: the namespace named by the key's first segment, found through the type argument
 * or among the modules around the reading file.
 */
function configServiceRead(call: ts.CallExpression, path: string[], file: FileContext): NestConfigValue | undefined {
  const callee = unwrap(call.expression);
  const method = accessedName(callee);
  if (method !== 'get' && method !== 'getOrThrow') return undefined;
  const key = call.arguments[0] && unwrap(call.arguments[0]);
  if (!key || !ts.isStringLiteralLike(key)) return undefined;
  const [name, ...rest] = key.text.split('.');
  const typed = call.typeArguments?.[0] && typedNamespace(call.typeArguments[0], file, 0);
  const namespace = typed?.name === name ? typed : namedNamespace(name, file);
  return namespace && namespaceValue(namespace, [...rest, ...path]);
}

/**
 * A `registerAs(name, …)` in this file, the local modules it imports, its importers, or the modules
 * those import, two steps deep: the config module a feature module registers (`ConfigModule.forFeature(authConfig)`)
 * sits beside it. Namespaces read by key from farther away are not searched.
 */
function namedNamespace(name: string, file: FileContext): Namespace | undefined {
  if (!file.importedModules.has('@nestjs/config')) return undefined;
  const seen = new Set<FileContext>();
  let frontier = [file, ...file.importers];
  for (let step = 0; step < 3 && frontier.length > 0; step++) {
    const next: FileContext[] = [];
    for (const candidate of frontier) {
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      const found = registeredNamespace(candidate, name);
      if (found) return found;
      for (const specifier of candidate.importedModules) {
        if (!specifier.startsWith('.')) continue;
        const target = candidate.resolveImport(specifier);
        if (target && !seen.has(target)) next.push(target);
      }
    }
    frontier = next;
  }
  return undefined;
}

function registeredNamespace(file: FileContext, name: string): Namespace | undefined {
  if (!file.text.includes('registerAs')) return undefined;
  let found: Namespace | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(unwrap(node.expression))) {
      const namespace = namespaceOf(node, file);
      if (namespace?.name === name) {
        found = namespace;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sourceFile);
  return found;
}
