import { ts } from '#typescript';

/**
 * A binary expression that assigns (`=`, `+=`, `??=`, …). The models' hooks recognise writes only;
 * `a + b`, `a === b` and `a && b`, the bulk of binary expressions, are turned away before asking them.
 */
export function isAssignment(node: ts.Node): node is ts.BinaryExpression {
  return (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
    node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
  );
}

// Syntax kinds read once: `ts.SyntaxKind.X` is two property loads, and the predicates below run on
// nearly every node the rules see (unwrap alone on every argument and receiver).
const { ParenthesizedExpression, AsExpression, SatisfiesExpression, NonNullExpression, TypeAssertionExpression } =
  ts.SyntaxKind;
const FUNCTION_LIKE_KINDS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
]);

/** Strips wrappers that do not change a value: parentheses, type assertions, `satisfies`, `!`. */
export function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  for (;;) {
    switch (current.kind) {
      case ParenthesizedExpression:
      case AsExpression:
      case SatisfiesExpression:
      case NonNullExpression:
      case TypeAssertionExpression:
        current = (current as ts.ParenthesizedExpression).expression;
        break;
      default:
        return current;
    }
  }
}

/** The static name of a property name node (`a`, `'a'`, `["a"]`, `1`), if it has one. */
export function propertyNameText(name: ts.PropertyName | ts.Expression | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) return propertyNameText(unwrap(name.expression));
  return undefined;
}

/** Each `name: value` and shorthand `name` of an object literal, in order; spreads, methods and computed names are left out. */
export function objectEntries(literal: ts.ObjectLiteralExpression): { name: string; value: ts.Expression }[] {
  return literal.properties.flatMap((element) => {
    const name = propertyNameText(element.name);
    const value = ts.isPropertyAssignment(element)
      ? element.initializer
      : ts.isShorthandPropertyAssignment(element)
        ? element.name
        : undefined;
    return name !== undefined && value ? [{ name, value }] : [];
  });
}

/** The value of the first `name: value` (or shorthand `name`) of an object literal. */
export function propertyInitializer(literal: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  return objectEntries(literal).find((entry) => entry.name === name)?.value;
}

/** `a.b` or `a['b']` → `b`; `a[key]` has no static name (`key` is a variable, not the member's name). */
export function accessedName(node: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node)) {
    const argument = unwrap(node.argumentExpression);
    return ts.isStringLiteralLike(argument) || ts.isNumericLiteral(argument) ? argument.text : undefined;
  }
  return undefined;
}

export function isPropertyAccessLike(node: ts.Node): node is ts.PropertyAccessExpression | ts.ElementAccessExpression {
  return ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node);
}

/**
 * The dotted path of a member chain rooted at an identifier or `this`: `req.session.user.id` →
 * ['req', 'session', 'user', 'id']. Undefined when any link is computed dynamically.
 */
export function memberPath(expression: ts.Expression): string[] | undefined {
  const parts: string[] = [];
  let current: ts.Expression = unwrap(expression);
  for (;;) {
    if (isPropertyAccessLike(current)) {
      const name = accessedName(current);
      if (name === undefined) return undefined;
      parts.unshift(name);
      current = unwrap(current.expression);
    } else if (ts.isIdentifier(current)) {
      parts.unshift(current.text);
      return parts;
    } else if (current.kind === ts.SyntaxKind.ThisKeyword) {
      parts.unshift('this');
      return parts;
    } else {
      return undefined;
    }
  }
}

/** The class a node is written in, if any. */
export function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  let current: ts.Node | undefined = node.parent;
  while (current && !ts.isClassLike(current)) current = current.parent;
  return current;
}

/** `constructor(private readonly passport: PassportStatic)`: the parameter property a class declares as `name`. */
export function parameterProperty(owner: ts.ClassLikeDeclaration, name: string): ts.ParameterDeclaration | undefined {
  for (const member of owner.members) {
    if (!ts.isConstructorDeclaration(member)) continue;
    const found = member.parameters.find(
      (parameter) =>
        (ts.getModifiers(parameter)?.length ?? 0) > 0 &&
        ts.isIdentifier(parameter.name) &&
        parameter.name.text === name,
    );
    if (found) return found;
  }
  return undefined;
}

/**
 * `a.b['c']` → the root `a` and the static member names `['b', 'c']`; undefined when a member is
 * computed (`a[key]`), since then the path is not known.
 */
export function memberChain(expression: ts.Expression): { root: ts.Expression; members: string[] } | undefined {
  const members: string[] = [];
  let root = unwrap(expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) {
    const name = accessedName(root);
    if (name === undefined) return undefined;
    members.unshift(name);
    root = unwrap(root.expression);
  }
  return { root, members };
}

/** The name a call's callee ends in: `a.b.c()` → `c`, `f()` → `f`. */
export function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  return accessedName(callee);
}

export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return FUNCTION_LIKE_KINDS.has(node.kind);
}

/** The name a function is declared or bound under: its own, a variable's, a property's or a member's. */
export function ownName(fn: ts.FunctionLikeDeclaration): ts.PropertyName | undefined {
  if (fn.name) return fn.name;
  let site: ts.Node = fn;
  while (ts.isParenthesizedExpression(site.parent)) site = site.parent;
  const parent = site.parent;
  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) &&
    parent.initializer === site &&
    !ts.isObjectBindingPattern(parent.name) &&
    !ts.isArrayBindingPattern(parent.name)
  ) {
    return parent.name;
  }
  // `exports.logout = …`, `UserController.prototype.logout = …`
  if (isAssignment(parent) && parent.right === site) {
    const target = unwrap(parent.left);
    if (ts.isPropertyAccessExpression(target)) return target.name;
    if (ts.isIdentifier(target)) return target;
  }
  return undefined;
}

/** The nearest enclosing function of a node, if any. */
export function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  let current = node.parent;
  while (current) {
    if (isFunctionLike(current)) return current;
    current = current.parent;
  }
  return undefined;
}

export function stringValue(expression: ts.Expression | undefined): string | undefined {
  if (!expression) return undefined;
  const inner = unwrap(expression);
  return ts.isStringLiteralLike(inner) ? inner.text : undefined;
}

/** Names bound by a binding name (identifier or destructuring pattern), with their nodes. */
export function boundIdentifiers(name: ts.BindingName): ts.Identifier[] {
  if (ts.isIdentifier(name)) return [name];
  const found: ts.Identifier[] = [];
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) continue;
    found.push(...boundIdentifiers(element.name));
  }
  return found;
}

/** Depth-first search below `root` with an explicit stack (5,000-deep code must not overflow). */
export function someDescendant(root: ts.Node, predicate: (node: ts.Node) => boolean): boolean {
  const stack: ts.Node[] = [];
  ts.forEachChild(root, (child) => {
    stack.push(child);
  });
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (predicate(node)) return true;
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  return false;
}

/** The expressions a function can return (the body of a concise arrow, or each `return` not nested deeper). */
export function returnedExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  return returnStatements(fn.body).flatMap((statement) => (statement.expression ? [statement.expression] : []));
}

/** The `return` statements of a block body, in source order, not those of nested functions or classes. */
export function returnStatements(body: ts.Block): ts.ReturnStatement[] {
  const found: ts.ReturnStatement[] = [];
  const stack: ts.Node[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (ts.isReturnStatement(node)) {
      found.push(node);
      continue;
    }
    if (isFunctionLike(node) || ts.isClassLike(node)) continue;
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  return found.sort((a, b) => a.pos - b.pos);
}

export function isAsyncFunction(fn: ts.FunctionLikeDeclaration): boolean {
  return (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
}
