import { ts } from '#typescript';
import type { FileContext } from './file-context.js';
import { findDeclaration, isConstDeclaration } from './scope.js';
import {
  accessedName,
  enclosingClass,
  isAssignment,
  memberChain,
  memberPath,
  parameterProperty,
  propertyNameText,
  returnedExpressions,
  unwrap,
} from './syntax.js';

/** An expression together with the file it lives in (values can be followed across local imports). */
export interface Located<N extends ts.Node = ts.Expression> {
  node: N;
  file: FileContext;
  /**
   * The helper call the value was reached through (`this.key(oldId)` for `pk: \`SESSION#${id}\``):
   * two values with the same text in the helper differ when their calls differ.
   */
  via?: ts.CallExpression;
  /**
   * The value is a default that options not visible here may replace: it sits before an unknown spread
   * (`{ secret: '…', ...options }`) or was filled in by `_.defaults(options, { secret: '…' })`.
   */
  overridable?: boolean;
}

export interface PropertyView {
  name: string;
  /**
   * The property node itself (assignment, shorthand or method), for locations and fixes; or the
   * statement `opts.name = value` that set it after the literal was built.
   */
  property: ts.ObjectLiteralElementLike | ts.BinaryExpression;
  /** The value expression; for methods, the method declaration is in `property`. */
  value?: ts.Expression;
  file: FileContext;
  /** Set when the object literal was built by a helper call (see `Located.via`). */
  via?: ts.CallExpression;
  /** The view of the value when later assignments changed it (`opts.cookie.secure = true`); see `nestedView`. */
  nested?: ObjectView;
  /** A default that options not visible here may replace (see `Located.overridable`). */
  overridable?: boolean;
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
    const initializer = classFieldInitializer(inner, inner.name.text);
    return initializer ? resolveValue(initializer, file, depth + 1) : { node: inner, file };
  }
  if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
    const member = memberValue(inner, file, depth);
    return member ? resolveValue(member.node as ts.Expression, member.file, depth + 1) : { node: inner, file };
  }
  // An assignment evaluates to its right-hand side: `const app = module.exports = new Koa()`.
  if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return resolveValue(inner.right, file, depth + 1);
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
  const destructured = ts.isBindingElement(declaration) ? destructuredValue(declaration, file, depth) : undefined;
  if (destructured) return resolveValue(destructured.node as ts.Expression, destructured.file, depth + 1);
  return { node: inner, file };
}

/**
 * `ns.name` where `ns` is a local module (`const ns = require('./m')`, `import * as ns from './m'`):
 * what the module exports under that name; `obj.name` of a visible object literal: its property value.
 */
function memberValue(
  access: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  file: FileContext,
  depth: number,
): Located<ts.Node> | undefined {
  const name = accessedName(access);
  if (name === undefined) return undefined;
  const object = unwrap(access.expression);
  // Resolved once: every level of `a.b.c` comes back here, so resolving twice per level would double
  // the work per level.
  const resolved = resolveValue(object, file, depth + 1);
  const module = moduleOf(object, file, resolved);
  if (module) return findExport(module, name);
  if (ts.isFunctionDeclaration(resolved.node) || ts.isClassDeclaration(resolved.node))
    return staticMember(resolved.node, name, resolved.file);
  if (!ts.isObjectLiteralExpression(resolved.node)) return undefined;
  const property = objectView(resolved.node, resolved.file)?.properties.get(name);
  if (!property) return undefined;
  if (property.value) return { node: property.value, file: property.file };
  return ts.isMethodDeclaration(property.property) ? { node: property.property, file: property.file } : undefined;
}

/**
 * `Store.KEY` of `function Store() {}` + `Store.KEY = 'k'` (a module-level assignment made once), or of
 * `class Store { static KEY = 'k' }`: a constant kept on a constructor.
 */
function staticMember(
  owner: ts.FunctionDeclaration | ts.ClassDeclaration,
  name: string,
  file: FileContext,
): Located<ts.Node> | undefined {
  if (ts.isClassDeclaration(owner)) {
    const member = owner.members.find(
      (m): m is ts.PropertyDeclaration =>
        ts.isPropertyDeclaration(m) && propertyNameText(m.name) === name && m.initializer !== undefined,
    );
    if (member?.initializer) return { node: member.initializer, file };
  }
  const ownerName = owner.name?.text;
  if (!ownerName || !ts.isSourceFile(owner.parent)) return undefined;
  const assigned: ts.Expression[] = [];
  for (const statement of owner.parent.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, operatorToken, right } = statement.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left)) continue;
    if (left.name.text === name && ts.isIdentifier(left.expression) && left.expression.text === ownerName)
      assigned.push(right);
  }
  return assigned.length === 1 ? { node: assigned[0], file } : undefined;
}

/** The local module an expression denotes: a namespace import, or `require('./m')` directly or through a const. */
function moduleOf(expression: ts.Expression, file: FileContext, resolved: Located<ts.Node>): FileContext | undefined {
  if (ts.isIdentifier(expression)) {
    const declaration = findDeclaration(expression);
    if (declaration && ts.isNamespaceImport(declaration)) {
      // A half-typed `import * as m from` has no string specifier.
      const specifier = declaration.parent.parent.moduleSpecifier;
      return ts.isStringLiteralLike(specifier) ? file.resolveImport(specifier.text) : undefined;
    }
  }
  const call = resolved.node;
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'require') {
    return undefined;
  }
  const specifier = call.arguments[0];
  return specifier && ts.isStringLiteralLike(specifier) ? resolved.file.resolveImport(specifier.text) : undefined;
}

