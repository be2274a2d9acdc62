import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { callsOf, constructionsOf } from './call-sites.js';
import { memberChain, type ModuleReference, moduleReferenceOf } from './imports.js';
import { findDeclaration } from './scope.js';
import { enclosingClass, isFunctionLike, parameterProperty, propertyNameText, unwrap } from './syntax.js';

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
  if (!chain) return undefined;
  const received = receivedThrough(chain.root, chain.members);
  if (!received) return undefined;
  const base = parameterReference(received.parameter, file, depth, received.property);
  return base ? { module: base.module, path: [...base.path, ...received.members] } : undefined;
}

/**
 * The parameter a value arrives through, and the members read from it after that:
 * - `p` (a parameter);
 * - `{ passport }` destructured from an options parameter (`crewRoutes({ passport, bookings })`): the
 *   argument's `passport` member;
 * - `this.passport`, assigned from a constructor parameter (`constructor(passport) { this.passport =
 *   passport }`): what `new C(passport)` passes.
 */
export function receivedThrough(
  root: ts.Expression,
  members: string[],
): { parameter: ts.ParameterDeclaration; property?: string; members: string[] } | undefined {
  if (root.kind === ts.SyntaxKind.ThisKeyword) {
    const [field, ...rest] = members;
    const parameter = field === undefined ? undefined : constructorParameterStoredAs(root, field);
    return parameter ? { parameter, members: rest } : undefined;
  }
  if (!ts.isIdentifier(root)) return undefined;
  const declaration = findDeclaration(root);
  if (!declaration) return undefined;
  if (ts.isParameter(declaration))
    return ts.isIdentifier(declaration.name) ? { parameter: declaration, members } : undefined;
  if (!ts.isBindingElement(declaration) || declaration.dotDotDotToken) return undefined;
  const pattern = declaration.parent;
  const parameter = pattern.parent;
  const property = declaration.propertyName ?? declaration.name;
  if (!ts.isObjectBindingPattern(pattern) || !ts.isParameter(parameter) || !ts.isIdentifier(property)) return undefined;
  return { parameter, property: property.text, members };
}

/** The constructor parameter `this.<field>` is set from (`this.passport = passport` in the constructor). */
function constructorParameterStoredAs(thisNode: ts.Node, field: string): ts.ParameterDeclaration | undefined {
  const classNode = enclosingClass(thisNode);
  if (!classNode) return undefined;
  // `constructor(private readonly passport)`: a parameter property is the field itself.
  const property = parameterProperty(classNode, field);
  if (property) return property;
  const classConstructor = classNode.members.find(ts.isConstructorDeclaration);
  if (!classConstructor?.body) return undefined;
  for (const statement of classConstructor.body.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, right, operatorToken } = statement.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left)) continue;
    if (left.expression.kind !== ts.SyntaxKind.ThisKeyword || left.name.text !== field || !ts.isIdentifier(right))
      continue;
    const declaration = findDeclaration(right);
    if (declaration && ts.isParameter(declaration) && declaration.parent === classConstructor) return declaration;
  }
  return undefined;
}

const parameterCache = new WeakMap<ts.ParameterDeclaration, Map<string, ModuleReference | null>>();

function parameterReference(
  parameter: ts.ParameterDeclaration,
  file: FileContext,
  depth: number,
  property?: string,
): ModuleReference | undefined {
  let byProperty = parameterCache.get(parameter);
  if (!byProperty) {
    byProperty = new Map();
    parameterCache.set(parameter, byProperty);
  }
  const key = property ?? '';
  const cached = byProperty.get(key);
  if (cached !== undefined) return cached ?? undefined;
  byProperty.set(key, null); // recursion guard
  const found =
    (property === undefined ? typedReference(parameter) : undefined) ??
    callerReference(parameter, file, depth, property);
  byProperty.set(key, found ?? null);
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
  property?: string,
): ModuleReference | undefined {
  const fn = parameter.parent;
  if (!isFunctionLike(fn)) return undefined;
  const index = fn.parameters.indexOf(parameter);
  const callers: { call: ts.CallExpression | ts.NewExpression; file: FileContext }[] = ts.isConstructorDeclaration(fn)
    ? constructionsOf(fn, file)
    : callsOf(fn, file);
  let agreed: ModuleReference | undefined;
  for (const { call, file: callerFile } of callers) {
    const passed = call.arguments?.[index];
    if (!passed || ts.isSpreadElement(passed)) return undefined;
    // An options object: the member the destructuring names (`{ passport }` or `{ passport: auth }`).
    const argument = property === undefined ? passed : memberPassed(passed, property);
    if (!argument) continue;
    const reference = referenceThrough(argument, callerFile, depth + 1);
    if (!reference) continue;
    if (agreed && (agreed.module !== reference.module || agreed.path.join('.') !== reference.path.join('.')))
      return undefined;
    agreed = reference;
  }
  return agreed;
}

/** The value an object literal argument gives `property` (shorthand or assignment). */
function memberPassed(argument: ts.Expression, property: string): ts.Expression | undefined {
  const literal = unwrap(argument);
  if (!ts.isObjectLiteralExpression(literal)) return undefined;
  for (const element of literal.properties) {
    if (ts.isShorthandPropertyAssignment(element) && element.name.text === property) return element.name;
    if (ts.isPropertyAssignment(element) && propertyNameText(element.name) === property) return element.initializer;
  }
  return undefined;
}
