import { ts } from '#typescript';
import { findDeclaration } from './scope.js';
import { memberChain, stringValue, unwrap } from './syntax.js';

export { memberChain };

/**
 * Where a value comes from in terms of a module: `import session from 'express-session'` makes
 * `session` → { module: 'express-session', path: ['default'] }; `AWS.DynamoDB.DocumentClient` with
 * `import * as AWS from 'aws-sdk'` → { module: 'aws-sdk', path: ['DynamoDB', 'DocumentClient'] }.
 * CommonJS `require('m')` is recorded as the default export, which is what ESM interop gives.
 */
export interface ModuleReference {
  module: string;
  path: string[];
}

const MODULE_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;

/**
 * Every module specifier a file imports, re-exports or requires (anywhere, including inline
 * `require('x')` calls), found by a text scan: enabling models must not cost a walk of the file.
 * A specifier inside a comment or string can enable a model needlessly, never hide one.
 */
export function importedModules(sourceFile: ts.SourceFile): Set<string> {
  return importedModulesInText(sourceFile.text);
}

/** The same text scan over source text that is not parsed. */
export function importedModulesInText(text: string): Set<string> {
  const modules = new Set<string>();
  for (const match of text.matchAll(MODULE_SPECIFIER)) modules.add(match[1]);
  return modules;
}

/** `require('m')`, `require('m').a.b`, `await import('m')` → the module and member path. */
export function requiredModule(expression: ts.Expression): ModuleReference | undefined {
  let start = unwrap(expression);
  if (ts.isAwaitExpression(start)) start = unwrap(start.expression);
  const chain = memberChain(start);
  if (!chain) return undefined;
  const { root: current, members: path } = chain;
  if (!ts.isCallExpression(current) || current.arguments.length !== 1) return undefined;
  const isRequire = ts.isIdentifier(current.expression) && current.expression.text === 'require';
  const isDynamicImport = current.expression.kind === ts.SyntaxKind.ImportKeyword;
  if (!isRequire && !isDynamicImport) return undefined;
  const module = stringValue(current.arguments[0]);
  if (!module) return undefined;
  return { module, path: isRequire && path[0] !== 'default' ? ['default', ...path] : path };
}

/**
 * Resolves an expression to the module export it refers to, following identifiers to their import or
 * `require` declaration and member accesses on top. Bounded by the expression's own depth.
 */
const referenceOf = new WeakMap<ts.Expression, ModuleReference | null>();

export function moduleReferenceOf(expression: ts.Expression): ModuleReference | undefined {
  const cached = referenceOf.get(expression);
  if (cached !== undefined) return cached ?? undefined;
  const reference = computeModuleReference(expression);
  referenceOf.set(expression, reference ?? null);
  return reference;
}

function computeModuleReference(expression: ts.Expression): ModuleReference | undefined {
  const chain = memberChain(expression);
  if (!chain) return undefined;
  const { root: current, members } = chain;
  const direct = requiredModule(current);
  if (direct) return { module: direct.module, path: [...direct.path, ...members] };
  if (!ts.isIdentifier(current)) return undefined;
  const declaration = findDeclaration(current);
  if (!declaration) return undefined;
  const base = referenceOfDeclaration(declaration);
  return base ? { module: base.module, path: [...base.path, ...members] } : undefined;
}

function referenceOfDeclaration(declaration: ts.Node): ModuleReference | undefined {
  if (ts.isImportClause(declaration)) {
    const module = stringValue(declaration.parent.moduleSpecifier as ts.Expression);
    return module ? { module, path: ['default'] } : undefined;
  }
  if (ts.isNamespaceImport(declaration)) {
    const module = stringValue(declaration.parent.parent.moduleSpecifier as ts.Expression);
    return module ? { module, path: [] } : undefined;
  }
  if (ts.isImportSpecifier(declaration)) {
    const module = stringValue(declaration.parent.parent.parent.moduleSpecifier as ts.Expression);
    const imported = (declaration.propertyName ?? declaration.name).text;
    return module ? { module, path: [imported] } : undefined;
  }
  if (ts.isImportEqualsDeclaration(declaration) && ts.isExternalModuleReference(declaration.moduleReference)) {
    const module = stringValue(declaration.moduleReference.expression);
    return module ? { module, path: ['default'] } : undefined;
  }
  if (ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isIdentifier(declaration.name)) {
    return requiredModule(declaration.initializer);
  }
  if (ts.isBindingElement(declaration)) {
    // `const { Store } = require('express-session')`
    const pattern = declaration.parent;
    const holder = pattern.parent;
    if (ts.isObjectBindingPattern(pattern) && ts.isVariableDeclaration(holder) && holder.initializer) {
      const base = requiredModule(holder.initializer);
      const key = declaration.propertyName ?? declaration.name;
      if (base && ts.isIdentifier(key)) {
        const path = base.path[0] === 'default' && base.path.length === 1 ? [key.text] : [...base.path, key.text];
        return { module: base.module, path };
      }
    }
  }
  return undefined;
}

/**
 * Whether a reference names `exportName` of `module`, accepting the interop spellings
 * (`default.X` for CommonJS packages reached through a default import, or the namespace).
 * `exportName` 'default' matches the module's default export (or the CommonJS module itself).
 */
export function refersTo(reference: ModuleReference | undefined, module: string, exportName = 'default'): boolean {
  if (!reference || reference.module !== module) return false;
  const path = reference.path;
  if (exportName === 'default') return path.length === 1 && path[0] === 'default';
  return (
    (path.length === 1 && path[0] === exportName) ||
    (path.length === 2 && path[0] === 'default' && path[1] === exportName)
  );
}

export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..';
}
