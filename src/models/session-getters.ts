import { ts } from '#typescript';
import { callsOf } from '../analysis/call-sites.js';
import type { FileContext } from '../analysis/file-context.js';
import { functionOf } from '../analysis/handlers.js';
import { findDeclaration } from '../analysis/scope.js';
import { isAsyncFunction, isFunctionLike, propertyNameText, returnStatements, unwrap } from '../analysis/syntax.js';
import { objectView } from '../analysis/values.js';
import type { SessionObject } from './session-lifecycle.js';

/**
 * Sessions handed out by a getter of the application: `const session = await getSession(req, res)`
 * where `getSession` returns `req.session`, or a promise resolving with it once it has run the session
 * middleware (Ghost attaches express-session lazily that way). The value is the request's session
 * object itself, so writes, rotations and destroys through it are the session's, and its carrier is
 * the argument the call passes for the getter's request parameter.
 *
 * A getter is a local function (same file or a local module) whose every `return` is a session of one
 * of its parameters as `find` recognises it (`p.session`, an alias, a nested getter, bounded depth), or
 * a `new Promise` whose every `resolve(…)` is one. A getter received as a factory's option
 * (`createSessionService({ getSession })`) is followed to what the factory's visible callers pass.
 */

type Finder = (expression: ts.Expression, file: FileContext) => SessionObject | undefined;

interface Getter {
  /** The parameter whose session is returned. */
  index: number;
  /** Whether the result is a promise: only an awaited call then yields the session. */
  promise: boolean;
  model: string;
}

/** One finder's getters: `find` recognises the session, `getters` caches each function's verdict. */
export interface GetterContext {
  find: Finder;
  getters: WeakMap<ts.Node, Getter | null>;
  /**
   * Each call's verdict, asked from the top: every rule and hook asks about the same call expressions,
   * and resolving a callee costs more than the summary it leads to.
   */
  calls?: WeakMap<ts.CallExpression, Getter | null>;
  /**
   * Whether a request destructured from a parameter (`({ request }) => getUserSession(request)`, how
   * Remix calls loaders and actions) is passed as it is. Off for the request-property libraries, whose
   * handlers receive the request itself: resolving every `({ user }) => f(user)` of a React file would
   * be spent for nothing.
   */
  destructuredRequests?: boolean;
}

const MAX_GETTER_DEPTH = 3;
let depth = 0;
/** Set when the depth bound cut a summary short: such a verdict depends on where it was asked from. */
let truncated = false;

/**
 * The session a call of a getter yields (`awaited`: whether its promise is awaited), named by
 * `expression`. The carrier is the argument passed for the getter's request parameter.
 */
export function getterCallSession(
  call: ts.CallExpression,
  awaited: boolean,
  expression: ts.Expression,
  file: FileContext,
  context: GetterContext,
): SessionObject | undefined {
  const getter = calledGetter(call, file, context);
  if (!getter || (getter.promise && !awaited)) return undefined;
  const argument = call.arguments[getter.index];
  if (!argument || ts.isSpreadElement(argument)) return undefined;
  return { model: getter.model, expression, carrier: unwrap(argument), through: call };
}

function calledGetter(call: ts.CallExpression, file: FileContext, context: GetterContext): Getter | undefined {
  // A getter is handed the request itself (`getSession(req, res)`): a call passing none of its
  // function's parameters as such cannot yield that request's session, and resolving its callee
  // (often parsing the module it comes from) would be spent for nothing.
  if (!call.arguments.some((argument) => passesParameter(argument, context.destructuredRequests ?? false)))
    return undefined;
  if (depth > 0) return resolveGetter(call, file, context);
  context.calls ??= new WeakMap();
  const known = context.calls.get(call);
  if (known !== undefined) return known ?? undefined;
  const outer = truncated;
  truncated = false;
  const getter = resolveGetter(call, file, context);
  if (!truncated) context.calls.set(call, getter ?? null);
  truncated ||= outer;
  return getter;
}

