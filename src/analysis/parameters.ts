import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { callsOf } from './call-sites.js';
import { memberChain, type ModuleReference, moduleReferenceOf } from './imports.js';
import { findDeclaration } from './scope.js';
import { isFunctionLike } from './syntax.js';

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
  const chain = memberChain(expression);
  if (!chain || !ts.isIdentifier(chain.root)) return undefined;
  const { root, members } = chain;
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
