import { ts } from 'ts-morph';
import type { FileContext } from './file-context.js';
import { findDeclaration, isConstDeclaration } from './scope.js';
import { propertyNameText, someDescendant, unwrap } from './syntax.js';

/** An expression together with the file it lives in (values can be followed across local imports). */
export interface Located<N extends ts.Node = ts.Expression> {
  node: N;
  file: FileContext;
  /**
   * The helper call the value was reached through (`this.key(oldId)` for `pk: \`SESSION#${id}\``):
   * two values with the same text in the helper differ when their calls differ.
   */
  via?: ts.CallExpression;
}

export interface PropertyView {
  name: string;
  /** The property node itself (assignment, shorthand or method), for locations and fixes. */
  property: ts.ObjectLiteralElementLike;
  /** The value expression; for methods, the method declaration is in `property`. */
  value?: ts.Expression;
  file: FileContext;
  /** Set when the object literal was built by a helper call (see `Located.via`). */
  via?: ts.CallExpression;
}

export interface ObjectView {
  literal: ts.ObjectLiteralExpression;
  file: FileContext;
  properties: Map<string, PropertyView>;
  /** False when a spread or computed key could not be seen: an absent key is then no evidence. */
  complete: boolean;
}

const MAX_RESOLVE_DEPTH = 12;

/**
 * Follows an expression through `const` bindings (and `let`/`var` with an initializer that are never
 * reassigned in the same scope — approximated by accepting the initializer) and through named/default
 * imports of local modules, to the expression that produces the value.
 */
export function resolveValue(expression: ts.Expression, file: FileContext, depth = 0): Located<ts.Node> {
  const inner = unwrap(expression);
  if (depth >= MAX_RESOLVE_DEPTH) return { node: inner, file };
  if (isThisMember(inner)) {
    const initializer = classFieldInitializer(inner);
    return initializer ? resolveValue(initializer, file, depth + 1) : { node: inner, file };
  }
  if (!ts.isIdentifier(inner)) return { node: inner, file };
  const declaration = findDeclaration(inner);
  if (!declaration) return { node: inner, file };
  if (ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isIdentifier(declaration.name)) {
    if (!isConstDeclaration(declaration) && isReassigned(declaration)) return { node: inner, file };
    return resolveValue(declaration.initializer, file, depth + 1);
  }
  // A function or class declaration is the value its name denotes (`app.post('/x', handler)`).
  if (ts.isFunctionDeclaration(declaration) || ts.isClassDeclaration(declaration)) return { node: declaration, file };
  const imported = importedDeclaration(declaration, file);
  if (imported) return resolveValue(imported.node as ts.Expression, imported.file, depth + 1);
  return { node: inner, file };
}

/** For an import binding of a local module, the exported expression it names (cross-file). */
export function importedDeclaration(declaration: ts.Node, file: FileContext): Located<ts.Node> | undefined {
  let specifier: string | undefined;
  let exportName: string | undefined;
  if (ts.isImportClause(declaration)) {
    specifier = (declaration.parent.moduleSpecifier as ts.StringLiteral).text;
    exportName = 'default';
  } else if (ts.isImportSpecifier(declaration)) {
    specifier = (declaration.parent.parent.parent.moduleSpecifier as ts.StringLiteral).text;
    exportName = (declaration.propertyName ?? declaration.name).text;
  } else if (ts.isBindingElement(declaration)) {
    const holder = declaration.parent.parent;
    if (ts.isVariableDeclaration(holder) && holder.initializer) {
      const call = unwrap(holder.initializer);
      if (ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'require') {
        const argument = call.arguments[0];
        if (argument && ts.isStringLiteralLike(argument)) {
          specifier = argument.text;
          const key = declaration.propertyName ?? declaration.name;
          exportName = ts.isIdentifier(key) ? key.text : undefined;
        }
      }
    }
  }
  if (!specifier || !exportName) return undefined;
  const target = file.resolveImport(specifier);
  if (!target) return undefined;
  const exported = findExport(target, exportName);
  return exported;
}

