import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { functionOf } from '../analysis/handlers.js';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import { returnedExpressions, unwrap } from '../analysis/syntax.js';
import { namesModule } from './session-options.js';

/**
 * The packages that export Remix's session API (React Router v7 took it over unchanged): the runtime
 * adapters, the old `remix` magic package, and the hosts' re-exports.
 */
export const REMIX_RUNTIMES = [
  '@remix-run/node',
  '@remix-run/cloudflare',
  '@remix-run/deno',
  '@remix-run/server-runtime',
  '@remix-run/architect',
  '@vercel/remix',
  'remix',
  'react-router',
  '@react-router/node',
  '@react-router/cloudflare',
  '@react-router/architect',
];

/** Storages that keep only an id in the cookie and the data on the server (memory, files, KV, a DynamoDB table via Architect, or your own `createData`). */
export const ID_STORAGES = [
  'createSessionStorage',
  'createMemorySessionStorage',
  'createFileSessionStorage',
  'createWorkersKVSessionStorage',
  'createArcTableSessionStorage',
];

const COOKIE_STORAGES = ['createCookieSessionStorage'];

/** A call of one of the runtimes' named exports: which one, or undefined. */
export function remixExportCalled(
  call: ts.CallExpression,
  file: FileContext,
  names: readonly string[],
): string | undefined {
  if (!namesModule(file, REMIX_RUNTIMES)) return undefined;
  const reference = moduleReferenceOf(call.expression);
  if (!reference) return undefined;
  return names.find((name) => REMIX_RUNTIMES.some((module) => refersTo(reference, module, name)));
}

/**
 * Where a storage keeps its sessions: `id` (on the server, under the id the cookie carries:
 * `commitSession` keeps that id, only a session without one gets a new id from `createData`), or
 * `cookie` (`createCookieSessionStorage`: the data is sealed into the cookie, there is no id to plant).
 */
export type StorageKind = 'id' | 'cookie';

/** The storage's methods, as apps call them on the storage or destructure them from it. */
export type StorageMethod = 'getSession' | 'commitSession' | 'destroySession';
const STORAGE_METHODS: ReadonlySet<string> = new Set<StorageMethod>(['getSession', 'commitSession', 'destroySession']);

/** Bound on the hops from a method to its factory call (bindings, imports, re-exports, wrapper factories). */
const MAX_HOPS = 8;

/**
 * The storage method a callee names, by the name it is bound under where it comes from:
 * `storage.getSession`, `getSession` destructured from a storage or imported (also renamed:
 * `import { getSession as getRemixSession }`). Cheap: no module is read.
 */
export function storageMethodOf(callee: ts.Expression): StorageMethod | undefined {
  const inner = unwrap(callee);
  let name: string | undefined;
  if (ts.isPropertyAccessExpression(inner)) name = inner.name.text;
  else if (ts.isIdentifier(inner)) {
    const declaration = findDeclaration(inner);
    if (declaration && (ts.isImportSpecifier(declaration) || ts.isBindingElement(declaration))) {
      const key = declaration.propertyName ?? declaration.name;
      name = ts.isIdentifier(key) ? key.text : undefined;
    } else name = inner.text;
  }
  return name !== undefined && STORAGE_METHODS.has(name) ? (name as StorageMethod) : undefined;
}

const kinds = new WeakMap<ts.Node, StorageKind | null>();

/**
 * The kind of storage a storage method belongs to (`storage.getSession`, a destructured
 * `getSession`), followed through bindings, local imports and re-exports, namespace imports and the
 * application's own factories returning a storage (`createKvSessionStorage({ cookie })`) to the
 * runtime's factory call. Undefined when that call cannot be seen.
 */
export function storageKindOf(callee: ts.Expression, file: FileContext): StorageKind | undefined {
  const known = kinds.get(callee);
  if (known !== undefined) return known ?? undefined;
  const kind = storageOf(callee, file, 0);
  kinds.set(callee, kind ?? null);
  return kind;
}

function storageOf(expression: ts.Expression, file: FileContext, hops: number): StorageKind | undefined {
  if (hops > MAX_HOPS) return undefined;
  let inner = unwrap(expression);
  if (ts.isAwaitExpression(inner)) inner = unwrap(inner.expression);
  if (ts.isCallExpression(inner)) return factoryKind(inner, file, hops);
  if (ts.isPropertyAccessExpression(inner)) {
    const object = unwrap(inner.expression);
    // `sessions.sessionStorage` of `import * as sessions from '~/sessions.server'`
    const module = ts.isIdentifier(object) ? namespaceModule(object, file) : undefined;
    if (module) return exportedStorage(module, inner.name.text, hops + 1);
    return STORAGE_METHODS.has(inner.name.text) ? storageOf(object, file, hops + 1) : undefined;
  }
  if (!ts.isIdentifier(inner)) return undefined;
  const declaration = findDeclaration(inner);
  return declaration ? declaredStorage(declaration, file, hops + 1) : undefined;
}