/** `const { key } = config` (a visible object literal) and `const { req, res } = this` (class fields). */
function destructuredValue(element: ts.BindingElement, file: FileContext, depth: number): Located<ts.Node> | undefined {
  const pattern = element.parent;
  const holder = pattern.parent;
  if (!ts.isObjectBindingPattern(pattern) || element.dotDotDotToken) return undefined;
  if (!ts.isVariableDeclaration(holder) || !holder.initializer) return undefined;
  const key = element.propertyName ?? element.name;
  const name = ts.isIdentifier(key) ? key.text : propertyNameText(key as ts.PropertyName);
  if (name === undefined) return undefined;
  const source = unwrap(holder.initializer);
  if (source.kind === ts.SyntaxKind.ThisKeyword) {
    const initializer = classFieldInitializer(source, name);
    return initializer ? { node: initializer, file } : undefined;
  }
  const resolved = resolveValue(source, file, depth + 1);
  if (!ts.isObjectLiteralExpression(resolved.node)) return undefined;
  const property = objectView(resolved.node, resolved.file)?.properties.get(name);
  return property?.value ? { node: property.value, file: property.file } : undefined;
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
  // A JSON module (`require('./config.json')`) exports its document, and its keys as names.
  if (file.absPath.toLowerCase().endsWith('.json')) {
    const document = file.sourceFile.statements[0];
    if (!document || !ts.isExpressionStatement(document)) return undefined;
    if (name === 'default') return { node: document.expression, file };
    const property = objectView(document.expression, file)?.properties.get(name);
    return property?.value ? { node: property.value, file: property.file } : undefined;
  }
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

const assignmentsOf = new WeakMap<ts.VariableDeclaration, Assignment[]>();

interface Assignment {
  /**
   * `x = v`, `x ??= v`, `x += v`, or `x++` / `--x` (then no right-hand side); or a merge call that
   * writes into `x` or a member of it (`Object.assign(x, src)`, `_.defaults(x.cookie, src)`).
   */
  node: ts.BinaryExpression | ts.PrefixUnaryExpression | ts.PostfixUnaryExpression | ts.CallExpression;
  /** Set for a merge call: how its sources combine with the target. */
  merge?: MergeKind;
  /** The member path written below the variable: [] for `x = v`, ['cookie', 'secure'] for `x.cookie.secure = v`, undefined for `x[k] = v`. */
  path: string[] | undefined;
  /** The member written (`x.a[k]`), for a path with a computed key that a file's constants may name. */
  target: ts.Expression;
  /** Not a statement of the declaration's own statement list (inside an `if`, a loop or a function). */
  conditional: boolean;
}

/**
 * Every write to a variable and to members below it in the declaration's scope, in source order:
 * one iterative walk per declaration, cached (deep code cannot overflow). Shadowing declarations are
 * told apart through the scope lookup.
 */
function assignmentsTo(declaration: ts.VariableDeclaration): Assignment[] {
  const cached = assignmentsOf.get(declaration);
  if (cached) return cached;
  const found: Assignment[] = [];
  const name = (declaration.name as ts.Identifier).text;
  let scope: ts.Node = declaration.parent;
  while (scope && !ts.isBlock(scope) && !ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
  const statementList = declaration.parent.parent?.parent;
  const record = (node: Assignment['node'], target: ts.Expression, merge?: MergeKind) => {
    let root = unwrap(target);
    while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
    if (!ts.isIdentifier(root) || root.text !== name || findDeclaration(root) !== declaration) return;
    const statement = node.parent;
    const conditional = !(ts.isExpressionStatement(statement) && statement.parent === statementList);
    const path = memberPath(target)?.slice(1);
    found.push(merge ? { node, path, conditional, target, merge } : { node, path, conditional, target });
  };
  const stack: ts.Node[] = scope ? [scope] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      record(node, node.left);
    } else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      record(node, node.operand);
    } else if (ts.isCallExpression(node) && node.arguments.length > 1 && ts.isExpressionStatement(node.parent)) {
      // A merge whose result is dropped writes into its first argument (`_.defaults(opts, { … })`).
      const merge = mergeKind(node);
      if (merge) record(node, node.arguments[0], merge);
    }
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  found.sort((a, b) => a.node.pos - b.node.pos);
  assignmentsOf.set(declaration, found);
  return found;
}

/** Whether a `let`/`var` itself is assigned again (`x = …`, `x += …`) in its scope. */
function isReassigned(declaration: ts.VariableDeclaration): boolean {
  return assignmentsTo(declaration).some(
    (assignment) => assignment.path?.length === 0 && ts.isBinaryExpression(assignment.node),
  );
}

/**
 * How a merge call combines objects: `Object.assign(target, ...sources)` and lodash/underscore's
 * `_.assign`/`_.extend`/`_.merge` let later sources win ('assign'); `_.defaults(target, ...sources)`
 * fills only what the target does not set, earlier sources first ('defaults').
 */
type MergeKind = 'assign' | 'defaults';

const LODASH_MERGES: Record<string, MergeKind> = {
  assign: 'assign',
  assignIn: 'assign',
  extend: 'assign',
  merge: 'assign',
  defaults: 'defaults',
  defaultsDeep: 'defaults',
};

function mergeKind(call: ts.CallExpression): MergeKind | undefined {
  const path = memberPath(unwrap(call.expression));
  if (!path || path.length !== 2) return undefined;
  const [owner, method] = path;
  if (owner === 'Object') return method === 'assign' ? 'assign' : undefined;
  return owner === '_' || owner === 'lodash' || owner === 'underscore' ? LODASH_MERGES[method] : undefined;
}

