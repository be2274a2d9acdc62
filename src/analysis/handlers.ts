import { ts } from '#typescript';
import type { FileContext } from './file-context.js';
import { findDeclaration } from './scope.js';
import { accessedName, isFunctionLike, propertyNameText, stringValue, unwrap } from './syntax.js';
import { objectView, resolveValue } from './values.js';

/**
 * Request handlers and the functions that receive a request, context or session. Route registration
 * shapes recognised (syntax only, no types):
 * - express / koa-router / fastify shorthand: `x.post(path, ...handlers)`, `x.route(path).post(...)`,
 *   `x.use(path?, ...handlers)`; fastify's `x.post(path, { preValidation, preHandler }, handler)`;
 * - fastify `x.route({ method, url, handler, preValidation, preHandler })`;
 * - hapi `server.route({ method, path, handler })` or `{ options: { handler } }` (also arrays);
 * - NestJS controller methods decorated with `@Get()`, `@Post()`, … inside a `@Controller()` class.
 */

export type RouteFramework = 'express-like' | 'fastify' | 'hapi' | 'nestjs';

export interface RouteRegistration {
  framework: RouteFramework;
  /** The registering call, or the decorated method for NestJS. */
  node: ts.Node;
  method?: string;
  path?: string;
  /** Middlewares, hooks and the handler in the order they run; the handler is `chain[index]`. */
  chain: ts.Expression[];
  index: number;
  handler: ts.FunctionLikeDeclaration;
  file: FileContext;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'options', 'head', 'use']);
const NEST_ROUTE_DECORATORS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Options', 'Head']);
const FASTIFY_HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'];

/** The function an expression denotes (inline, or through const bindings and local imports). */
export function functionOf(
  expression: ts.Expression,
  file: FileContext,
): { fn: ts.FunctionLikeDeclaration; file: FileContext } | undefined {
  const resolved = resolveValue(expression, file);
  const node = resolved.node;
  if (isFunctionLike(node)) return { fn: node, file: resolved.file };
  return undefined;
}

/** Route registrations made by this call (empty when it registers none). */
export function routeRegistrations(call: ts.CallExpression, file: FileContext): RouteRegistration[] {
  const callee = unwrap(call.expression);
  const method = accessedName(callee);
  if (!method) return [];
  const lower = method.toLowerCase();
  if (method === 'route' && call.arguments.length === 1) {
    const argument = unwrap(call.arguments[0]);
    const configs = ts.isArrayLiteralExpression(argument) ? argument.elements : [argument];
    return configs.flatMap((config) => routeConfig(call, config, file));
  }
  if (!HTTP_METHODS.has(lower) || method !== lower) return [];
  let pathText: string | undefined;
  let rest = [...call.arguments];
  const first = rest[0] && unwrap(rest[0]);
  if (
    first &&
    (ts.isStringLiteralLike(first) || ts.isTemplateExpression(first) || ts.isArrayLiteralExpression(first))
  ) {
    pathText = stringValue(first) ?? (ts.isArrayLiteralExpression(first) ? undefined : first.getText());
    rest = rest.slice(1);
  } else if (ts.isPropertyAccessExpression(callee) && ts.isCallExpression(unwrap(callee.expression))) {
    // router.route('/login').post(handler)
    const routeCall = unwrap(callee.expression) as ts.CallExpression;
    if (accessedName(unwrap(routeCall.expression)) === 'route') pathText = stringValue(routeCall.arguments[0]);
  } else if (lower !== 'use') {
    return [];
  }
  const chain: ts.Expression[] = [];
  let framework: RouteFramework = 'express-like';
  for (const argument of rest) {
    const inner = unwrap(argument);
    if (ts.isObjectLiteralExpression(inner)) {
      // fastify route options: hooks run before the handler.
      const view = objectView(inner, file);
      for (const hook of FASTIFY_HOOKS) {
        const value = view?.properties.get(hook)?.value;
        if (!value) continue;
        framework = 'fastify';
        const hookValue = unwrap(value);
        chain.push(...(ts.isArrayLiteralExpression(hookValue) ? hookValue.elements : [value]));
      }
      continue;
    }
    if (ts.isArrayLiteralExpression(inner)) chain.push(...inner.elements);
    else chain.push(argument);
  }
  const registrations: RouteRegistration[] = [];
  for (const [index, member] of chain.entries()) {
    const target = functionOf(member, file);
    if (!target || target.file !== file) continue;
    registrations.push({
      framework,
      node: call,
      method: lower === 'use' ? undefined : lower.toUpperCase(),
      path: pathText,
      chain,
      index,
      handler: target.fn,
      file,
    });
  }
  return registrations;
}