function declaredStorage(declaration: ts.Node, file: FileContext, hops: number): StorageKind | undefined {
  if (ts.isVariableDeclaration(declaration)) {
    return ts.isIdentifier(declaration.name) && declaration.initializer
      ? storageOf(declaration.initializer, file, hops)
      : undefined;
  }
  if (ts.isBindingElement(declaration)) {
    // `const { getSession, commitSession } = createFileSessionStorage(…)` (or `= storage`)
    const key = declaration.propertyName ?? declaration.name;
    const holder = declaration.parent.parent;
    if (!ts.isObjectBindingPattern(declaration.parent) || !ts.isIdentifier(key) || !STORAGE_METHODS.has(key.text))
      return undefined;
    return ts.isVariableDeclaration(holder) && holder.initializer
      ? storageOf(holder.initializer, file, hops)
      : undefined;
  }
  if (ts.isImportSpecifier(declaration) || ts.isImportClause(declaration)) {
    const importDeclaration = ts.isImportSpecifier(declaration) ? declaration.parent.parent.parent : declaration.parent;
    const specifier = importDeclaration.moduleSpecifier;
    if (!ts.isStringLiteralLike(specifier)) return undefined;
    const module = file.resolveImport(specifier.text);
    const name = ts.isImportSpecifier(declaration) ? (declaration.propertyName ?? declaration.name).text : 'default';
    return module ? exportedStorage(module, name, hops) : undefined;
  }
  return undefined;
}

/**
 * `createFileSessionStorage(…)` and the other runtime factories; or a function of the application
 * every `return` of which is a storage of one kind.
 */
function factoryKind(call: ts.CallExpression, file: FileContext, hops: number): StorageKind | undefined {
  if (remixExportCalled(call, file, ID_STORAGES)) return 'id';
  if (remixExportCalled(call, file, COOKIE_STORAGES)) return 'cookie';
  const target = functionOf(call.expression, file);
  if (!target) return undefined;
  const returned = returnedExpressions(target.fn).map((value) => storageOf(value, target.file, hops + 1));
  return returned.length > 0 && returned.every((kind) => kind !== undefined && kind === returned[0])
    ? returned[0]
    : undefined;
}

function namespaceModule(identifier: ts.Identifier, file: FileContext): FileContext | undefined {
  const declaration = findDeclaration(identifier);
  if (!declaration || !ts.isNamespaceImport(declaration)) return undefined;
  const specifier = declaration.parent.parent.moduleSpecifier;
  return ts.isStringLiteralLike(specifier) ? file.resolveImport(specifier.text) : undefined;
}

/**
 * The storage a module exports under `name`: `export const storage = …`, `export const { getSession }
 * = …`, `export { getSession }` of a local binding, `export { getSession } from './x'`, `export * from
 * './x'`, `export default storage`.
 */
function exportedStorage(module: FileContext, name: string, hops: number): StorageKind | undefined {
  if (hops > MAX_HOPS) return undefined;
  for (const statement of module.sourceFile.statements) {
    if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) {
          if (declaration.name.text === name) return declaredStorage(declaration, module, hops + 1);
          continue;
        }
        if (!ts.isObjectBindingPattern(declaration.name)) continue;
        const element = declaration.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === name);
        if (element) return declaredStorage(element, module, hops + 1);
      }
    }
    if (ts.isExportAssignment(statement) && name === 'default')
      return storageOf(statement.expression, module, hops + 1);
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly) continue;
    const specifier = statement.moduleSpecifier;
    const from = specifier && ts.isStringLiteralLike(specifier) ? module.resolveImport(specifier.text) : undefined;
    if (!statement.exportClause) {
      // `export * from './x'`
      const kind = from ? exportedStorage(from, name, hops + 1) : undefined;
      if (kind) return kind;
      continue;
    }
    if (!ts.isNamedExports(statement.exportClause)) continue;
    const element = statement.exportClause.elements.find((e) => e.name.text === name);
    if (!element) continue;
    const local = element.propertyName ?? element.name;
    if (!ts.isIdentifier(local)) return undefined;
    if (specifier) return from ? exportedStorage(from, local.text, hops + 1) : undefined;
    const declaration = findDeclaration(local);
    return declaration ? declaredStorage(declaration, module, hops + 1) : undefined;
  }
  return undefined;
}

function isExported(statement: ts.VariableStatement): boolean {
  return statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}