function isThisMember(node: ts.Node): node is ts.PropertyAccessExpression {
  return ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword;
}

/**
 * The value a class field starts with: its initializer, the default of a constructor parameter
 * property (`constructor(private readonly table = process.env.T ?? 'sessions')`), or the one
 * constructor assignment `this.x = …`. Later reassignments elsewhere are not tracked.
 */
const fieldInitializers = new WeakMap<ts.ClassLikeDeclaration, Map<string, ts.Expression | undefined>>();

function classFieldInitializer(inside: ts.Node, name: string): ts.Expression | undefined {
  let owner: ts.Node | undefined = inside.parent;
  while (owner && !ts.isClassLike(owner)) owner = owner.parent;
  if (!owner) return undefined;
  // Every `this.x` of a class asks about the same few fields: each is looked up once per class.
  let known = fieldInitializers.get(owner);
  if (!known) {
    known = new Map();
    fieldInitializers.set(owner, known);
  }
  if (!known.has(name)) known.set(name, findFieldInitializer(owner, name));
  return known.get(name);
}

function findFieldInitializer(owner: ts.ClassLikeDeclaration, name: string): ts.Expression | undefined {
  for (const member of owner.members) {
    if (ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name && member.initializer) {
      return member.initializer;
    }
    if (!ts.isConstructorDeclaration(member)) continue;
    const property = parameterProperty(owner, name);
    if (property) return property.initializer;
    const assignments: ts.Expression[] = [];
    const setup = (member.body?.statements ?? []).flatMap((statement) => [
      statement,
      ...setupMethodStatements(owner, statement),
    ]);
    for (const statement of setup) {
      if (!ts.isExpressionStatement(statement)) continue;
      const expression = unwrap(statement.expression);
      const assigned = ts.isCallExpression(expression) ? assignedToThis(expression, name) : undefined;
      if (assigned) assignments.push(assigned);
      if (!ts.isBinaryExpression(expression)) continue;
      const { left, operatorToken, right } = expression;
      if (operatorToken.kind === ts.SyntaxKind.EqualsToken && isThisMember(left) && left.name.text === name) {
        assignments.push(right);
      }
    }
    if (assignments.length === 1) return assignments[0];
  }
  return undefined;
}

/** The statements of a method the constructor calls as a statement (`this.setOptions(options)`). */
function setupMethodStatements(owner: ts.ClassLikeDeclaration, statement: ts.Statement): readonly ts.Statement[] {
  if (!ts.isExpressionStatement(statement)) return [];
  const call = unwrap(statement.expression);
  if (!ts.isCallExpression(call) || !isThisMember(unwrap(call.expression))) return [];
  const name = (unwrap(call.expression) as ts.PropertyAccessExpression).name.text;
  const method = owner.members.find(
    (member): member is ts.MethodDeclaration =>
      ts.isMethodDeclaration(member) && propertyNameText(member.name) === name && member.body !== undefined,
  );
  return method?.body?.statements ?? [];
}

/** `Object.assign(this, { tableName: name, ttlKey })`: the value given to `this[name]`. */
function assignedToThis(call: ts.CallExpression, name: string): ts.Expression | undefined {
  const [target, source] = call.arguments;
  if (mergeKind(call) !== 'assign' || call.arguments.length !== 2) return undefined;
  if (target.kind !== ts.SyntaxKind.ThisKeyword || !ts.isObjectLiteralExpression(unwrap(source))) return undefined;
  for (const property of (unwrap(source) as ts.ObjectLiteralExpression).properties) {
    if (propertyNameText(property.name) !== name) continue;
    if (ts.isPropertyAssignment(property)) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
  }
  return undefined;
}

const MAX_CANDIDATES = 16;
const MAX_VIEWS = 8;

/**
 * Every expression a value can come from. Follows what `resolveValue` follows, and also the forms that
 * fork: a `let`/`var` assigned again (its initializer and each assignment), `c ? a : b`, `a ?? b` and
 * `a || b` (both sides), calls of local functions and of methods of the same class (each `return`,
 * with `via` set to the call), and parameters or destructured names with a default (the default,
 * beside the unknown argument). A value that cannot be followed is returned as itself, so a caller
 * sees that part of the answer is unknown; a variable read inside its own reassignment
 * (`opts = { ...opts, store }`) adds nothing, the other candidates already hold its earlier values.
 */
export function possibleValues(expression: ts.Expression, file: FileContext): Located<ts.Node>[] {
  const found: Located<ts.Node>[] = [];
  collectValues(expression, file, undefined, new Set(), 0, found);
  return found;
}