/** fastify `route({ method, url, handler, preHandler })` and hapi `route({ method, path, handler })`. */
function routeConfig(call: ts.CallExpression, config: ts.Expression, file: FileContext): RouteRegistration[] {
  const view = objectView(config, file);
  if (!view) return [];
  let handlerValue = view.properties.get('handler')?.value ?? view.properties.get('handler')?.property;
  let framework: RouteFramework = view.properties.has('url') ? 'fastify' : 'hapi';
  const options = view.properties.get('options')?.value ?? view.properties.get('config')?.value;
  if (!handlerValue && options) {
    const optionsView = objectView(options, file);
    handlerValue = optionsView?.properties.get('handler')?.value ?? optionsView?.properties.get('handler')?.property;
    framework = 'hapi';
  }
  if (!handlerValue) return [];
  const chain: ts.Expression[] = [];
  for (const hook of FASTIFY_HOOKS) {
    const value = view.properties.get(hook)?.value;
    if (!value) continue;
    framework = 'fastify';
    const hookValue = unwrap(value);
    chain.push(...(ts.isArrayLiteralExpression(hookValue) ? hookValue.elements : [value]));
  }
  const handler = ts.isMethodDeclaration(handlerValue)
    ? { fn: handlerValue as ts.FunctionLikeDeclaration, file }
    : functionOf(handlerValue as ts.Expression, file);
  if (!handler || handler.file !== file) return [];
  chain.push(handlerValue as ts.Expression);
  const methodValue = stringValue(view.properties.get('method')?.value);
  const pathValue = stringValue(view.properties.get('url')?.value ?? view.properties.get('path')?.value);
  return [
    {
      framework,
      node: call,
      method: methodValue?.toUpperCase(),
      path: pathValue,
      chain,
      index: chain.length - 1,
      handler: handler.fn,
      file,
    },
  ];
}

function decoratorName(decorator: ts.Decorator): string | undefined {
  const expression = unwrap(decorator.expression);
  const callee = ts.isCallExpression(expression) ? unwrap(expression.expression) : expression;
  if (ts.isIdentifier(callee)) return callee.text;
  return accessedName(callee);
}

function decoratorArgument(decorator: ts.Decorator): string | undefined {
  const expression = unwrap(decorator.expression);
  return ts.isCallExpression(expression) ? stringValue(expression.arguments[0]) : undefined;
}

export function decoratorsOf(node: ts.Node): readonly ts.Decorator[] {
  return ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
}

/** A NestJS controller method's route (`@Post('login')` inside `@Controller('auth')`). */
export function nestRoute(method: ts.FunctionLikeDeclaration, file: FileContext): RouteRegistration | undefined {
  if (!ts.isMethodDeclaration(method)) return undefined;
  const routeDecorator = decoratorsOf(method).find((d) => NEST_ROUTE_DECORATORS.has(decoratorName(d) ?? ''));
  if (!routeDecorator) return undefined;
  const owner = method.parent;
  const controller = decoratorsOf(owner).find((d) => decoratorName(d) === 'Controller');
  if (!controller) return undefined;
  const prefix = decoratorArgument(controller);
  const local = decoratorArgument(routeDecorator);
  const pathText = `/${[prefix, local].filter((part) => part).join('/')}`.replace(/\/+/g, '/');
  return {
    framework: 'nestjs',
    node: method,
    method: decoratorName(routeDecorator)?.toUpperCase(),
    path: pathText,
    chain: [],
    index: 0,
    handler: method,
    file,
  };
}