/** The expression or declaration a module exports under `name` (ESM or CommonJS forms). */
export function findExport(file: FileContext, name: string): Located<ts.Node> | undefined {
  for (const statement of file.sourceFile.statements) {
    const exported = hasExportModifier(statement);
    if (exported && ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name && declaration.initializer) {
          return { node: declaration.initializer, file };
        }
      }
    }
    if (exported && (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement))) {
      const isDefault = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if ((isDefault && name === 'default') || statement.name?.text === name) return { node: statement, file };
    }
    if (ts.isExportAssignment(statement) && name === 'default') return { node: statement.expression, file };
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if (element.name.text !== name) continue;
        const local = (element.propertyName ?? element.name) as ts.Identifier;
        if (!statement.moduleSpecifier) return { node: resolveValue(local, file).node, file };
      }
    }
    // CommonJS: `module.exports = {...}`, `module.exports.x = ...`, `exports.x = ...`
    if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression)) {
      const { left, right, operatorToken } = statement.expression;
      if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const target = left.getText(file.sourceFile);
      if (target === 'module.exports' && name === 'default') return { node: right, file };
      if (target === `module.exports.${name}` || target === `exports.${name}`) return { node: right, file };
      if (target === 'module.exports' && ts.isObjectLiteralExpression(unwrap(right))) {
        const view = objectView(right, file);
        const property = view?.properties.get(name);
        if (property) return { node: property.value ?? property.property, file: property.file };
      }
    }
  }
  // A function or class declared locally and exported later (`function f() {}; export { f }`)
  for (const statement of file.sourceFile.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name) {
      return { node: statement, file };
    }
  }
  return undefined;
}

function hasExportModifier(statement: ts.Statement): boolean {
  return (
    ts.canHaveModifiers(statement) &&
    (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)
  );
}

const reassignment = new WeakMap<ts.VariableDeclaration, boolean>();