function collectValues(
  expression: ts.Expression,
  file: FileContext,
  via: ts.CallExpression | undefined,
  visiting: Set<ts.Node>,
  depth: number,
  found: Located<ts.Node>[],
): void {
  const inner = unwrap(expression);
  const leaf = (node: ts.Node = inner) => {
    if (!found.some((candidate) => candidate.node === node)) found.push(via ? { node, file, via } : { node, file });
  };
  if (depth >= MAX_RESOLVE_DEPTH || found.length >= MAX_CANDIDATES) {
    leaf();
    return;
  }
  const next = (value: ts.Expression, valueFile = file, valueVia = via) =>
    collectValues(value, valueFile, valueVia, visiting, depth + 1, found);
  if (ts.isConditionalExpression(inner)) {
    next(inner.whenTrue);
    next(inner.whenFalse);
    return;
  }
  if (
    ts.isBinaryExpression(inner) &&
    (inner.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
      inner.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  ) {
    next(inner.left);
    next(inner.right);
    return;
  }
  if (ts.isCallExpression(inner)) {
    const callee = calledFunction(inner, file);
    if (!callee || visiting.has(callee.fn)) {
      leaf();
      return;
    }
    const returned = returnedExpressions(callee.fn);
    if (returned.length === 0) {
      leaf();
      return;
    }
    visiting.add(callee.fn);
    for (const value of returned) next(value, callee.file, inner);
    visiting.delete(callee.fn);
    return;
  }
  if (isThisMember(inner)) {
    const initializer = classFieldInitializer(inner, inner.name.text);
    if (initializer) next(initializer);
    else leaf();
    return;
  }
  if (ts.isIdentifier(inner)) {
    const declaration = findDeclaration(inner);
    if (declaration && visiting.has(declaration)) return;
    if (declaration && ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)) {
      visiting.add(declaration);
      if (!isConstDeclaration(declaration) && isReassigned(declaration)) {
        if (declaration.initializer) next(declaration.initializer);
        for (const assignment of assignmentsTo(declaration)) {
          // A merge changes the object's properties, not which object the variable holds.
          if (assignment.path?.length !== 0 || assignment.merge) continue;
          const node = assignment.node;
          const replaces =
            ts.isBinaryExpression(node) &&
            [
              ts.SyntaxKind.EqualsToken,
              ts.SyntaxKind.QuestionQuestionEqualsToken,
              ts.SyntaxKind.BarBarEqualsToken,
            ].includes(node.operatorToken.kind);
          if (replaces) next(node.right);
          else leaf(node);
        }
      } else if (declaration.initializer) {
        next(declaration.initializer);
      } else {
        leaf();
      }
      visiting.delete(declaration);
      return;
    }
    if (declaration && (ts.isParameter(declaration) || ts.isBindingElement(declaration)) && declaration.initializer) {
      leaf();
      next(declaration.initializer);
      return;
    }
  }
  const resolved = resolveValue(inner, file);
  if (resolved.node === inner || !ts.isExpression(resolved.node as ts.Expression)) {
    leaf(resolved.node);
    return;
  }
  collectValues(resolved.node as ts.Expression, resolved.file, via, visiting, depth + 1, found);
}