/**
 * What runs before a handler and may verify the user: the middlewares before it in its route
 * registration (`app.post('/login', passport.authenticate('local'), handler)`), or the arguments of
 * NestJS `@UseGuards(…)` on the controller method and its class.
 */
export function guardsBefore(fn: ts.FunctionLikeDeclaration, file: FileContext): ts.Expression[] {
  if (ts.isMethodDeclaration(fn)) {
    if (!nestRoute(fn, file)) return [];
    return [...decoratorsOf(fn), ...decoratorsOf(fn.parent)]
      .filter((decorator) => decoratorName(decorator) === 'UseGuards')
      .flatMap((decorator) => {
        const expression = unwrap(decorator.expression);
        return ts.isCallExpression(expression) ? [...expression.arguments] : [];
      });
  }
  let node: ts.Node = fn;
  while (node.parent && ts.isParenthesizedExpression(node.parent)) node = node.parent;
  if (!node.parent || !ts.isCallExpression(node.parent)) return [];
  const route = routeRegistrations(node.parent, file).find((registration) => registration.handler === fn);
  return route ? route.chain.slice(0, route.index) : [];
}

/** Parameters decorated with one of `names` (NestJS `@Req()`, `@Session()`). */
export function parameterDecorator(parameter: ts.ParameterDeclaration): string | undefined {
  for (const decorator of decoratorsOf(parameter)) {
    const name = decoratorName(decorator);
    if (name) return name;
  }
  return undefined;
}

/**
 * The function that receives the value at the root of `carrier` (`req` of `req.session`), and the
 * parameter: the function declaring it as a parameter, or declaring a variable initialised from a
 * parameter (`const request = context.switchToHttp().getRequest()`). Undefined when the root is a
 * module-level value: then no function "receives" the session.
 */
export function receivingFunction(
  carrier: ts.Expression,
): { fn: ts.FunctionLikeDeclaration; parameter: ts.ParameterDeclaration; index: number } | undefined {
  let root = unwrap(carrier);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isCallExpression(root)) {
    root = unwrap(root.expression);
  }
  if (!ts.isIdentifier(root)) return undefined;
  const declaration = findDeclaration(root);
  if (!declaration) return undefined;
  if (ts.isParameter(declaration) && isFunctionLike(declaration.parent)) {
    const fn = declaration.parent;
    return { fn, parameter: declaration, index: fn.parameters.indexOf(declaration) };
  }
  if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
    // One hop: `const request = context.switchToHttp().getRequest()` or `const { session } = req`.
    const initializer = unwrap(declaration.initializer);
    if (initializer === carrier) return undefined;
    return receivingFunction(initializer);
  }
  if (ts.isBindingElement(declaration)) {
    const holder = declaration.parent.parent;
    if (ts.isParameter(holder) && isFunctionLike(holder.parent)) {
      const fn = holder.parent;
      return { fn, parameter: holder, index: fn.parameters.indexOf(holder) };
    }
    if (ts.isVariableDeclaration(holder) && holder.initializer) return receivingFunction(holder.initializer);
  }
  return undefined;
}

/** `POST /login` for messages; falls back to the function's name. */
export function describeRoute(route: RouteRegistration | undefined, fn: ts.FunctionLikeDeclaration): string {
  if (route?.path && route.method) return `the ${route.method} ${route.path} handler`;
  if (route?.path) return `the ${route.path} handler`;
  if (route) return 'a request handler';
  const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : propertyNameText(fn.name as ts.PropertyName);
  return name ? `${name}(), which receives the request,` : 'a function that receives the request';
}