/** Whether a `let`/`var` is assigned again in its scope (cached; iterative, so deep code cannot overflow). */
function isReassigned(declaration: ts.VariableDeclaration): boolean {
  const cached = reassignment.get(declaration);
  if (cached !== undefined) return cached;
  const name = (declaration.name as ts.Identifier).text;
  let scope: ts.Node = declaration.parent;
  while (scope && !ts.isBlock(scope) && !ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
  const reassigned =
    scope !== undefined &&
    someDescendant(
      scope,
      (node) =>
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        node.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
        ts.isIdentifier(node.left) &&
        node.left.text === name,
    );
  reassignment.set(declaration, reassigned);
  return reassigned;
}

function isThisMember(node: ts.Node): node is ts.PropertyAccessExpression {
  return ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword;
}

/**
 * The value a class field starts with: its initializer, the default of a constructor parameter
 * property (`constructor(private readonly table = process.env.T ?? 'sessions')`), or the one
 * constructor assignment `this.x = …`. Later reassignments elsewhere are not tracked.
 */
function classFieldInitializer(access: ts.PropertyAccessExpression): ts.Expression | undefined {
  let owner: ts.Node | undefined = access.parent;
  while (owner && !ts.isClassLike(owner)) owner = owner.parent;
  if (!owner) return undefined;
  const name = access.name.text;
  for (const member of owner.members) {
    if (ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name && member.initializer) {
      return member.initializer;
    }
    if (!ts.isConstructorDeclaration(member)) continue;
    for (const parameter of member.parameters) {
      const isParameterProperty = (ts.getModifiers(parameter)?.length ?? 0) > 0;
      if (isParameterProperty && ts.isIdentifier(parameter.name) && parameter.name.text === name)
        return parameter.initializer;
    }
    const assignments: ts.Expression[] = [];
    for (const statement of member.body?.statements ?? []) {
      if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
      const { left, operatorToken, right } = statement.expression;
      if (operatorToken.kind === ts.SyntaxKind.EqualsToken && isThisMember(left) && left.name.text === name) {
        assignments.push(right);
      }
    }
    if (assignments.length === 1) return assignments[0];
  }
  return undefined;
}

/**
 * The object literal a helper call builds, when the callee is a local function or a method of the same
 * class (`this.key(id)`) whose every return is that one literal: key and item builders in stores.
 */
function builtObjectLiteral(call: ts.CallExpression, file: FileContext): ts.ObjectLiteralExpression | undefined {
  const callee = unwrap(call.expression);
  let body: ts.ConciseBody | undefined;
  if (isThisMember(callee)) {
    let owner: ts.Node | undefined = callee.parent;
    while (owner && !ts.isClassLike(owner)) owner = owner.parent;
    const method = owner?.members.find(
      (member): member is ts.MethodDeclaration =>
        ts.isMethodDeclaration(member) && propertyNameText(member.name) === callee.name.text,
    );
    body = method?.body;
  } else if (ts.isIdentifier(callee)) {
    const target = resolveValue(callee, file).node;
    if (ts.isFunctionDeclaration(target) || ts.isArrowFunction(target) || ts.isFunctionExpression(target))
      body = target.body;
  }
  if (!body) return undefined;
  if (!ts.isBlock(body)) {
    const value = unwrap(body);
    return ts.isObjectLiteralExpression(value) ? value : undefined;
  }
  const returns = body.statements.filter(ts.isReturnStatement);
  if (returns.length !== 1 || !returns[0].expression) return undefined;
  const value = unwrap(returns[0].expression);
  return ts.isObjectLiteralExpression(value) ? value : undefined;
}

/** A view of an object literal's properties after resolving the expression and every visible spread. */
export function objectView(expression: ts.Expression, file: FileContext, depth = 0): ObjectView | undefined {
  const resolved = resolveValue(expression, file);
  const builder = ts.isCallExpression(resolved.node) ? resolved.node : undefined;
  const built = builder ? builtObjectLiteral(builder, resolved.file) : undefined;
  const literal = built ?? resolved.node;
  const via = built ? builder : undefined;
  if (!ts.isObjectLiteralExpression(literal)) return undefined;
  const properties = new Map<string, PropertyView>();
  let complete = true;
  for (const property of literal.properties) {
    if (ts.isSpreadAssignment(property)) {
      const spread = depth < MAX_RESOLVE_DEPTH ? objectView(property.expression, resolved.file, depth + 1) : undefined;
      if (!spread) {
        complete = false;
        continue;
      }
      if (!spread.complete) complete = false;
      for (const [key, value] of spread.properties) properties.set(key, value);
      continue;
    }
    const name = propertyNameText(property.name);
    if (name === undefined) {
      complete = false;
      continue;
    }
    let value: ts.Expression | undefined;
    if (ts.isPropertyAssignment(property)) value = property.initializer;
    else if (ts.isShorthandPropertyAssignment(property)) value = property.name;
    properties.set(name, { name, property, value, file: resolved.file, via });
  }
  return { literal, file: resolved.file, properties, complete };
}

export type StaticValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'undefined' };

/** The compile-time value of an expression when it is a literal (after following consts). */
export function staticValue(expression: ts.Expression | undefined, file: FileContext): StaticValue | undefined {
  if (!expression) return undefined;
  const { node } = resolveValue(expression, file);
  if (ts.isStringLiteralLike(node)) return { kind: 'string', value: node.text };
  if (ts.isNumericLiteral(node)) return { kind: 'number', value: Number(node.text) };
  if (node.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'boolean', value: true };
  if (node.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'boolean', value: false };
  if (node.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null' };
  if (ts.isIdentifier(node) && node.text === 'undefined') return { kind: 'undefined' };
  if (ts.isVoidExpression(node)) return { kind: 'undefined' };
  return undefined;
}

/** `process.env.X`, `process.env['X']` or `env.X` from a destructured `process.env`. */
export function environmentVariableName(expression: ts.Expression): string | undefined {
  const inner = unwrap(expression);
  if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner)) return undefined;
  const object = unwrap(inner.expression);
  const isProcessEnv =
    ts.isPropertyAccessExpression(object) &&
    object.name.text === 'env' &&
    ts.isIdentifier(object.expression) &&
    object.expression.text === 'process';
  const isImportMetaEnv =
    ts.isPropertyAccessExpression(object) && object.name.text === 'env' && ts.isMetaProperty(object.expression);
  if (!isProcessEnv && !isImportMetaEnv) return undefined;
  return ts.isPropertyAccessExpression(inner) ? inner.name.text : propertyNameText(unwrap(inner.argumentExpression));
}