/** The local function (or method of the same class, `this.key(id)`) a call runs, when it can be seen. */
function calledFunction(
  call: ts.CallExpression,
  file: FileContext,
): { fn: ts.FunctionLikeDeclaration; file: FileContext } | undefined {
  const callee = unwrap(call.expression);
  if (isThisMember(callee)) {
    let owner: ts.Node | undefined = callee.parent;
    while (owner && !ts.isClassLike(owner)) owner = owner.parent;
    const method = owner?.members.find(
      (member): member is ts.MethodDeclaration =>
        ts.isMethodDeclaration(member) && propertyNameText(member.name) === callee.name.text,
    );
    return method?.body ? { fn: method, file } : undefined;
  }
  if (!ts.isIdentifier(callee)) return undefined;
  const target = resolveValue(callee, file);
  const fn = target.node;
  if ((ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.body) {
    return { fn, file: target.file };
  }
  return undefined;
}

interface ViewSet {
  views: ObjectView[];
  /** Some candidate value is not a visible object literal. */
  unknown: boolean;
}

/**
 * A view of the object an expression denotes: its properties after every visible spread and every
 * later `x.key = value` on the variable. When the expression can hold several objects (reassigned,
 * conditional, built by a function with several returns), the view keeps the properties all of them
 * agree on and is incomplete; `objectViews` lists them one by one.
 */
export function objectView(expression: ts.Expression, file: FileContext): ObjectView | undefined {
  const { views, unknown } = nestedViewsOf(expression, file);
  if (views.length === 0) return undefined;
  if (views.length === 1) return unknown ? { ...views[0], complete: false } : views[0];
  const [first, ...others] = views;
  const properties = new Map<string, PropertyView>();
  for (const [name, property] of first.properties) {
    const agreed = others.every((view) => {
      const other = view.properties.get(name);
      return other?.property === property.property && other.nested === property.nested;
    });
    if (agreed) properties.set(name, property);
  }
  return { literal: first.literal, file: first.file, properties, complete: false };
}

/** Every object an expression can denote (see `possibleValues`), each with its properties. */
export function objectViews(expression: ts.Expression, file: FileContext): ObjectView[] {
  return nestedViewsOf(expression, file).views;
}

/**
 * Views nest: a later `self.a.b = …` asks for the view of `self.a`, whose own later assignments ask
 * again. An object that holds itself (`self.apos = self`, then `self.x = self.apos.y` many times, as in
 * apostrophe's module loader) would ask forever, so past MAX_VIEW_NESTING levels the value is unknown.
 */
const MAX_VIEW_NESTING = 8;
let viewNesting = 0;

function nestedViewsOf(expression: ts.Expression, file: FileContext): ViewSet {
  if (viewNesting >= MAX_VIEW_NESTING) return { views: [], unknown: true };
  viewNesting++;
  try {
    return viewsOf(expression, file, [], 0);
  } finally {
    viewNesting--;
  }
}

/** The view of a property's value, including assignments made below it later (`opts.cookie.secure = true`). */
export function nestedView(property: PropertyView): ObjectView | undefined {
  return property.nested ?? (property.value ? objectView(property.value, property.file) : undefined);
}

/** The property at a path of nested objects (`['cookie', 'name']`), when every step can be seen. */
export function propertyAtPath(view: ObjectView | undefined, path: readonly string[]): PropertyView | undefined {
  let current = view;
  for (const [index, key] of path.entries()) {
    const property = current?.properties.get(key);
    if (!property || index === path.length - 1) return property;
    current = nestedView(property);
  }
  return undefined;
}

/** The object at a path of nested objects (`['session', 'secret']`); the view itself for an empty path. */
export function viewAtPath(view: ObjectView | undefined, path: readonly string[]): ObjectView | undefined {
  if (path.length === 0) return view;
  const property = propertyAtPath(view, path);
  return property && nestedView(property);
}

/**
 * What a local module expression stands for: `require('./settings')` (directly or through a const) or
 * a namespace import, as its default export (`module.exports = convict(…)`); else `located` itself.
 */
export function moduleExportValue(expression: ts.Expression, file: FileContext): Located<ts.Node> {
  const located = resolveValue(expression, file);
  const module = moduleOf(unwrap(expression), file, located);
  const exported = module && findExport(module, 'default');
  return exported ? resolveValue(exported.node as ts.Expression, exported.file) : located;
}

function viewsOf(expression: ts.Expression, file: FileContext, building: ts.Node[], depth: number): ViewSet {
  const views: ObjectView[] = [];
  let unknown = false;
  for (const candidate of possibleValues(expression, file)) {
    const literal = candidate.node;
    const merge = ts.isCallExpression(literal) ? mergeKind(literal) : undefined;
    if (merge && ts.isCallExpression(literal) && depth < MAX_RESOLVE_DEPTH) {
      // `Object.assign({ secret: '…' }, options)`: the target's view with the sources merged in.
      const [target, ...sources] = literal.arguments;
      const into = target ? viewsOf(target, candidate.file, building, depth + 1) : { views: [], unknown: true };
      const merged = into.views
        .slice(0, 1)
        .map((view) => mergedView(view, merge, sources, candidate.file, building, depth));
      if (merged.length === 0 || into.unknown) unknown = true;
      views.push(...merged);
      continue;
    }
    if (!ts.isObjectLiteralExpression(literal)) {
      unknown = true;
      continue;
    }
    // `opts = { ...opts, store }` spreads the earlier values, never itself.
    if (building.includes(literal)) continue;
    const built = literalViews(literal, candidate.file, candidate.via, [...building, literal], depth);
    // A literal reached through a call, an import or a property (`return http`, `import { settings }`)
    // is still changed by the writes below its own variable (`if (!http.secret) http.secret = …`).
    const owner = declarationBuiltBy(literal);
    views.push(
      ...(owner && owner !== declarationOf(expression)
        ? withDeclarationAssignments(built, owner, candidate.file)
        : built),
    );
  }
  return { views: withMemberAssignments(views.slice(0, MAX_VIEWS), expression, file), unknown };
}

/** The variable an expression names, when it is a plain variable. */
function declarationOf(expression: ts.Expression): ts.VariableDeclaration | undefined {
  const inner = unwrap(expression);
  const declaration = ts.isIdentifier(inner) ? findDeclaration(inner) : undefined;
  return declaration && ts.isVariableDeclaration(declaration) ? declaration : undefined;
}

/** `const http = { … }` (also `= (cfg.http ?? {}) as Http`): the variable an object literal starts. */
function declarationBuiltBy(literal: ts.ObjectLiteralExpression): ts.VariableDeclaration | undefined {
  let current: ts.Node = literal;
  for (;;) {
    const parent = current.parent;
    const wraps =
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isSatisfiesExpression(parent) ||
      ts.isNonNullExpression(parent) ||
      (ts.isBinaryExpression(parent) &&
        parent.right === current &&
        (parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
          parent.operatorToken.kind === ts.SyntaxKind.BarBarToken));
    if (!wraps) break;
    current = parent;
  }
  const parent = current.parent;
  return ts.isVariableDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name)
    ? parent
    : undefined;
}

function literalViews(
  literal: ts.ObjectLiteralExpression,
  file: FileContext,
  via: ts.CallExpression | undefined,
  building: ts.Node[],
  depth: number,
): ObjectView[] {
  let views: ObjectView[] = [{ literal, file, properties: new Map(), complete: true }];
  for (const property of literal.properties) {
    if (ts.isSpreadAssignment(property)) {
      const spread =
        depth < MAX_RESOLVE_DEPTH
          ? viewsOf(property.expression, file, building, depth + 1)
          : { views: [], unknown: true };
      // What an unknown spread may hold replaces what came before it: those values are defaults.
      if (spread.views.length === 0 || spread.unknown) views = views.map(withOverridableProperties);
      if (spread.views.length === 0) {
        for (const view of views) view.complete = false;
        continue;
      }
      views = views
        .flatMap((view) =>
          spread.views.map((inner) => ({
            literal,
            file,
            properties: new Map([...view.properties, ...inner.properties]),
            complete: view.complete && inner.complete && !spread.unknown,
          })),
        )
        .slice(0, MAX_VIEWS);
      continue;
    }
    const name = propertyNameText(property.name);
    if (name === undefined) {
      for (const view of views) view.complete = false;
      continue;
    }
    let value: ts.Expression | undefined;
    if (ts.isPropertyAssignment(property)) value = property.initializer;
    else if (ts.isShorthandPropertyAssignment(property)) value = property.name;
    for (const view of views) view.properties.set(name, { name, property, value, file, via });
  }
  return views;
}

/**
 * `opts.secret = s`, `opts.cookie.secure = true` after the object was built: an unconditional statement
 * beside the declaration changes every view; one inside an `if` (or a function) adds a changed copy.
 */
