import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { cachedVerdict, memoPerFile } from '../analysis/node-memo.js';
import { findDeclaration } from '../analysis/scope.js';
import {
  accessedName,
  isAssignment,
  isFunctionLike,
  memberPath,
  propertyNameText,
  stringValue,
  unwrap,
} from '../analysis/syntax.js';
import {
  type Located,
  nestedView,
  possibleStrings,
  type ObjectView,
  objectView,
  type PropertyView,
  resolveValue,
} from '../analysis/values.js';
import { returnedExpressions, type SourceInfo, TaintEngine, type TaintResult } from '../analysis/taint.js';
import type {
  CookieWrite,
  CookieWriteDefaults,
  RequestInput,
  RequestInputKind,
  CredentialIssue,
  SessionIdSink,
  TokenIssue,
  UrlSink,
} from './session-id-concepts.js';
import { HAND_ROLLED_MODEL, SESSION_COOKIE_NAME } from './session-id-concepts.js';
import type { FileContext, Model, SessionOptionsSite } from './model.js';

/**
 * Concepts for the session-id taint rules (`client-controlled-session-id`, `session-id-in-url`):
 * request inputs (sources), session-id sinks, response cookie writes, the current session id, and
 * URL sinks; plus the syntax-only building blocks the framework models share to recognise them.
 */

export type {
  RequestInputKind,
  RequestInput,
  SessionIdSinkKind,
  SessionIdSink,
  CookieWrite,
  CookieWriteDefaults,
  CredentialIssue,
  TokenIssue,
  UrlSink,
} from './session-id-concepts.js';
export { SESSION_COOKIE_NAME } from './session-id-concepts.js';

/** Express `res.cookie()`, @fastify/cookie `setCookie()` and Next `cookies().set()`: neither flag is set. */
export const NO_COOKIE_FLAGS: CookieWriteDefaults = { secure: 'insecure', httpOnly: false };

// ---- request objects ------------------------------------------------------------------------------

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'options', 'head', 'use']);
/** Library callbacks that receive the request as their first argument. */
const REQUEST_CALLBACK_OPTIONS = new Set([
  'genid',
  'idGenerator',
  'customSessionIDGenerator',
  'handler',
  'preHandler',
  'preValidation',
  'onRequest',
]);

export interface CarrierStyle {
  /** Parameter names that denote the request (or context) without other evidence. */
  names: RegExp;
  /** Type annotations that denote it (`Request`, `FastifyRequest`, `Context`). */
  types: RegExp;
  /** Which parameter of a route handler or request callback holds it. */
  handlerIndex: number;
  /**
   * Functions whose `this` is the carrier: the function given to `<server>.<decorate>(name, fn)`
   * (Fastify's `decorateReply` / `decorateRequest`), and one assigned to `<app>.<prototype>.<name>`
   * (Express's `app.response.x = function () { … }`, which extends every response).
   */
  thisIn?: { decorate: string; prototype: string };
}

export const EXPRESS_REQUEST: CarrierStyle = {
  names: /^(req|request)$/,
  types: /\b(Request|IncomingMessage|FastifyRequest)\b/,
  handlerIndex: 0,
  thisIn: { decorate: 'decorateRequest', prototype: 'request' },
};
export const EXPRESS_RESPONSE: CarrierStyle = {
  names: /^(res|response|reply)$/,
  types: /\b(Response|ServerResponse|FastifyReply)\b/,
  handlerIndex: 1,
  thisIn: { decorate: 'decorateReply', prototype: 'response' },
};
export const KOA_CONTEXT: CarrierStyle = {
  names: /^(ctx|context)$/,
  types: /\b(Context|ParameterizedContext|RouterContext|DefaultContext)\b/,
  handlerIndex: 0,
};

/**
 * Whether an expression denotes the framework's request (or response, or context) object: a parameter
 * named or typed like one, or the parameter in that position of a route handler or request callback
 * (`app.get(path, (a, b) => …)`, `genid(r)`), a NestJS `@Req()`/`@Res()` parameter, or a local alias of
 * one (`const request = ctx.request` is handled by callers through member paths). Syntax only.
 */
export function isCarrier(expression: ts.Expression, style: CarrierStyle): boolean {
  const inner = unwrap(expression);
  if (inner.kind === ts.SyntaxKind.ThisKeyword) return thisIsCarrier(inner, style);
  if (!ts.isIdentifier(inner)) return false;
  const declaration = findDeclaration(inner);
  if (!declaration) return false;
  if (ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isIdentifier(declaration.name)) {
    // `const request = context.switchToHttp().getRequest()` (Nest) or a plain alias.
    const initializer = unwrap(declaration.initializer);
    if (
      ts.isCallExpression(initializer) &&
      /^get(Request|Response)$/.test(accessedName(unwrap(initializer.expression)) ?? '')
    ) {
      return accessedName(unwrap(initializer.expression)) === (style.handlerIndex === 1 ? 'getResponse' : 'getRequest');
    }
    if (ts.isIdentifier(initializer) && initializer.text !== inner.text) return isCarrier(initializer, style);
    return false;
  }
  if (!ts.isParameter(declaration) || !ts.isIdentifier(declaration.name)) return false;
  const name = declaration.name.text;
  return cachedVerdict(carrierParameters, declaration, style, () => parameterIsCarrier(declaration, name, style));
}

/**
 * Verdicts per parameter and carrier style: every use of `req` in a handler asks about the same
 * parameter, and the type test reads the annotation's text.
 */
const carrierParameters = new WeakMap<ts.ParameterDeclaration, Map<CarrierStyle, boolean>>();

/**
 * `this` in a function that extends the request or response: an explicit `this: FastifyReply`
 * parameter, or a function (not an arrow, whose `this` is its surroundings') given to a decorator or
 * assigned to the prototype object that `style.thisIn` names.
 */
