import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { decoratorsOf } from '../analysis/handlers.js';
import { findDeclaration } from '../analysis/scope.js';
import { unwrap } from '../analysis/syntax.js';
import { resolveValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import { loginVerdict } from './login-versions.js';
import type { Model } from './model.js';
import { logsInWithStrategy, PASSPORT_ADVISORY } from './passport.js';
import { methodRotation, sessionMethodCall, sessionWritesWith } from './session-access.js';
import type { SessionObject } from './session-lifecycle.js';
import { nestRequestInput } from './session-id-libraries.js';

function isNestDecorator(decorator: ts.Decorator, name: string): boolean {
  const expression = unwrap(decorator.expression);
  const callee = ts.isCallExpression(expression) ? expression.expression : expression;
  return refersTo(moduleReferenceOf(callee), '@nestjs/common', name);
}

/** A `@Session() session` parameter (express-session's `req.session` handed to a controller method). */
function findSession(expression: ts.Expression, _file: FileContext): SessionObject | undefined {
  const inner = unwrap(expression);
  if (!ts.isIdentifier(inner)) return undefined;
  const declaration = findDeclaration(inner);
  if (!declaration || !ts.isParameter(declaration)) return undefined;
  if (!decoratorsOf(declaration).some((decorator) => isNestDecorator(decorator, 'Session'))) return undefined;
  return { model: '@nestjs/common', expression: inner, carrier: inner };
}

/** Whether a class extends `AuthGuard(...)` from @nestjs/passport. */
function extendsAuthGuard(node: ts.Node): boolean {
  let current: ts.Node | undefined = node.parent;
  while (current && !ts.isClassLike(current)) current = current.parent;
  if (!current) return false;
  for (const clause of current.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    for (const type of clause.types) {
      const base = unwrap(type.expression);
      const callee = ts.isCallExpression(base) ? base.expression : base;
      if (refersTo(moduleReferenceOf(callee), '@nestjs/passport', 'AuthGuard')) return true;
    }
  }
  return false;
}

/** `AuthGuard('local')` from @nestjs/passport: the strategies it names, when they log a browser in. */
function authGuardStrategy(expression: ts.Expression, file: FileContext): string | undefined {
  const call = unwrap(expression);
  if (!ts.isCallExpression(call) || !refersTo(moduleReferenceOf(call.expression), '@nestjs/passport', 'AuthGuard'))
    return undefined;
  const strategy = logsInWithStrategy(call.arguments[0], file);
  return strategy ? `AuthGuard(${strategy})` : undefined;
}

/** Whether a class calls `super.logIn(…)`: then it logs in itself, and that login is judged at the guard. */
function callsSuperLogIn(node: ts.Node): boolean {
  if (ts.isCallExpression(node)) {
    const callee = unwrap(node.expression);
    if (
      ts.isPropertyAccessExpression(callee) &&
      callee.expression.kind === ts.SyntaxKind.SuperKeyword &&
      callee.name.text === 'logIn'
    )
      return true;
  }
  return ts.forEachChild(node, callsSuperLogIn) ?? false;
}

/**
 * `@UseGuards(AuthGuard('local'))`, or a guard class `extends AuthGuard('local')` that does not log in
 * itself (`super.logIn(request)` is a login, judged there): the handler's `req.user` is verified.
 */
function verifiesUser(guard: ts.Expression, file: FileContext): string | undefined {
  let expression = unwrap(guard);
  if (ts.isNewExpression(expression)) expression = unwrap(expression.expression);
  const direct = authGuardStrategy(expression, file);
  if (direct) return direct;
  if (!ts.isIdentifier(expression)) return undefined;
  const resolved = resolveValue(expression, file);
  const declaration = ts.isClassLike(resolved.node) ? resolved.node : findDeclaration(expression);
  if (!declaration || !ts.isClassLike(declaration) || callsSuperLogIn(declaration)) return undefined;
  for (const clause of declaration.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    for (const type of clause.types) {
      const base = authGuardStrategy(type.expression, resolved.file);
      if (base) return `${expression.text} (${base})`;
    }
  }
  return undefined;
}

/**
 * `@UseGuards(AuthGuard('jwt'))`, or a guard class extending `AuthGuard(…)`, whatever the strategy: the
 * guard runs passport itself and leaves its user on the request, so `req.user` behind it is not the
 * session's principal.
 */
function setsRequestUser(guard: ts.Expression, file: FileContext): boolean | undefined {
  let expression = unwrap(guard);
  if (ts.isNewExpression(expression)) expression = unwrap(expression.expression);
  const isAuthGuard = (node: ts.Expression) => {
    const inner = unwrap(node);
    const callee = ts.isCallExpression(inner) ? inner.expression : inner;
    return refersTo(moduleReferenceOf(callee), '@nestjs/passport', 'AuthGuard');
  };
  if (isAuthGuard(expression)) return true;
  if (!ts.isIdentifier(expression)) return undefined;
  const resolved = resolveValue(expression, file);
  const declaration = ts.isClassLike(resolved.node) ? resolved.node : findDeclaration(expression);
  if (!declaration || !ts.isClassLike(declaration)) return undefined;
  const extended = declaration.heritageClauses
    ?.filter((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)
    .flatMap((clause) => clause.types.map((type) => type.expression));
  return extended?.some(isAuthGuard) || undefined;
}

/**
 * NestJS: sessions are express-session's (or @fastify/session's), reached through `@Req() req` —
 * handled by those models — or a `@Session()` parameter, handled here. @nestjs/passport guards log in
 * only when `canActivate` calls `super.logIn(request)`, which is passport's `req.logIn` (so passport's
 * version decides whether the id rotates).
 */
export const nestjs: Model = {
  id: '@nestjs/common',
  packages: ['@nestjs/common', '@nestjs/passport'],
  keywords: ['session', 'login'],
  sessionObject: findSession,
  verifiesUser,
  setsRequestUser,
  requestInput: nestRequestInput,
  sessionWrites: sessionWritesWith('@nestjs/common', findSession),
  rotation: methodRotation('@nestjs/common', findSession, 'regenerate', 'callback'),
  invalidation(node, file) {
    if (!ts.isCallExpression(node)) return undefined;
    const session = sessionMethodCall(node, file, findSession, ['destroy']);
    return session ? { model: '@nestjs/common', node, session, kind: 'destroy' } : undefined;
  },
  loginCall(call, file) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.expression.kind !== ts.SyntaxKind.SuperKeyword)
      return undefined;
    if (callee.name.text !== 'logIn' || !extendsAuthGuard(call)) return undefined;
    return {
      model: '@nestjs/common',
      call,
      kind: 'guard',
      completion: 'promise',
      verdict: loginVerdict(file, PASSPORT_ADVISORY),
    };
  },
};