function withMemberAssignments(views: ObjectView[], expression: ts.Expression, file: FileContext): ObjectView[] {
  const inner = unwrap(expression);
  if (views.length === 0 || !ts.isIdentifier(inner)) return views;
  const declaration = findDeclaration(inner);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return views;
  return withDeclarationAssignments(views, declaration, file);
}

function withDeclarationAssignments(
  views: ObjectView[],
  declaration: ts.VariableDeclaration,
  file: FileContext,
): ObjectView[] {
  let result = views;
  for (const assignment of assignmentsTo(declaration)) {
    const node = assignment.node;
    // `opts.secret = env || opts.secret` reads the value from before it is made.
    if (readBefore.includes(node)) continue;
    if (assignment.merge && ts.isCallExpression(node) && assignment.path) {
      const [, ...sources] = node.arguments;
      const merge = assignment.merge;
      const path = assignment.path;
      const changed = result.map((view) =>
        atPath(view, path, (inner) => mergedView(inner, merge, sources, file, [], 0)),
      );
      result = assignment.conditional ? [...result, ...changed].slice(0, MAX_VIEWS) : changed;
      continue;
    }
    if (assignment.path?.length === 0) continue;
    // `Item[ttlKey] = …`: a computed key counts when a constant or an option's default names it.
    const path = assignment.path ?? (ts.isBinaryExpression(node) ? computedPath(assignment.target, file) : undefined);
    if (!ts.isBinaryExpression(node) || !path) {
      result = result.map((view) => ({ ...view, complete: false }));
      continue;
    }
    const changed = result.map((view) => assignedView(view, path, node, view.file));
    result = assignment.conditional ? [...result, ...changed].slice(0, MAX_VIEWS) : changed;
  }
  return result;
}

/**
 * The member path below the root variable of `x.a[k]` when every computed key has a name: a constant
 * (`const TTL = 'expires'`) or the default of the option it comes from (`this.ttlKey` set from
 * `{ ttlKey = 'expires' } = options`). The user may configure another name, but the default says
 * which attribute the write is.
 */
function computedPath(target: ts.Expression, file: FileContext): string[] | undefined {
  const parts: string[] = [];
  let current = unwrap(target);
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
    let name = accessedName(current);
    if (name === undefined && ts.isElementAccessExpression(current)) {
      const key = staticValue(current.argumentExpression, file) ?? optionDefaultValue(current.argumentExpression, file);
      if (key?.kind === 'string') name = key.value;
    }
    if (name === undefined) return undefined;
    parts.unshift(name);
    current = unwrap(current.expression);
  }
  return ts.isIdentifier(current) && parts.length > 0 ? parts : undefined;
}

/** The view with the object at `path` below it changed by `change` (incomplete when a step is not seen). */
function atPath(view: ObjectView, path: readonly string[], change: (inner: ObjectView) => ObjectView): ObjectView {
  if (path.length === 0) return change(view);
  const [name, ...rest] = path;
  const existing = view.properties.get(name);
  const inner = existing && nestedView(existing);
  if (!existing || !inner) return { ...view, complete: false };
  const properties = new Map(view.properties);
  properties.set(name, { ...existing, nested: atPath(inner, rest, change) });
  return { ...view, properties };
}

function withOverridableProperties(view: ObjectView): ObjectView {
  const properties = new Map<string, PropertyView>();
  for (const [name, property] of view.properties) properties.set(name, { ...property, overridable: true });
  return { ...view, properties };
}

/**
 * `target` with the merge's sources applied: 'assign' sets each source's properties over it (a source
 * that cannot be seen may replace any of them, which makes them defaults); 'defaults' adds only the
 * properties it lacks, and those are defaults by definition (the target may be options not seen here).
 */
function mergedView(
  target: ObjectView,
  merge: MergeKind,
  sources: readonly ts.Expression[],
  file: FileContext,
  building: ts.Node[],
  depth: number,
): ObjectView {
  let view: ObjectView = { ...target, properties: new Map(target.properties) };
  for (const source of sources) {
    const seen = depth < MAX_RESOLVE_DEPTH ? viewsOf(source, file, building, depth + 1) : { views: [], unknown: true };
    const only = seen.views.length === 1 ? seen.views[0] : undefined;
    if (!only || seen.unknown) {
      view.complete = false;
      if (merge === 'assign') view = withOverridableProperties(view);
    }
    if (!only) continue;
    for (const [name, property] of only.properties) {
      if (merge === 'assign') view.properties.set(name, property);
      else if (!view.properties.has(name)) view.properties.set(name, { ...property, overridable: true });
    }
    view.complete = view.complete && only.complete;
  }
  return view;
}

function assignedView(view: ObjectView, path: string[], node: ts.BinaryExpression, file: FileContext): ObjectView {
  const [name, ...rest] = path;
  const properties = new Map(view.properties);
  if (rest.length === 0) {
    const replaces = node.operatorToken.kind === ts.SyntaxKind.EqualsToken;
    properties.set(name, { name, property: node, value: replaces ? node.right : undefined, file });
    return { ...view, properties };
  }
  const existing = properties.get(name);
  const inner = existing && nestedView(existing);
  if (!existing || !inner) return { ...view, complete: false };
  properties.set(name, { ...existing, nested: assignedView(inner, rest, node, file) });
  return { ...view, properties };
}