function thisIsCarrier(node: ts.Node, style: CarrierStyle): boolean {
  let fn = node.parent;
  // Arrows have no `this` of their own: the nearest other function (or class, or module) gives it.
  while (fn && (!isFunctionLike(fn) || ts.isArrowFunction(fn)) && !ts.isClassLike(fn)) fn = fn.parent;
  if (!fn || (!ts.isFunctionExpression(fn) && !ts.isFunctionDeclaration(fn))) return false;
  return cachedVerdict(carrierThisFunctions, fn, style, () => functionExtendsCarrier(fn, style));
}

const carrierThisFunctions = new WeakMap<ts.FunctionLikeDeclaration, Map<CarrierStyle, boolean>>();

function functionExtendsCarrier(fn: ts.FunctionExpression | ts.FunctionDeclaration, style: CarrierStyle): boolean {
  const thisParameter = fn.parameters[0];
  if (thisParameter && ts.isIdentifier(thisParameter.name) && thisParameter.name.text === 'this') {
    return thisParameter.type !== undefined && style.types.test(thisParameter.type.getText());
  }
  if (!style.thisIn) return false;
  if (ts.isFunctionExpression(fn)) {
    let site: ts.Node = fn;
    while (ts.isParenthesizedExpression(site.parent)) site = site.parent;
    if (isDecoration(site.parent, site, style.thisIn.decorate)) return true;
    // `app.response.sendSession = function (…) { this.cookie(…) }`
    const assignment = site.parent;
    if (isAssignment(assignment) && assignment.right === site) {
      const target = unwrap(assignment.left);
      return (
        ts.isPropertyAccessExpression(target) && accessedName(unwrap(target.expression)) === style.thisIn.prototype
      );
    }
    if (!ts.isVariableDeclaration(site.parent) || !ts.isIdentifier(site.parent.name)) return false;
    return decoratedByName(fn.getSourceFile(), site.parent.name.text, style.thisIn.decorate);
  }
  return fn.name !== undefined && decoratedByName(fn.getSourceFile(), fn.name.text, style.thisIn.decorate);
}

/** `fastify.decorateReply('name', fn)`: the function is the decorator's second argument. */
function isDecoration(call: ts.Node, argument: ts.Node, decorate: string): call is ts.CallExpression {
  return (
    ts.isCallExpression(call) && call.arguments[1] === argument && accessedName(unwrap(call.expression)) === decorate
  );
}

/**
 * Whether the file passes a function by name to the decorator (`fastify.decorateReply('x', setToken)`).
 * Read once per file and decorator, and only in files that name the decorator.
 */
function decoratedByName(sourceFile: ts.SourceFile, name: string, decorate: string): boolean {
  let byDecorator = decoratedNames.get(sourceFile);
  if (!byDecorator) {
    byDecorator = new Map();
    decoratedNames.set(sourceFile, byDecorator);
  }
  let names = byDecorator.get(decorate);
  if (!names) {
    const found = new Set<string>();
    if (sourceFile.text.includes(decorate)) {
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && node.arguments.length >= 2) {
          const argument = unwrap(node.arguments[1]);
          if (ts.isIdentifier(argument) && isDecoration(node, node.arguments[1], decorate)) found.add(argument.text);
        }
        ts.forEachChild(node, visit);
      };
      visit(sourceFile);
    }
    names = found;
    byDecorator.set(decorate, names);
  }
  return names.has(name);
}

const decoratedNames = new WeakMap<ts.SourceFile, Map<string, Set<string>>>();

function parameterIsCarrier(declaration: ts.ParameterDeclaration, parameterName: string, style: CarrierStyle): boolean {
  const fn = declaration.parent;
  if (!isFunctionLike(fn)) return false;
  const index = fn.parameters.indexOf(declaration);
  const decorators = ts.canHaveDecorators(declaration) ? (ts.getDecorators(declaration) ?? []) : [];
  for (const decorator of decorators) {
    const name = decoratorName(decorator);
    if (style.handlerIndex === 0 && (name === 'Req' || name === 'Request')) return true;
    if (style.handlerIndex === 1 && (name === 'Res' || name === 'Response')) return true;
  }
  if (style.names.test(parameterName)) return true;
  if (declaration.type && style.types.test(declaration.type.getText())) return true;
  return index === style.handlerIndex && isRequestCallback(fn);
}

function isRequestCallback(fn: ts.FunctionLikeDeclaration): boolean {
  const parent = fn.parent;
  if (ts.isCallExpression(parent) && parent.arguments.includes(fn as unknown as ts.Expression)) {
    const method = accessedName(unwrap(parent.expression));
    return method !== undefined && ROUTE_METHODS.has(method);
  }
  if (ts.isPropertyAssignment(parent)) return REQUEST_CALLBACK_OPTIONS.has(propertyNameText(parent.name) ?? '');
  if (ts.isMethodDeclaration(fn) && ts.isObjectLiteralExpression(parent)) {
    return REQUEST_CALLBACK_OPTIONS.has(propertyNameText(fn.name) ?? '');
  }
  return false;
}

export function decoratorName(decorator: ts.Decorator): string | undefined {
  const expression = unwrap(decorator.expression);
  const callee = ts.isCallExpression(expression) ? unwrap(expression.expression) : expression;
  return ts.isIdentifier(callee) ? callee.text : accessedName(callee);
}

/**
 * Request inputs read as properties or getter calls of a carrier: `req.query`, `req.get('x')`,
 * `ctx.request.body`, `ctx.cookies.get('x')`, and destructuring `const { query } = req`.
 * `properties` maps a member path below the carrier (`query`, `request.body`) to a kind;
 * `calls` maps a called member path (`get`, `cookies.get`) to a kind.
 */
