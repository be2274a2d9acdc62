import { ts } from 'ts-morph';
import type { FileContext } from '../analysis/file-context.js';
import { type ModuleReference, moduleReferenceOf } from './imports.js';
import { findDeclaration } from './scope.js';
import { accessedName, isFunctionLike, unwrap } from './syntax.js';
import { findExport, resolveValue } from './values.js';

/**
 * Library objects often arrive as parameters instead of imports: a router factory
 * `module.exports = (passport) => …` called as `accountRoutes(passport)`, or a typed parameter
 * `auth: PassportStatic`. This follows such a parameter to the module it stands for:
 * - a parameter whose declared type is imported from a package is an instance of that package's
 *   main export (`auth: PassportStatic` → passport's default export);
 * - an untyped parameter takes the module reference of the arguments passed at its call sites, in its
 *   own file and in the scanned files that import it, when all of them agree.
 * Anything else stays unknown: a parameter that no visible caller fills says nothing.
 */
export function moduleReferenceThrough(expression: ts.Expression, file: FileContext): ModuleReference | undefined {
  return referenceThrough(expression, file, 0);
}

const MAX_DEPTH = 3;

function referenceThrough(expression: ts.Expression, file: FileContext, depth: number): ModuleReference | undefined {
  const direct = moduleReferenceOf(expression);
  if (direct || depth > MAX_DEPTH) return direct;
  const members: string[] = [];
  let root = unwrap(expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) {
    const name = accessedName(root);
    if (name === undefined) return undefined;
    members.unshift(name);
    root = unwrap(root.expression);
  }
  if (!ts.isIdentifier(root)) return undefined;
  const declaration = findDeclaration(root);
  if (!declaration || !ts.isParameter(declaration) || !ts.isIdentifier(declaration.name)) return undefined;
  const base = parameterReference(declaration, file, depth);
  return base ? { module: base.module, path: [...base.path, ...members] } : undefined;
}

const parameterCache = new WeakMap<ts.ParameterDeclaration, ModuleReference | null>();

function parameterReference(
  parameter: ts.ParameterDeclaration,
  file: FileContext,
  depth: number,
): ModuleReference | undefined {
  const cached = parameterCache.get(parameter);
  if (cached !== undefined) return cached ?? undefined;
  parameterCache.set(parameter, null); // recursion guard
  const found = typedReference(parameter) ?? callerReference(parameter, file, depth);
  parameterCache.set(parameter, found ?? null);
  return found;
}

/** `auth: PassportStatic` with `import type { PassportStatic } from 'passport'` → passport's default export. */
function typedReference(parameter: ts.ParameterDeclaration): ModuleReference | undefined {
  const type = parameter.type;
  if (!type || !ts.isTypeReferenceNode(type)) return undefined;
  let name: ts.EntityName = type.typeName;
  while (ts.isQualifiedName(name)) name = name.left;
  const typeModule = moduleReferenceOf(name as unknown as ts.Expression);
  // Only package types: a local interface says nothing about which library implements it.
  if (!typeModule || typeModule.module.startsWith('.')) return undefined;
  return { module: typeModule.module, path: ['default'] };
}

/** The reference every visible caller passes for this parameter, when they agree. */
function callerReference(
  parameter: ts.ParameterDeclaration,
  file: FileContext,
  depth: number,
): ModuleReference | undefined {
  const fn = parameter.parent;
  if (!isFunctionLike(fn)) return undefined;
  const index = fn.parameters.indexOf(parameter);
  let agreed: ModuleReference | undefined;
  for (const { call, file: callerFile } of callsOf(fn, file)) {
    const argument = call.arguments[index];
    if (!argument || ts.isSpreadElement(argument)) return undefined;
    const reference = referenceThrough(argument, callerFile, depth + 1);
    if (!reference) continue;
    if (agreed && (agreed.module !== reference.module || agreed.path.join('.') !== reference.path.join('.')))
      return undefined;
    agreed = reference;
  }
  return agreed;
}

/** Calls of `fn` in its own file and in the scanned files that import that file. */
function callsOf(fn: ts.FunctionLikeDeclaration, file: FileContext): { call: ts.CallExpression; file: FileContext }[] {
  const calls: { call: ts.CallExpression; file: FileContext }[] = [];
  for (const caller of [file, ...file.importers]) {
    for (const call of callExpressions(caller)) {
      if (calledFunction(call, caller) === fn) calls.push({ call, file: caller });
    }
  }
  return calls;
}

/** The node a call invokes, following `const f = require('./m')` to what `./m` exports as a whole. */
function calledFunction(call: ts.CallExpression, file: FileContext): ts.Node {
  const resolved = resolveValue(call.expression, file);
  const node = resolved.node;
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
    const specifier = node.arguments[0];
    const target =
      specifier && ts.isStringLiteralLike(specifier) ? resolved.file.resolveImport(specifier.text) : undefined;
    const exported = target && findExport(target, 'default');
    if (exported && ts.isExpression(exported.node)) return resolveValue(exported.node, exported.file).node;
  }
  return node;
}

const callsByFile = new WeakMap<ts.SourceFile, ts.CallExpression[]>();

function callExpressions(file: FileContext): ts.CallExpression[] {
  let calls = callsByFile.get(file.sourceFile);
  if (!calls) {
    const found: ts.CallExpression[] = [];
    const stack: ts.Node[] = [file.sourceFile];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (ts.isCallExpression(node)) found.push(node);
      ts.forEachChild(node, (child) => {
        stack.push(child);
      });
    }
    calls = found;
    callsByFile.set(file.sourceFile, calls);
  }
  return calls;
}
