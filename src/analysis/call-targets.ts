import { ts } from '#typescript';
import type { FileContext } from './file-context.js';
import { memoPerFile } from './node-memo.js';
import { findDeclaration } from './scope.js';
import { enclosingClass, isFunctionLike, parameterProperty, propertyNameText, unwrap } from './syntax.js';
import { type Located, resolveValue } from './values.js';

/*
 * The function a call runs when it is a method: of the receiver's class or object literal, found
 * through consts, `this.x` fields and constructor assignments, or the class the receiver is declared
 * with (a parameter, a field, a constructor parameter property). No types are checked: a declared
 * class name is taken at its word.
 */

/**
 * The function a call invokes: a local or imported function, a method of the receiver's class or
 * object (`this.x`, a constructed or imported instance, a value typed with a visible class such as an
 * injected `private readonly repo: SessionRepository`). Asked again for every call in the second round
 * of DynamoDB wrapper derivation, by other files' facts, and by the session rules following helpers.
 */
export const calledFunction = memoPerFile(
  (call: ts.CallExpression, file: FileContext): Located<ts.FunctionLikeDeclaration> | undefined =>
    resolveCalledFunction(call, file),
);

function resolveCalledFunction(
  call: ts.CallExpression,
  file: FileContext,
): Located<ts.FunctionLikeDeclaration> | undefined {
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const name = callee.name.text;
    for (const owner of ownersOf(callee.expression, file)) {
      const method = memberFunction(owner, name, 0);
      if (method) return method;
    }
  }
  if (ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee)) {
    const resolved = resolveValue(callee, file);
    const node = resolved.node;
    if (isFunctionLike(node)) return { node, file: resolved.file };
  }
  return undefined;
}

/** Classes and object literals a receiver can be: `this`, a constructed or imported instance, a typed value. */
function ownersOf(receiver: ts.Expression, file: FileContext): Located<ts.Node>[] {
  const inner = unwrap(receiver);
  if (inner.kind === ts.SyntaxKind.ThisKeyword) {
    let current: ts.Node | undefined = inner.parent;
    while (current && !ts.isClassLike(current) && !ts.isObjectLiteralExpression(current)) current = current.parent;
    return current ? [{ node: current, file }] : [];
  }
  const owners: Located<ts.Node>[] = [];
  const add = (candidate: Located<ts.Node>) => {
    const node = candidate.node;
    if (ts.isNewExpression(node)) {
      const constructed = resolveValue(node.expression, candidate.file);
      if (ts.isClassLike(constructed.node)) owners.push(constructed);
    } else if (ts.isClassLike(node) || ts.isObjectLiteralExpression(node)) {
      owners.push(candidate);
    }
  };
  for (const candidate of resolveReceiver(inner, file)) add(candidate);
  const type = declaredType(inner);
  if (type) add(resolveValue(type, file));
  return owners;
}

/** Resolves a receiver through consts and `this.x` (class field initializers and constructor assignments). */
export function resolveReceiver(expression: ts.Expression, file: FileContext): Located<ts.Node>[] {
  const inner = unwrap(expression);
  if (ts.isPropertyAccessExpression(inner) && inner.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const found: Located<ts.Node>[] = [];
    const name = inner.name.text;
    let current: ts.Node | undefined = inner.parent;
    while (current && !ts.isClassDeclaration(current) && !ts.isClassExpression(current)) current = current.parent;
    if (!current) return [];
    for (const member of current.members) {
      if (ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name && member.initializer) {
        found.push(resolveValue(member.initializer, file));
      }
      if (ts.isConstructorDeclaration(member) && member.body) {
        for (const statement of member.body.statements) {
          if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
          const { left, right, operatorToken } = statement.expression;
          if (
            operatorToken.kind === ts.SyntaxKind.EqualsToken &&
            ts.isPropertyAccessExpression(left) &&
            left.expression.kind === ts.SyntaxKind.ThisKeyword &&
            left.name.text === name
          ) {
            const value = unwrap(right);
            if (ts.isConditionalExpression(value)) {
              found.push(resolveValue(value.whenTrue, file), resolveValue(value.whenFalse, file));
            } else {
              found.push(resolveValue(value, file));
            }
          }
        }
      }
    }
    return found;
  }
  return [resolveValue(inner, file)];
}

/**
 * The type name a receiver is declared with (`tables: TableGateway` as a parameter, a parameter
 * property or a field, `this.repo` of an injected `private readonly repo: SessionRepository`).
 */
function declaredType(expression: ts.Expression): ts.Identifier | undefined {
  let declaration: ts.Node | undefined;
  if (ts.isIdentifier(expression)) declaration = findDeclaration(expression);
  else if (ts.isPropertyAccessExpression(expression) && expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClass(expression);
    const name = expression.name.text;
    declaration =
      (owner && parameterProperty(owner, name)) ??
      owner?.members.find((member) => ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name);
  }
  if (
    !declaration ||
    !(ts.isParameter(declaration) || ts.isPropertyDeclaration(declaration) || ts.isVariableDeclaration(declaration))
  ) {
    return undefined;
  }
  const type = declaration.type;
  return type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) ? type.typeName : undefined;
}

/** A method (or function-valued property) of a class or object literal, looking into base classes. */
function memberFunction(
  owner: Located<ts.Node>,
  name: string,
  depth: number,
): Located<ts.FunctionLikeDeclaration> | undefined {
  const node = owner.node;
  const members: readonly (ts.ClassElement | ts.ObjectLiteralElementLike)[] = ts.isClassLike(node)
    ? node.members
    : ts.isObjectLiteralExpression(node)
      ? node.properties
      : [];
  for (const member of members) {
    if (!member.name || propertyNameText(member.name) !== name) continue;
    if (ts.isMethodDeclaration(member) && member.body) return { node: member, file: owner.file };
    const initializer =
      ts.isPropertyDeclaration(member) || ts.isPropertyAssignment(member) ? member.initializer : undefined;
    if (initializer) {
      const value = resolveValue(initializer, owner.file);
      if (isFunctionLike(value.node)) return { node: value.node, file: value.file };
    }
  }
  if (depth < 3 && ts.isClassLike(node)) {
    const base = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    const resolved = base ? resolveValue(base.expression, owner.file) : undefined;
    if (resolved && ts.isClassLike(resolved.node)) return memberFunction(resolved, name, depth + 1);
  }
  return undefined;
}