/** The strings an expression can be (see `possibleValues`); undefined stands for a value not known. */
export function possibleStrings(expression: ts.Expression, file: FileContext): (string | undefined)[] {
  const strings = new Set<string | undefined>();
  for (const candidate of possibleValues(expression, file)) {
    strings.add(ts.isStringLiteralLike(candidate.node) ? candidate.node.text : undefined);
  }
  return [...strings];
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

/**
 * `process.env.X`, `process.env['X']`, `import.meta.env.X`, or `X` bound by destructuring the
 * environment (`const { X, Y: alias } = process.env`).
 */
export function environmentVariableName(expression: ts.Expression): string | undefined {
  const inner = unwrap(expression);
  if (ts.isIdentifier(inner)) return destructuredEnvironmentName(inner);
  if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner)) return undefined;
  if (!isEnvironmentObject(unwrap(inner.expression))) return undefined;
  return ts.isPropertyAccessExpression(inner) ? inner.name.text : propertyNameText(unwrap(inner.argumentExpression));
}

function isEnvironmentObject(object: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(object) || object.name.text !== 'env') return false;
  const holder = object.expression;
  return (ts.isIdentifier(holder) && holder.text === 'process') || ts.isMetaProperty(holder);
}

function destructuredEnvironmentName(identifier: ts.Identifier): string | undefined {
  const declaration = findDeclaration(identifier);
  if (!declaration || !ts.isBindingElement(declaration) || declaration.dotDotDotToken) return undefined;
  const pattern = declaration.parent;
  if (!ts.isObjectBindingPattern(pattern) || !ts.isVariableDeclaration(pattern.parent)) return undefined;
  const source = pattern.parent.initializer;
  if (!source || !isEnvironmentObject(unwrap(source))) return undefined;
  const key = declaration.propertyName ?? declaration.name;
  return ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
}

const MAX_MEMBER_VALUES = 16;

/**
 * Every value a member read `root.a.b` can hold, walked from its root variable one key at a time
 * through each object the step can denote (`objectViews`), so writes made below a variable after it was
 * built count: `const http = { secret: process.env.S }; if (!http.secret) http.secret = 'x'` read as
 * `config.http.secret` (with `config = { http }`) holds both values. Undefined when the root is not a
 * variable or some step is not a visible object literal (the answer would be partial).
 */
export function memberValues(access: ts.Expression, file: FileContext): Located[] | undefined {
  // A read inside the right-hand side of a write to the same member (`o.s = env || o.s`) sees the value
  // from before that write; the write would otherwise be its own value.
  const enclosing = enclosingWriteOf(access);
  if (enclosing) readBefore.push(enclosing);
  try {
    return memberValuesAt(access, file);
  } finally {
    if (enclosing) readBefore.pop();
  }
}

/** Writes whose own right-hand side is being read (see `memberValues`): left out of the views. */
const readBefore: ts.Node[] = [];

/** The write `o.s = … o.s …` whose right-hand side contains this read of the same member. */
export function enclosingWriteOf(access: ts.Expression): ts.BinaryExpression | undefined {
  const path = memberPath(unwrap(access))?.join('.');
  if (!path) return undefined;
  for (let node: ts.Node = access; node.parent && !ts.isStatement(node.parent); node = node.parent) {
    const parent = node.parent;
    if (isAssignment(parent) && parent.right === node && memberPath(unwrap(parent.left))?.join('.') === path)
      return parent;
  }
  return undefined;
}

function memberValuesAt(access: ts.Expression, file: FileContext): Located[] | undefined {
  const chain = memberChain(access);
  if (!chain || !ts.isIdentifier(chain.root) || chain.members.length === 0) return undefined;
  const { root, members: path } = chain;
  let views = objectViews(root, file);
  for (const [index, key] of path.entries()) {
    const properties = views.map((view) => view.properties.get(key));
    if (properties.length === 0 || properties.some((property) => property === undefined)) return undefined;
    if (index === path.length - 1) {
      const values: Located[] = [];
      for (const property of properties) {
        if (!property?.value) return undefined;
        if (!values.some((value) => value.node === property.value))
          values.push(
            property.overridable
              ? { node: property.value, file: property.file, overridable: true }
              : { node: property.value, file: property.file },
          );
      }
      return values.slice(0, MAX_MEMBER_VALUES);
    }
    views = properties
      .flatMap((property) =>
        property?.nested ? [property.nested] : property?.value ? objectViews(property.value, property.file) : [],
      )
      .slice(0, MAX_VIEWS);
  }
  return undefined;
}

/** What a configuration value holds when the user of a store or client passes no option. */
export interface OptionDefault {
  /** The default expression; absent when nothing supplies one (the value is then `undefined`). */
  value?: Located<ts.Node>;
  /** The option's name as its user passes it (`useStronglyConsistentReads`), when one is seen. */
  option?: string;
  /** The value comes from a constructor's parameter: it is configuration, fixed when the object is built. */
  fromConstructor: boolean;
}

/**
 * The value an expression takes when the option behind it is not passed: a constant; the default of a
 * destructured option (`{ useStronglyConsistentReads = false } = options`) or of a parameter; a
 * class field set from one (`this._consistent = useStronglyConsistentReads`); `options.x` of an
 * options parameter (nothing: undefined) or of a visible literal with defaults
 * (`{ consistentRead: false, ...options }`); the fallback of `options.x ?? false`. Undefined when
 * the value cannot be traced to configuration.
 */