export function carrierInputs(
  model: string,
  style: CarrierStyle,
  properties: Record<string, RequestInputKind>,
  calls: Record<string, RequestInputKind> = {},
) {
  return (node: ts.Node, file: FileContext): RequestInput | undefined => {
    if (ts.isBindingElement(node)) {
      const key = node.propertyName ?? node.name;
      const name = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
      const kind = name ? properties[name] : undefined;
      if (!kind || node.dotDotDotToken) return undefined;
      const holder = node.parent.parent;
      const carrier =
        ts.isVariableDeclaration(holder) && holder.initializer
          ? isCarrier(holder.initializer, style)
          : ts.isParameter(holder) && isFunctionLike(holder.parent)
            ? holder.parent.parameters.indexOf(holder) === style.handlerIndex && isRequestCallback(holder.parent)
            : false;
      return carrier ? { model, label: `${name} (destructured from the request)`, kind } : undefined;
    }
    if (!isExpressionLike(node)) return undefined;
    const inner = unwrap(node);
    if (ts.isCallExpression(inner)) {
      const path = memberPath(inner.expression);
      if (!path || path.length < 2) return undefined;
      const member = path.slice(1).join('.');
      const kind = calls[member];
      if (!kind) return undefined;
      const carrier = carrierOf(unwrap(inner.expression), path.length - 1);
      if (!carrier || !isCarrier(carrier, style)) return undefined;
      return { model, label: labelOf(inner, file), kind };
    }
    if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner)) return undefined;
    const path = memberPath(inner);
    if (!path || path.length < 2) return undefined;
    const member = path.slice(1).join('.');
    const kind = properties[member];
    if (!kind) return undefined;
    const carrier = carrierOf(inner, path.length - 1);
    if (!carrier || !isCarrier(carrier, style)) return undefined;
    return { model, label: labelOf(inner, file), kind };
  };
}

/** The object `depth` member accesses below `expression` (`req` of `req.a.b` at depth 2). */
function carrierOf(expression: ts.Expression, depth: number): ts.Expression | undefined {
  let current = unwrap(expression);
  for (let i = 0; i < depth; i++) {
    if (!ts.isPropertyAccessExpression(current) && !ts.isElementAccessExpression(current)) return undefined;
    current = unwrap(current.expression);
  }
  return current;
}

export function isExpressionLike(node: ts.Node): node is ts.Expression {
  return ts.isExpression(node as ts.Expression) && !ts.isParameter(node) && !ts.isBindingElement(node);
}

export function labelOf(node: ts.Node, file: FileContext): string {
  const text = file.textOf(node).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

// ---- session-id sinks -----------------------------------------------------------------------------

/** The function an option value denotes: inline, a method, a local or imported function. */
export function optionFunction(
  property: PropertyView | undefined,
): { fn: ts.FunctionLikeDeclaration; file: FileContext } | undefined {
  if (!property) return undefined;
  if (ts.isMethodDeclaration(property.property)) return { fn: property.property, file: property.file };
  if (!property.value) return undefined;
  const resolved = resolveValue(property.value, property.file);
  if (isFunctionLike(resolved.node)) return { fn: resolved.node, file: resolved.file };
  if (ts.isIdentifier(resolved.node)) {
    const declaration = findDeclaration(resolved.node);
    if (declaration && ts.isFunctionDeclaration(declaration)) return { fn: declaration, file: resolved.file };
  }
  return undefined;
}

/** A generator sink for each option path (`['genid']`, `['externalKey', 'get']`) holding a function. */
export function generatorOptionSinks(
  model: string,
  options: ObjectView | undefined,
  paths: string[][],
): SessionIdSink[] {
  const sinks: SessionIdSink[] = [];
  for (const path of paths) {
    let view = options;
    let property: PropertyView | undefined;
    for (const [index, key] of path.entries()) {
      property = view?.properties.get(key);
      if (!property) break;
      if (index < path.length - 1) view = nestedView(property);
    }
    if (!property) continue;
    const generator = optionFunction(property);
    if (generator) sinks.push({ model, kind: 'generator', label: path.join('.'), node: property.property, generator });
  }
  return sinks;
}

/** `<carrier>.<property> = value` (e.g. `req.sessionID = x`). */
export function carrierAssignmentSink(
  model: string,
  style: CarrierStyle,
  property: string,
): (node: ts.Node, file: FileContext) => SessionIdSink[] | undefined {
  return (node, file) => {
    if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
    const target = unwrap(node.left);
    if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return undefined;
    if (accessedName(target) !== property || !isCarrier(target.expression, style)) return undefined;
    return [{ model, kind: 'assignment', label: labelOf(target, file), node, value: { node: node.right, file } }];
  };
}

/**
 * Request-side cookie injection: `req.headers.cookie = \`app.sid=${value}\`` (or a list of pairs joined
 * with `; `, or `req.cookies.sid = value`) plants a session cookie in the incoming request, so a session
 * middleware that runs later adopts `value` as the session id. One sink per pair whose name is a
 * session cookie name; the pair's value is the id.
 */
export function requestCookieInjection(model: string, style: CarrierStyle) {
  return (node: ts.Node, file: FileContext): SessionIdSink[] | undefined => {
    if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
    const target = unwrap(node.left);
    const path =
      ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target) ? memberPath(target) : undefined;
    if (!path || path.length !== 3) return undefined;
    const carrier = carrierOf(target, 2);
    if (!carrier || !isCarrier(carrier, style)) return undefined;
    const label = labelOf(target, file);
    if (path[1] === 'cookies') {
      const name = ts.isElementAccessExpression(target)
        ? stringValue(resolveValue(target.argumentExpression, file).node as ts.Expression)
        : path[2];
      if (!name || !SESSION_COOKIE_NAME.test(name)) return undefined;
      return [{ model, kind: 'injection', label, node, value: { node: node.right, file } }];
    }
    if (path[1] !== 'headers' || path[2] !== 'cookie') return undefined;
    const sinks: SessionIdSink[] = [];
    for (const pair of cookiePairs(node.right, file, 0)) {
      sinks.push({ model, kind: 'injection', label, node, value: { node: pair, file } });
    }
    return sinks.length > 0 ? sinks : undefined;
  };
}