function resolveGetter(call: ts.CallExpression, file: FileContext, context: GetterContext): Getter | undefined {
  if (depth >= MAX_GETTER_DEPTH) {
    truncated = true;
    return undefined;
  }
  depth++;
  try {
    const target = calleeFunction(call, file);
    if (target) return summarize(target.fn, target.file, context);
    return injectedGetter(call.expression, file, context);
  } finally {
    depth--;
  }
}

/**
 * `req` in `getSession(req, res)`: a parameter of the calling function, passed as it is, or (when
 * `destructured`) a field destructured from one (`request` of a Remix action's `({ request })`).
 */
function passesParameter(argument: ts.Expression, destructured: boolean): boolean {
  const inner = unwrap(argument);
  if (!ts.isIdentifier(inner)) return false;
  const declaration = findDeclaration(inner);
  if (declaration === undefined) return false;
  if (ts.isParameter(declaration)) return true;
  return (
    destructured &&
    ts.isBindingElement(declaration) &&
    ts.isObjectBindingPattern(declaration.parent) &&
    ts.isParameter(declaration.parent.parent)
  );
}

/**
 * The local function a call runs, shared by every model's finder (each session library asks about the
 * same calls; resolving the callee is the costly part).
 */
const callees = new WeakMap<ts.CallExpression, ReturnType<typeof functionOf> | null>();

function calleeFunction(call: ts.CallExpression, file: FileContext): ReturnType<typeof functionOf> {
  const known = callees.get(call);
  if (known !== undefined) return known ?? undefined;
  const target = functionOf(call.expression, file);
  callees.set(call, target ?? null);
  return target;
}

/**
 * `getSession` received by a factory, as a parameter or a destructured option
 * (`function createSessionService({ getSession })`): the getter every visible caller of the factory
 * passes (in its own file and in the scanned files importing it), when all of them pass the same kind.
 * A factory no visible caller fills says nothing.
 */
function injectedGetter(callee: ts.Expression, file: FileContext, context: GetterContext): Getter | undefined {
  const inner = unwrap(callee);
  if (!ts.isIdentifier(inner)) return undefined;
  const declaration = findDeclaration(inner);
  if (!declaration) return undefined;
  let parameter: ts.ParameterDeclaration | undefined;
  let option: string | undefined;
  if (ts.isParameter(declaration)) parameter = declaration;
  else if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent)) {
    const holder = declaration.parent.parent;
    if (!ts.isParameter(holder) || declaration.dotDotDotToken) return undefined;
    parameter = holder;
    option = propertyNameText(declaration.propertyName ?? (declaration.name as ts.Identifier));
    if (option === undefined) return undefined;
  }
  const factory = parameter?.parent;
  if (!parameter || !factory || !isFunctionLike(factory)) return undefined;
  const index = factory.parameters.indexOf(parameter);
  let agreed: Getter | undefined;
  for (const { call, file: callerFile } of callsOf(factory, file)) {
    const argument = call.arguments[index];
    if (!argument || ts.isSpreadElement(argument)) return undefined;
    let passed: ts.Expression | undefined = argument;
    let passedFile = callerFile;
    if (option !== undefined) {
      const property = objectView(argument, callerFile)?.properties.get(option);
      passed = property?.value;
      passedFile = property?.file ?? callerFile;
    }
    const target = passed && functionOf(passed, passedFile);
    const getter = target && summarize(target.fn, target.file, context);
    if (!getter) return undefined;
    if (agreed && (agreed.index !== getter.index || agreed.promise !== getter.promise || agreed.model !== getter.model))
      return undefined;
    agreed = getter;
  }
  return agreed;
}

function summarize(fn: ts.FunctionLikeDeclaration, file: FileContext, context: GetterContext): Getter | undefined {
  const known = context.getters.get(fn);
  if (known !== undefined) return known ?? undefined;
  context.getters.set(fn, null); // recursion guard: a getter returning its own call is none
  const outer = truncated;
  truncated = false;
  const getter = computeGetter(fn, file, context);
  // A verdict cut short by the depth bound is not kept: asked from closer by, it may be a getter.
  if (truncated) context.getters.delete(fn);
  else context.getters.set(fn, getter ?? null);
  truncated ||= outer;
  return getter;
}