export function optionDefault(expression: ts.Expression, file: FileContext, depth = 0): OptionDefault | undefined {
  if (depth > MAX_RESOLVE_DEPTH) return undefined;
  const inner = unwrap(expression);
  if (staticValue(inner, file) !== undefined) return { value: { node: inner, file }, fromConstructor: false };
  if (
    ts.isBinaryExpression(inner) &&
    (inner.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
      inner.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  ) {
    const left = optionDefault(inner.left, file, depth + 1);
    if (!left) return undefined;
    const value = left.value ? staticValue(left.value.node as ts.Expression, left.value.file) : { kind: 'undefined' };
    const nullish = value?.kind === 'undefined' || value?.kind === 'null';
    const falsy = nullish || (value !== undefined && 'value' in value && !value.value);
    const fallsThrough = inner.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ? nullish : falsy;
    if (!fallsThrough) return left;
    const right = optionDefault(inner.right, file, depth + 1);
    return right && { ...right, option: left.option ?? right.option, fromConstructor: left.fromConstructor };
  }
  if (isThisMember(inner)) {
    const initializer = classFieldInitializer(inner, inner.name.text);
    if (initializer) return optionDefault(initializer, file, depth + 1);
    // `constructor(private readonly options: Options)`: the constructor's argument itself.
    return isConstructorParameterProperty(inner, inner.name.text)
      ? { option: inner.name.text, fromConstructor: true }
      : undefined;
  }
  if (ts.isPropertyAccessExpression(inner)) return memberDefault(inner.expression, inner.name.text, file, depth);
  if (!ts.isIdentifier(inner)) return undefined;
  const declaration = findDeclaration(inner);
  if (!declaration) return undefined;
  if (ts.isParameter(declaration) || ts.isBindingElement(declaration)) {
    const key = ts.isBindingElement(declaration) ? (declaration.propertyName ?? declaration.name) : declaration.name;
    const option = ts.isIdentifier(key) ? key.text : propertyNameText(key as ts.PropertyName);
    // `const { consistentRead = false } = options` in a constructor: configuration if `options` is.
    const holder = ts.isBindingElement(declaration) ? declaration.parent.parent : undefined;
    const destructured =
      holder && ts.isVariableDeclaration(holder) && holder.initializer
        ? optionDefault(holder.initializer, file, depth + 1)
        : undefined;
    const fromConstructor = inConstructorParameter(declaration) || !!destructured?.fromConstructor;
    if (declaration.initializer) {
      const found = optionDefault(declaration.initializer, file, depth + 1);
      return found && { ...found, option: option ?? found.option, fromConstructor };
    }
    if (ts.isParameter(declaration)) return fromConstructor ? { option, fromConstructor } : undefined;
    if (declaration.dotDotDotToken || !ts.isObjectBindingPattern(declaration.parent) || option === undefined)
      return undefined;
    if (holder && ts.isParameter(holder)) return fromConstructor ? { option, fromConstructor } : undefined;
    // `const { ttlKey } = this`: the class field.
    if (holder && ts.isVariableDeclaration(holder) && holder.initializer?.kind === ts.SyntaxKind.ThisKeyword) {
      const initializer = classFieldInitializer(holder.initializer, option);
      return initializer ? optionDefault(initializer, file, depth + 1) : undefined;
    }
    // `const { consistentRead } = options`: the member of what is destructured.
    if (holder && ts.isVariableDeclaration(holder) && holder.initializer)
      return memberDefault(holder.initializer, option, file, depth);
    return undefined;
  }
  const resolved = resolveValue(inner, file);
  return resolved.node !== inner && ts.isExpression(resolved.node as ts.Node)
    ? optionDefault(resolved.node as ts.Expression, resolved.file, depth + 1)
    : undefined;
}

/** The static value of `optionDefault` (`undefined` when no default is supplied). */
export function optionDefaultValue(expression: ts.Expression, file: FileContext): StaticValue | undefined {
  const found = optionDefault(expression, file);
  if (!found) return undefined;
  return found.value ? staticValue(found.value.node as ts.Expression, found.value.file) : { kind: 'undefined' };
}

/** `base.name` when `name` is not passed: the default a visible literal gives it, else nothing. */
function memberDefault(base: ts.Expression, name: string, file: FileContext, depth: number): OptionDefault | undefined {
  const view = objectView(base, file);
  const property = view?.properties.get(name);
  if (property?.value) {
    const found = optionDefault(property.value, property.file, depth + 1);
    const holder = optionDefault(base, file, depth + 1);
    return found && { ...found, option: name, fromConstructor: found.fromConstructor || !!holder?.fromConstructor };
  }
  if (property) return undefined;
  // The options object itself is configuration (a constructor's `options`, or its `= {}` default).
  const holder = optionDefault(base, file, depth + 1);
  if (!holder) return undefined;
  const holderView = holder.value && objectView(holder.value.node as ts.Expression, holder.value.file);
  if (holder.value && !holderView?.complete) return undefined;
  const fromDefault = holderView?.properties.get(name);
  if (fromDefault?.value) return optionDefault(fromDefault.value, fromDefault.file, depth + 1);
  return { option: name, fromConstructor: holder.fromConstructor };
}

function isConstructorParameterProperty(inside: ts.Node, name: string): boolean {
  const owner = enclosingClass(inside);
  return owner !== undefined && parameterProperty(owner, name) !== undefined;
}

/** A parameter of a constructor, or a name destructured from one (`constructor({ a = 1 } = {})`). */
function inConstructorParameter(node: ts.Node): boolean {
  let current: ts.Node = node;
  while (ts.isBindingElement(current) || ts.isObjectBindingPattern(current) || ts.isArrayBindingPattern(current)) {
    current = current.parent;
  }
  return ts.isParameter(current) && ts.isConstructorDeclaration(current.parent);
}