/** Values written after a session cookie's `name=` in a cookie header being built. */
function cookiePairs(expression: ts.Expression, file: FileContext, depth: number): ts.Expression[] {
  if (depth > 3) return [];
  const inner = unwrap(expression);
  const found: ts.Expression[] = [];
  if (ts.isTemplateExpression(inner)) {
    let before = inner.head.text;
    let previous: ts.Expression | undefined;
    for (const span of inner.templateSpans) {
      const match = /(?:^|[;\s])([^=;\s]*)=$/.exec(before);
      if (match) {
        const names = match[1] ? [match[1]] : previous ? possibleStrings(previous, file) : [];
        if (names.some((name) => name !== undefined && SESSION_COOKIE_NAME.test(name))) found.push(span.expression);
      }
      previous = span.expression;
      before = span.literal.text;
    }
    return found;
  }
  if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = stringValue(unwrap(resolveValue(inner.left, file).node as ts.Expression));
    const match = left !== undefined ? /(?:^|[;\s])([^=;\s]+)=$/.exec(left) : undefined;
    if (match && SESSION_COOKIE_NAME.test(match[1])) return [inner.right];
    return [...cookiePairs(inner.left, file, depth + 1), ...cookiePairs(inner.right, file, depth + 1)];
  }
  if (ts.isArrayLiteralExpression(inner))
    return inner.elements.flatMap((element) => cookiePairs(element, file, depth + 1));
  if (ts.isSpreadElement(inner)) return [];
  // `pairs.join('; ')`, with `pairs` built in this function (`[…]`, `pairs.push(…)`).
  if (ts.isCallExpression(inner) && accessedName(unwrap(inner.expression)) === 'join') {
    const list = unwrap((unwrap(inner.expression) as ts.PropertyAccessExpression).expression);
    if (ts.isArrayLiteralExpression(list)) return cookiePairs(list, file, depth + 1);
    if (!ts.isIdentifier(list)) return [];
    const declaration = findDeclaration(list);
    if (!declaration || !ts.isVariableDeclaration(declaration)) return [];
    const scope = declaration.parent.parent.parent;
    const pushed: ts.Expression[] = [];
    const visit = (node: ts.Node) => {
      if (
        ts.isCallExpression(node) &&
        ['push', 'unshift'].includes(accessedName(unwrap(node.expression)) ?? '') &&
        ts.isPropertyAccessExpression(unwrap(node.expression))
      ) {
        const receiver = unwrap((unwrap(node.expression) as ts.PropertyAccessExpression).expression);
        if (ts.isIdentifier(receiver) && findDeclaration(receiver) === declaration) pushed.push(...node.arguments);
      }
      ts.forEachChild(node, visit);
    };
    if (scope) visit(scope);
    return pushed.flatMap((argument) => cookiePairs(argument, file, depth + 1));
  }
  return found;
}

const STORE_WRITES = new Set(['set', 'createSession', 'touch']);
const STORE_READS = new Set(['get', 'load']);

/**
 * Calls on a session store: `req.sessionStore.set(id, …)`, `store.get(id)`, where the store is the
 * request's `sessionStore`, an instance of a class extending the library's `Store`, or a value whose
 * name says it is a session store (`sessionStore`, `store`). The first argument is the id.
 */
