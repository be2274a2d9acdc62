import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import { accessedName, isFunctionLike, unwrap } from '../analysis/syntax.js';
import { objectView, possibleStrings, resolveValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import { type GetterContext, getterCallSession } from './session-getters.js';
import type {
  RotationCompletion,
  SessionObject,
  SessionRotation,
  SessionWrite,
  SessionWriteKind,
} from './session-lifecycle.js';

/**
 * Building blocks for models whose session hangs off the request as a property (`req.session`,
 * `ctx.session`, `request.yar`). Syntax only: the carrier is whatever the property is read from,
 * and the rules decide whether a function receives it.
 */

/** `a.b` → 'b', `a['b']` → 'b', `a[key]` → undefined (a computed member has no static name). */
export function staticMemberName(node: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  const argument = unwrap(node.argumentExpression);
  return ts.isStringLiteralLike(argument) || ts.isNumericLiteral(argument) ? argument.text : undefined;
}

/** The keys a member access can name: `a.b`, `a['b']`, and `a[KEY]` through what `KEY` can hold. */
function memberNames(node: ts.PropertyAccessExpression | ts.ElementAccessExpression, file: FileContext) {
  const name = staticMemberName(node);
  if (name !== undefined || ts.isPropertyAccessExpression(node)) return [name];
  return possibleStrings(node.argumentExpression, file);
}

export type SessionObjectFinder = (expression: ts.Expression, file: FileContext) => SessionObject | undefined;

/**
 * `<carrier>.<property>`, a local alias of it (`const s = req.session`, `const { session } = req`), or
 * what a getter of the application returns for the request (`const s = await getSession(req, res)`,
 * see session-getters.ts).
 */
export function propertySession(model: string, property: string): SessionObjectFinder {
  const getters: GetterContext = { find: (expression, file) => find(expression, file), getters: new WeakMap() };
  const throughGetter = (expression: ts.Expression, value: ts.Expression, file: FileContext) => {
    const awaited = ts.isAwaitExpression(value);
    const call = awaited ? unwrap(value.expression) : value;
    return ts.isCallExpression(call) ? getterCallSession(call, awaited, expression, file, getters) : undefined;
  };
  const find: SessionObjectFinder = (expression, file) => {
    const inner = unwrap(expression);
    // `(await getSession(req)).user = …`, `currentSession(req).user = …`
    if (ts.isAwaitExpression(inner) || ts.isCallExpression(inner)) return throughGetter(inner, inner, file);
    if (
      (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) &&
      staticMemberName(inner) === property
    ) {
      const carrier = unwrap(inner.expression);
      if (carrier.kind === ts.SyntaxKind.ThisKeyword) return undefined;
      return { model, expression: inner, carrier };
    }
    if (!ts.isIdentifier(inner)) return undefined;
    const declaration = findDeclaration(inner);
    if (!declaration) return undefined;
    if (ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isIdentifier(declaration.name)) {
      const resolved = resolveValue(inner, file).node;
      if (resolved !== inner && ts.isExpression(resolved) && resolved.getSourceFile() === file.sourceFile) {
        const aliased = unwrap(resolved as ts.Expression);
        if (
          (ts.isPropertyAccessExpression(aliased) || ts.isElementAccessExpression(aliased)) &&
          staticMemberName(aliased) === property
        ) {
          return { model, expression: inner, carrier: unwrap(aliased.expression) };
        }
      }
      const viaGetter = throughGetter(inner, unwrap(declaration.initializer), file);
      if (viaGetter) return viaGetter;
    }
    if (ts.isBindingElement(declaration)) {
      const key = declaration.propertyName ?? declaration.name;
      const holder = declaration.parent.parent;
      if (ts.isIdentifier(key) && key.text === property && ts.isVariableDeclaration(holder) && holder.initializer) {
        return { model, expression: inner, carrier: unwrap(holder.initializer) };
      }
    }
    return undefined;
  };
  return find;
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
]);

/** Static keys of an object written into the session (`{ userId, role }`), or one computed key. */
function objectKeys(expression: ts.Expression, file: FileContext): (string | undefined)[][] {
  const view = objectView(expression, file);
  if (!view) return [[undefined]];
  const paths: (string | undefined)[][] = [...view.properties.keys()].map((key) => [key]);
  if (!view.complete) paths.push([undefined]);
  return paths;
}

/**
 * Writes by assignment and `Object.assign`: `S.k = v`, `S.a.b = v`, `S[k].user = v`, `S = { … }`
 * (replace; `S = null` is invalidation, not a write), `Object.assign(S, { … })`; with `setMethod`,
 * also `S.set('k', v)` and `S.set({ k: v })`.
 */