function computeGetter(fn: ts.FunctionLikeDeclaration, file: FileContext, context: GetterContext): Getter | undefined {
  const body = fn.body;
  if (!body) return undefined;
  const returned = ts.isBlock(body) ? returnedExpressions(body) : [body];
  if (!returned || returned.length === 0) return undefined;
  let getter: Getter | undefined;
  for (const expression of returned) {
    const answer = returnedSession(expression, fn, file, context);
    if (!answer || (getter && (answer.index !== getter.index || answer.model !== getter.model))) return undefined;
    getter = { ...answer, promise: answer.promise || (getter?.promise ?? false) };
  }
  return getter && { ...getter, promise: getter.promise || isAsyncFunction(fn) };
}

/** The expressions of the `return`s of a block body; undefined when one is a bare `return` (no session there). */
function returnedExpressions(body: ts.Block): ts.Expression[] | undefined {
  const returns = returnStatements(body);
  if (returns.some((statement) => !statement.expression)) return undefined;
  return returns.map((statement) => statement.expression!);
}

function returnedSession(
  expression: ts.Expression,
  fn: ts.FunctionLikeDeclaration,
  file: FileContext,
  context: GetterContext,
): Getter | undefined {
  let inner = unwrap(expression);
  if (ts.isAwaitExpression(inner)) inner = unwrap(inner.expression);
  if (ts.isNewExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === 'Promise') {
    const resolved = resolvedSession(inner, fn, file, context.find);
    return resolved && { ...resolved, promise: true };
  }
  if (ts.isCallExpression(inner)) {
    // `return inner(req)` of a nested getter: awaited, or its promise passed on.
    const nested = calledGetter(inner, file, context);
    const argument = nested && inner.arguments[nested.index];
    const index = argument && !ts.isSpreadElement(argument) ? parameterIndex(argument, fn) : undefined;
    if (nested) return index !== undefined ? { ...nested, index } : undefined;
    // Else a call the finder knows as a session by itself (Remix's `storage.getSession(cookie)`).
  }
  const session = context.find(inner, file);
  const index = session && parameterIndex(session.carrier, fn);
  return session && index !== undefined ? { index, model: session.model, promise: false } : undefined;
}

/** `new Promise((resolve, reject) => mw(req, res, (err) => err ? reject(err) : resolve(req.session)))`. */
function resolvedSession(
  created: ts.NewExpression,
  fn: ts.FunctionLikeDeclaration,
  file: FileContext,
  find: Finder,
): Omit<Getter, 'promise'> | undefined {
  const executor = created.arguments?.[0] && unwrap(created.arguments[0]);
  if (!executor || !isFunctionLike(executor) || !executor.body) return undefined;
  const resolve = executor.parameters[0];
  if (!resolve || !ts.isIdentifier(resolve.name)) return undefined;
  let answer: Omit<Getter, 'promise'> | undefined;
  let unknown = false;
  const visit = (node: ts.Node): void => {
    if (unknown) return;
    if (ts.isIdentifier(node) && node !== resolve.name && findDeclaration(node) === resolve) {
      // Every use of `resolve` must be a call with the session: passed on as a callback, it resolves
      // with whatever its caller hands it.
      const call = node.parent;
      if (!ts.isCallExpression(call) || call.expression !== node || call.arguments.length !== 1) {
        unknown = true;
        return;
      }
      const session = find(call.arguments[0], file);
      const index = session && parameterIndex(session.carrier, fn);
      if (!session || index === undefined || (answer && (answer.index !== index || answer.model !== session.model))) {
        unknown = true;
        return;
      }
      answer = { index, model: session.model };
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(executor.body, visit);
  return unknown ? undefined : answer;
}

/** The index of the getter's parameter a carrier is (`req` of `req.session`). */
function parameterIndex(carrier: ts.Expression, fn: ts.FunctionLikeDeclaration): number | undefined {
  const root = unwrap(carrier);
  if (!ts.isIdentifier(root)) return undefined;
  const declaration = findDeclaration(root);
  if (!declaration || !ts.isParameter(declaration) || declaration.parent !== fn) return undefined;
  return fn.parameters.indexOf(declaration);
}