export function sessionStoreCalls(model: string, storeModules: string[]) {
  return (node: ts.Node, file: FileContext): SessionIdSink[] | undefined => {
    if (!ts.isCallExpression(node) || node.arguments.length === 0) return undefined;
    const callee = unwrap(node.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    const kind = STORE_WRITES.has(method) ? 'store-write' : STORE_READS.has(method) ? 'store-read' : undefined;
    if (!kind || !isSessionStore(callee.expression, file, storeModules)) return undefined;
    return [
      {
        model,
        kind,
        label: `${labelOf(callee, file)}()`,
        node,
        value: { node: node.arguments[0], file },
      },
    ];
  };
}

function isSessionStore(expression: ts.Expression, file: FileContext, storeModules: string[]): boolean {
  const inner = unwrap(expression);
  const path = memberPath(inner);
  if (path && path.at(-1) === 'sessionStore') return true;
  if (path && path.length === 1 && /^session_?store$/i.test(path[0])) return true;
  // A plain `store` is anything from a cache to a Redux store: it counts only when it is visibly
  // constructed as a session store (`new RedisStore(…)`, a class extending the library's Store).
  const resolved = resolveValue(inner, file);
  if (!ts.isNewExpression(resolved.node)) return false;
  const constructed = unwrap(resolved.node.expression);
  if (
    path?.length === 1 &&
    /store$/i.test(path[0]) &&
    ts.isIdentifier(constructed) &&
    /Store$/.test(constructed.text)
  ) {
    return true;
  }
  return extendsStore(resolved.node.expression, resolved.file, storeModules, 0);
}

function extendsStore(expression: ts.Expression, file: FileContext, storeModules: string[], depth: number): boolean {
  if (depth > 4) return false;
  const reference = moduleReferenceOf(expression);
  if (reference && storeModules.includes(reference.module)) return reference.path.at(-1) === 'Store';
  const inner = unwrap(expression);
  if (!ts.isIdentifier(inner)) return false;
  const declaration = findDeclaration(inner);
  if (!declaration || !ts.isClassDeclaration(declaration)) return false;
  for (const clause of declaration.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    for (const type of clause.types) {
      if (extendsStore(type.expression, file, storeModules, depth + 1)) return true;
    }
  }
  return false;
}

// ---- cookies, redirects, headers ------------------------------------------------------------------

/**
 * `<res>.<method>(name, value, options?)` for each method, with the response recognised by `style`;
 * `defaults` says what the API does when a flag is absent from the options.
 */
export function responseCookieCalls(
  model: string,
  style: CarrierStyle,
  methods: string[],
  carrierPath: string[] = [],
  defaults?: CookieWriteDefaults,
) {
  return (node: ts.Node, file: FileContext): CookieWrite[] | undefined => {
    if (!ts.isCallExpression(node) || node.arguments.length < 2) return undefined;
    const callee = unwrap(node.expression);
    const path = memberPath(callee);
    if (!path || !methods.includes(path.at(-1)!)) return undefined;
    const below = path.slice(1, -1);
    if (below.join('.') !== carrierPath.join('.')) return undefined;
    const carrier = carrierOf(callee, below.length + 1);
    if (!carrier || !isCarrier(carrier, style)) return undefined;
    return [
      {
        model,
        label: `${labelOf(callee, file)}()`,
        node,
        name: stringValue(resolveValue(node.arguments[0], file).node as ts.Expression),
        value: { node: node.arguments[1], file },
        options: node.arguments[2] ? { node: node.arguments[2], file } : undefined,
        defaults,
      },
    ];
  };
}

/**
 * Header writes: `res.setHeader(name, v)`, `res.set(name, v)`, `res.header(name, v)`, `res.append`,
 * `reply.header`, `ctx.set`, and `res.writeHead(status, { … })`. Returns `[headerName, value]` pairs.
 */
export function headerWrites(
  node: ts.Node,
  file: FileContext,
  style: CarrierStyle,
  methods: string[],
): { name: string; value: ts.Expression; call: ts.CallExpression }[] {
  if (!ts.isCallExpression(node)) return [];
  const callee = unwrap(node.expression);
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const method = callee.name.text;
  // The method name first: asked of every call by several hooks of several models, and most calls
  // are not header writes, so the receiver is resolved only for the few that could be.
  const headerMethod = method === 'writeHead' || (methods.includes(method) && node.arguments.length >= 2);
  if (!headerMethod || !isCarrier(callee.expression, style)) return [];
  if (method === 'writeHead') {
    const headers = node.arguments.find((argument, index) => index > 0 && objectView(argument, file));
    const view = headers && objectView(headers, file);
    return [...(view?.properties.values() ?? [])]
      .filter((property) => property.value)
      .map((property) => ({ name: property.name.toLowerCase(), value: property.value!, call: node }));
  }
  const name = stringValue(resolveValue(node.arguments[0], file).node as ts.Expression);
  return name ? [{ name: name.toLowerCase(), value: node.arguments[1], call: node }] : [];
}

/** Raw `Set-Cookie` headers whose value starts `name=` (a template, concatenation or literal). */
export function rawSetCookieWrites(model: string, style: CarrierStyle, methods: string[]) {
  return (node: ts.Node, file: FileContext): CookieWrite[] | undefined => {
    const writes: CookieWrite[] = [];
    for (const header of headerWrites(node, file, style, methods)) {
      if (header.name !== 'set-cookie') continue;
      const values = ts.isArrayLiteralExpression(unwrap(header.value))
        ? (unwrap(header.value) as ts.ArrayLiteralExpression).elements
        : [header.value];
      for (const value of values) {
        writes.push({
          model,
          label: 'Set-Cookie header',
          rawHeader: true,
          node: header.call,
          name: cookieNameOfHeader(value, file),
          value: { node: value, file },
        });
      }
    }
    return writes;
  };
}

export function cookieNameOfHeader(value: ts.Expression, file: FileContext): string | undefined {
  let inner = unwrap(resolveValue(value, file).node as ts.Expression);
  while (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.PlusToken)
    inner = unwrap(inner.left);
  const text = ts.isTemplateExpression(inner)
    ? inner.head.text
    : ts.isStringLiteralLike(inner)
      ? inner.text
      : undefined;
  const match = text && /^\s*([^=;\s]+)=/.exec(text);
  return match ? match[1] : undefined;
}

// ---- tokens issued outside cookies ---------------------------------------------------------------

/** Response headers that carry a credential: `Authorization: Bearer …`, `X-Session-Token`, `X-Auth-Token`. */
export const TOKEN_HEADER = /^(authorization|x-(auth|access|session|api)-?(token|key|id)?)$/;
/** Body fields that carry a credential: `{ token }`, `{ sessionToken }`, `{ access_token }`, `{ sid }`. */
const TOKEN_FIELD = /^(token|sid|(session|auth|access|login|api)_?(token|id|key))$/i;
/** Builder calls that return the response itself: `res.status(200).json(…)`, `reply.code(201).send(…)`. */
const RESPONSE_BUILDERS = new Set(['status', 'code', 'type', 'set', 'header', 'headers', 'cookie', 'append', 'vary']);

/** The response a chain of builder calls starts from: `res` in `res.status(200).set(…)`. */
function responseRoot(expression: ts.Expression): ts.Expression {
  let inner = unwrap(expression);
  while (
    ts.isCallExpression(inner) &&
    ts.isPropertyAccessExpression(unwrap(inner.expression)) &&
    RESPONSE_BUILDERS.has((unwrap(inner.expression) as ts.PropertyAccessExpression).name.text)
  ) {
    inner = unwrap((unwrap(inner.expression) as ts.PropertyAccessExpression).expression);
  }
  return inner;
}

/**
 * The credential fields of a response body: `{ token }`, `JSON.stringify({ sessionToken })`, one level
 * down too (`{ data: { token } }`), as the body APIs of every framework send them.
 */
export function bodyTokenIssues(model: string, label: string, node: ts.Node, body: ts.Expression, file: FileContext) {
  let inner = unwrap(body);
  if (ts.isCallExpression(inner) && memberPath(inner.expression)?.join('.') === 'JSON.stringify' && inner.arguments[0])
    inner = inner.arguments[0];
  const issues: TokenIssue[] = [];
  const collect = (view: ReturnType<typeof objectView>, depth: number) => {
    for (const property of view?.properties.values() ?? []) {
      if (TOKEN_FIELD.test(property.name) && property.value) {
        issues.push({
          model,
          label,
          node,
          name: property.name,
          value: { node: property.value, file },
          channel: 'body',
        });
      } else if (depth === 0) collect(nestedView(property), 1);
    }
  };
  collect(objectView(inner, file), 0);
  return issues;
}

/**
 * Credentials a handler hands back outside a cookie: a token header (`res.set('Authorization', …)`)
 * or a token field of the body sent by one of `bodyMethods` (`res.json({ token })`).
 */
export function responseTokenIssues(
  model: string,
  style: CarrierStyle,
  bodyMethods: string[],
  headerMethods: string[],
) {
  return (node: ts.Node, file: FileContext): TokenIssue[] | undefined => {
    const issues: TokenIssue[] = [];
    for (const header of headerWrites(node, file, style, headerMethods)) {
      if (!TOKEN_HEADER.test(header.name)) continue;
      const value = { node: header.value, file };
      issues.push({
        model,
        label: `${header.name} header`,
        node: header.call,
        name: header.name,
        value,
        channel: 'header',
      });
    }
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = unwrap(node.expression);
      if (
        ts.isPropertyAccessExpression(callee) &&
        bodyMethods.includes(callee.name.text) &&
        isCarrier(responseRoot(callee.expression), style)
      ) {
        const label = `${labelOf(responseRoot(callee.expression), file)}.${callee.name.text}()`;
        issues.push(...bodyTokenIssues(model, label, node, node.arguments[0], file));
      }
    }
    return issues;
  };
}