export function sessionWritesWith(
  model: string,
  find: SessionObjectFinder,
  options: { setMethod?: boolean; replace?: boolean } = {},
) {
  return (node: ts.Node, file: FileContext): SessionWrite[] | undefined => {
    const write = (session: SessionObject, paths: (string | undefined)[][], kind: SessionWriteKind): SessionWrite[] => [
      { model, node, session, paths, kind },
    ];
    if (ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind)) {
      const left = unwrap(node.left);
      if (options.replace) {
        const whole = find(left, file);
        if (whole && (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left))) {
          const right = unwrap(node.right);
          if (right.kind === ts.SyntaxKind.NullKeyword) return undefined;
          return write(whole, objectKeys(node.right, file), 'replace');
        }
      }
      // `S[KEY] = v` with `const KEY = 'user'`: one path per key the member can be.
      let paths: (string | undefined)[][] = [[]];
      let current: ts.Expression = left;
      while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
        const names = memberNames(current, file);
        paths = paths.flatMap((path) => names.map((name) => [name, ...path]));
        const object = unwrap(current.expression);
        const session = find(object, file);
        if (session) return write(session, paths, 'assign');
        current = object;
      }
      return undefined;
    }
    if (!ts.isCallExpression(node)) return undefined;
    const callee = unwrap(node.expression);
    if (accessedName(callee) === 'assign') {
      const object = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression) : undefined;
      if (object && ts.isIdentifier(object) && object.text === 'Object' && node.arguments.length >= 2) {
        const session = find(node.arguments[0], file);
        if (session)
          return write(
            session,
            node.arguments.slice(1).flatMap((a) => objectKeys(a, file)),
            'merge',
          );
      }
    }
    if (options.setMethod && accessedName(callee) === 'set' && ts.isPropertyAccessExpression(callee)) {
      const session = find(callee.expression, file);
      if (!session || node.arguments.length === 0) return undefined;
      if (ts.isObjectLiteralExpression(unwrap(node.arguments[0])))
        return write(session, objectKeys(node.arguments[0], file), 'set');
      // `set(KEY, v)`, `set(this.key, v)`, `set(options.key ?? 'user', v)`: every key it can be.
      return write(
        session,
        possibleStrings(node.arguments[0], file).map((key) => [key]),
        'set',
      );
    }
    return undefined;
  };
}

/** `S.<method>(…)` on a session object found by `find`. */
export function sessionMethodCall(
  call: ts.CallExpression,
  file: FileContext,
  find: SessionObjectFinder,
  methods: string[],
): SessionObject | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !methods.includes(callee.name.text)) return undefined;
  return find(callee.expression, file);
}

/** The first argument from `from` on that is (or names) a function. */
export function callbackArgument(call: ts.CallExpression, file: FileContext, from = 0): ts.Expression | undefined {
  for (const argument of call.arguments.slice(from)) {
    const inner = unwrap(argument);
    if (isFunctionLike(inner)) return argument;
    if (ts.isIdentifier(inner)) {
      const resolved = resolveValue(inner, file).node;
      if (isFunctionLike(resolved)) return argument;
      const declaration = findDeclaration(inner);
      // A callback received as a parameter (`regenerate(done)` in a helper).
      if (declaration && ts.isParameter(declaration)) return argument;
    }
  }
  return undefined;
}

const promisifyMentioned = new WeakMap<FileContext, boolean>();

function mentionsPromisify(file: FileContext): boolean {
  let mentioned = promisifyMentioned.get(file);
  if (mentioned === undefined) {
    mentioned = file.text.includes('promisify');
    promisifyMentioned.set(file, mentioned);
  }
  return mentioned;
}

/**
 * `promisify(S.regenerate.bind(S))` or `promisify(S.regenerate)` (util / node:util), called directly or
 * through a const: the awaited call rotates.
 */
export function promisifiedSessionMethod(
  call: ts.CallExpression,
  file: FileContext,
  find: SessionObjectFinder,
  method: string,
): SessionObject | undefined {
  // The promisified method binds a request's session, which only exists inside a function of this
  // file: without `promisify` in the text there is nothing to resolve (and resolving the callee would
  // parse imported modules for every call of every file).
  if (!mentionsPromisify(file)) return undefined;
  const callee = resolveValue(call.expression, file).node;
  if (!ts.isCallExpression(callee) || callee.arguments.length !== 1) return undefined;
  const promisifyReference = moduleReferenceOf(callee.expression);
  const isPromisify =
    refersTo(promisifyReference, 'util', 'promisify') || refersTo(promisifyReference, 'node:util', 'promisify');
  if (!isPromisify) return undefined;
  let target = unwrap(callee.arguments[0]);
  if (ts.isCallExpression(target) && accessedName(unwrap(target.expression)) === 'bind') {
    target = unwrap((unwrap(target.expression) as ts.PropertyAccessExpression).expression);
  }
  if (!ts.isPropertyAccessExpression(target) || target.name.text !== method) return undefined;
  return find(target.expression, file);
}

/** A rotation `S.<method>(…)`: callback completion when a callback is passed, else `completion`. */
export function methodRotation(
  model: string,
  find: SessionObjectFinder,
  method: string,
  withoutCallback: RotationCompletion,
) {
  return (call: ts.CallExpression, file: FileContext): SessionRotation | undefined => {
    const session = sessionMethodCall(call, file, find, [method]);
    if (session) {
      const callback = callbackArgument(call, file);
      return { model, call, session, completion: callback ? 'callback' : withoutCallback, callback };
    }
    const promisified = promisifiedSessionMethod(call, file, find, method);
    if (promisified) return { model, call, session: promisified, completion: 'promise' };
    return undefined;
  };
}

/** The source text to name a session in an inserted statement: `req.session` even for an alias. */
export function sessionText(session: SessionObject, property: string, file: FileContext): string {
  const expression = unwrap(session.expression);
  if (ts.isPropertyAccessExpression(expression)) return file.textOf(expression);
  return `${file.textOf(session.carrier)}.${property}`;
}