/** `Location` header writes and `<carrier>.redirect(…)` / `.location(…)` calls. */
export function redirectSinks(model: string, style: CarrierStyle, headerMethods: string[]) {
  return (node: ts.Node, file: FileContext): UrlSink[] | undefined => {
    const sinks: UrlSink[] = [];
    for (const header of headerWrites(node, file, style, headerMethods)) {
      if (header.name === 'location') {
        sinks.push({ model, label: 'Location header', node: header.call, value: { node: header.value, file } });
      }
    }
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (
        ts.isPropertyAccessExpression(callee) &&
        (callee.name.text === 'redirect' || callee.name.text === 'location') &&
        isCarrier(callee.expression, style)
      ) {
        // express `redirect(status, url)` / fastify v4 `redirect(code, url)` / v5 `redirect(url, code)`.
        const url = node.arguments.find((argument) => !isNumberLike(argument, file));
        if (url) sinks.push({ model, label: `${labelOf(callee, file)}()`, node, value: { node: url, file } });
      }
    }
    return sinks;
  };
}

function isNumberLike(expression: ts.Expression, file: FileContext): boolean {
  const resolved = resolveValue(expression, file).node;
  return ts.isNumericLiteral(resolved);
}

/** `<carrier>.<path…>` reads that are the current session id (`req.sessionID`, `req.session.id`). */
export function carrierSessionId(style: CarrierStyle, paths: string[]) {
  return (node: ts.Node, file: FileContext): string | undefined => {
    if (!isExpressionLike(node)) return undefined;
    const inner = unwrap(node);
    if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner)) return undefined;
    const path = memberPath(inner);
    if (!path || path.length < 2 || !paths.includes(path.slice(1).join('.'))) return undefined;
    const carrier = carrierOf(inner, path.length - 1);
    return carrier && isCarrier(carrier, style) ? labelOf(inner, file) : undefined;
  };
}

/** A read of a cookie the request carries, plain (`req.cookies.sid`, `getCookie(c, 'sid')`) or signed. */
export function readsRequestCookie(node: ts.Node, file: FileContext): boolean {
  return file.models.some(
    (model) =>
      model.requestInput?.(node, file)?.kind === 'cookie' || model.signedCookieRead?.(node, file) !== undefined,
  );
}

/** A call of one of a module's named exports (`cookies()` from `next/headers`). */
export function callsExport(node: ts.Node, module: string, names: string[]): boolean {
  if (!ts.isCallExpression(node)) return false;
  const reference = moduleReferenceOf(node.expression);
  return names.some((name) => refersTo(reference, module, name));
}

/**
 * `u.searchParams.set(name, value)` / `.append` where `u` is a WHATWG `URL` built in this code (the
 * language's URL API, shared by every framework model).
 */
export function urlSearchParamSinks(model: string) {
  return (node: ts.Node, file: FileContext): UrlSink[] | undefined => {
    if (!ts.isCallExpression(node) || node.arguments.length < 2) return undefined;
    const callee = unwrap(node.expression);
    if (!ts.isPropertyAccessExpression(callee) || !['set', 'append'].includes(callee.name.text)) return undefined;
    const params = unwrap(callee.expression);
    if (!ts.isPropertyAccessExpression(params) || params.name.text !== 'searchParams') return undefined;
    const url = resolveValue(params.expression, file).node;
    if (!ts.isNewExpression(url) || !ts.isIdentifier(url.expression) || url.expression.text !== 'URL') return undefined;
    return [{ model, label: 'URL search parameter', node, value: { node: node.arguments[1], file } }];
  };
}

/** Runs several hooks of the same shape and concatenates their answers. */
export function allOf<T, This = unknown>(
  ...hooks: ((this: This, node: ts.Node, file: FileContext) => T[] | undefined)[]
) {
  // A model's hooks may read the model as `this` (`this.sessionOptions`): it is passed through.
  return function (this: This, node: ts.Node, file: FileContext): T[] | undefined {
    // Asked of every call: nothing is allocated unless a hook answers.
    let found: T[] | undefined;
    for (const hook of hooks) {
      const answer = hook.call(this, node, file);
      if (answer && answer.length > 0) {
        found ??= [];
        for (const item of answer) found.push(item);
      }
    }
    return found;
  };
}

/**
 * How to produce a server-generated id in this file: reuses an existing `randomBytes` or crypto
 * namespace binding, else says which import to add (ESM or CommonJS, following the file).
 */
export function randomIdExpression(file: FileContext): { expression: string; importText?: string; importAt: number } {
  let namespace: string | undefined;
  let named: string | undefined;
  let usesImport = false;
  for (const statement of file.sourceFile.statements) {
    if (ts.isImportDeclaration(statement)) {
      usesImport = true;
      const module = stringValue(statement.moduleSpecifier as ts.Expression);
      if (module !== 'crypto' && module !== 'node:crypto') continue;
      const clause = statement.importClause;
      if (clause?.name) namespace = clause.name.text;
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) namespace = bindings.name.text;
      if (bindings && ts.isNamedImports(bindings)) {
        const element = bindings.elements.find((e) => (e.propertyName ?? e.name).text === 'randomBytes');
        if (element) named = element.name.text;
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer && unwrap(declaration.initializer);
        if (
          !init ||
          !ts.isCallExpression(init) ||
          !ts.isIdentifier(init.expression) ||
          init.expression.text !== 'require'
        )
          continue;
        const module = stringValue(init.arguments[0]);
        if (module !== 'crypto' && module !== 'node:crypto') continue;
        if (ts.isIdentifier(declaration.name)) namespace = declaration.name.text;
        else if (ts.isObjectBindingPattern(declaration.name)) {
          const element = declaration.name.elements.find(
            (e) => propertyNameText((e.propertyName ?? e.name) as ts.PropertyName) === 'randomBytes',
          );
          if (element && ts.isIdentifier(element.name)) named = element.name.text;
        }
      }
    }
  }
  const first = file.sourceFile.statements[0];
  const importAt = first ? first.getStart(file.sourceFile) : 0;
  if (named) return { expression: `${named}(32).toString('base64url')`, importAt };
  if (namespace) return { expression: `${namespace}.randomBytes(32).toString('base64url')`, importAt };
  const commonJs = !usesImport && file.isJavaScript && /\brequire\s*\(/.test(file.text);
  return {
    expression: `randomBytes(32).toString('base64url')`,
    importText: commonJs
      ? `const { randomBytes } = require('node:crypto');\n`
      : `import { randomBytes } from 'node:crypto';\n`,
    importAt,
  };
}

/**
 * A taint engine whose sources, sanitizers and pass-through calls come from the enabled models. A
 * helper module that imports no framework (`lib/ids.ts`) has no models of its own; its nodes are then
 * judged by the models of the file the query started from.
 */
export class ModelTaint {
  readonly engine: TaintEngine;
  private queryModels: readonly Model[] = [];

  constructor(source: (model: Model, node: ts.Node, file: FileContext) => SourceInfo | undefined) {
    const modelsOf = (file: FileContext) => {
      const own = file.models;
      return own.some((model) => model.requestInput || model.sessionIdValue) ? own : [...own, ...this.queryModels];
    };
    this.engine = new TaintEngine({
      isSource: (node, file) => {
        for (const model of modelsOf(file)) {
          const found = source(model, node, file);
          if (found) return found;
        }
        return undefined;
      },
      guardClears: knownToServer,
      passThrough: (call, file) => {
        for (const model of modelsOf(file)) {
          const passed = model.taintPassThrough?.(call, file);
          if (passed) return passed;
        }
        return undefined;
      },
    });
  }

  sourcesOf(expression: ts.Expression, file: FileContext, from: FileContext): TaintResult {
    this.queryModels = from.models;
    return this.engine.sourcesOf(expression, file);
  }
}

/**
 * `if (!id || !sessions.has(id)) id = fresh()`: the old value survives only when the server's own
 * collection knows it (`has`, `get`, `[id]`), so a client cannot pick it: strict adoption. A format
 * check (`!WELL_FORMED.test(id)`) proves nothing of the kind and does not count.
 */
export function knownToServer(condition: ts.Expression, variable: ts.VariableDeclaration): boolean {
  const disjuncts: ts.Expression[] = [];
  const collect = (expression: ts.Expression) => {
    const inner = unwrap(expression);
    if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.BarBarToken) {
      collect(inner.left);
      collect(inner.right);
    } else disjuncts.push(inner);
  };
  collect(condition);
  const isVariable = (expression: ts.Expression) => {
    const inner = unwrap(expression);
    return ts.isIdentifier(inner) && findDeclaration(inner) === variable;
  };
  return disjuncts.some((disjunct) => {
    let lookup: ts.Expression | undefined;
    if (ts.isPrefixUnaryExpression(disjunct) && disjunct.operator === ts.SyntaxKind.ExclamationToken) {
      lookup = unwrap(disjunct.operand);
    } else if (
      ts.isBinaryExpression(disjunct) &&
      [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(disjunct.operatorToken.kind) &&
      ['undefined', 'null'].includes(unwrap(disjunct.right).getText())
    ) {
      lookup = unwrap(disjunct.left);
    }
    if (!lookup) return false;
    if (ts.isAwaitExpression(lookup)) lookup = unwrap(lookup.expression);
    if (ts.isElementAccessExpression(lookup)) return isVariable(lookup.argumentExpression);
    if (!ts.isCallExpression(lookup) || lookup.arguments.length === 0) return false;
    const method = accessedName(unwrap(lookup.expression));
    return (method === 'has' || method === 'get' || method === 'exists') && isVariable(lookup.arguments[0]);
  });
}

/** Request inputs of the enabled models, as taint sources. */
export function requestInputTaint(): ModelTaint {
  return new ModelTaint((model, node, file) => {
    const input = model.requestInput?.(node, file);
    return input ? { label: input.label, kind: input.kind } : undefined;
  });
}

/** The current session id (`req.sessionID`) as a taint source of kind `session-id`. */
export function sessionIdTaint(): ModelTaint {
  return new ModelTaint((model, node, file) => {
    const label = model.sessionIdValue?.(node, file);
    return label ? { label, kind: 'session-id' } : undefined;
  });
}

/** What one model says about one node: its session-id sinks, cookie writes and session options. */
export interface ModelAnswer {
  model: Model;
  sinks: SessionIdSink[];
  cookieWrites: CookieWrite[];
  tokenIssues: TokenIssue[];
  options?: SessionOptionsSite;
}

const sessionIdModelsOf = new WeakMap<FileContext, Model[]>();

/** The file's models with something to say about session ids, cookies or session options. */
function sessionIdModels(file: FileContext): Model[] {
  let models = sessionIdModelsOf.get(file);
  if (!models) {
    models = file.models.filter(
      (model) => model.sessionIdSinks || model.cookieWrites || model.tokenIssues || model.sessionOptions,
    );
    sessionIdModelsOf.set(file, models);
  }
  return models;
}

/**
 * The models' session-id sinks, cookie writes and session options at a node, asked once per node:
 * the session-id, cookie and secret rules all walk the same nodes and ask the same models. Only
 * models with something to say are listed.
 */
export function modelAnswersAt(node: ts.Node, file: FileContext): readonly ModelAnswer[] {
  if (ts.isBinaryExpression(node) && !isAssignment(node)) return NO_ANSWERS;
  return answersAt(node, file);
}

/** Most nodes have no answer: one shared, frozen empty list. */
const NO_ANSWERS: readonly ModelAnswer[] = Object.freeze([]);

const answersAt = memoPerFile((node: ts.Node, file: FileContext): readonly ModelAnswer[] => {
  const answers: ModelAnswer[] = [];
  for (const model of sessionIdModels(file)) {
    const sinks = model.sessionIdSinks?.(node, file) ?? [];
    const cookieWrites = model.cookieWrites?.(node, file) ?? [];
    const tokenIssues = model.tokenIssues?.(node, file) ?? [];
    const options = ts.isCallExpression(node) ? model.sessionOptions?.(node, file) : undefined;
    if (sinks.length > 0 || cookieWrites.length > 0 || tokenIssues.length > 0 || options)
      answers.push({ model, sinks, cookieWrites, tokenIssues, options });
  }
  return answers.length > 0 ? answers : NO_ANSWERS;
});

/**
 * What the session-id rules collect during the walk: every session-id sink (handed to `onSink` as it
 * is met), the session cookie names configured in the file, and every cookie write, for `onEnd`.
 */
export function collectSessionIdSites(file: FileContext, onSink: (sink: SessionIdSink) => void) {
  const cookieWrites: CookieWrite[] = [];
  const tokenIssues: TokenIssue[] = [];
  const sessionCookieNames = new Set<string>();
  // A model's session-id sinks describe how code *using* a library sets the id (`req.sessionID = …`).
  // Inside the library's own package they are its implementation: express-session's middleware
  // reads the cookie into `req.sessionID` only to look it up in the store and mints a fresh id when
  // the store has none, which is the resolve step, not adoption.
  const ownPackage = file.manifest?.name;
  const visit = (node: ts.Node) => {
    for (const answer of modelAnswersAt(node, file)) {
      if (ownPackage === undefined || !answer.model.packages.includes(ownPackage)) {
        for (const sink of answer.sinks) onSink(sink);
      }
      if (answer.options && !answer.options.stateless) sessionCookieNames.add(answer.options.cookieName);
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) cookieWrites.push(...answer.cookieWrites);
      tokenIssues.push(...answer.tokenIssues);
    }
  };
  /** Everything issued to the client that may be a session credential: cookies, token headers and fields. */
  const issued = (): CredentialIssue[] => [...cookieWrites, ...tokenIssues];
  return { visit, cookieWrites, tokenIssues, issued, sessionCookieNames };
}

/** A value that becomes a session id at a sink, with how to name the sink in a message. */
export interface SessionIdSinkUse {
  label: string;
  value: Located<ts.Node>;
  /** The value is returned by an id-generator callback (`genid`, `idGenerator`, …). */
  generator?: boolean;
  /** Where to report when not at the value (a request cookie built from pairs pushed earlier). */
  target?: ts.Node;
  /**
   * False when replacing the value with a fresh CSPRNG id would not be a working fix: the key of a
   * hand-rolled store (the cookie issued elsewhere still carries the old value, so the entry would be
   * unreachable). The fix then belongs where the id is minted and issued, which one edit cannot do.
   */
  replaceable?: boolean;
}

/** The values a session-id sink receives: each value an id-generator callback returns, or the id itself. */
export function sessionIdSinkUses(sink: SessionIdSink): SessionIdSinkUse[] {
  if (sink.kind === 'generator' && sink.generator) {
    const { fn, file } = sink.generator;
    return returnedExpressions(fn).map((returned) => ({
      label: `the \`${sink.label}\` option`,
      value: { node: returned, file },
      generator: true,
    }));
  }
  if (sink.kind === 'injection' && sink.value) {
    return [
      { label: `the session cookie planted in the request (\`${sink.label}\`)`, value: sink.value, target: sink.node },
    ];
  }
  return sink.value
    ? [{ label: `\`${sink.label}\``, value: sink.value, replaceable: sink.model !== HAND_ROLLED_MODEL }]
    : [];
}
