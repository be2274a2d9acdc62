import {
  type CookieClearing,
  decoratorsOf,
  defineRule,
  describeRoute,
  dynamoFacts,
  findDeclaration,
  EXPIRY_NAME,
  type FileContext,
  type FixDescriptor,
  functionOf,
  helperOf,
  type InvalidationFixContext,
  invalidationAt,
  isFunctionLike,
  type LogoutCall,
  type Model,
  nestRoute,
  propertyNameText,
  receivingFunction,
  type RouteRegistration,
  type RuleContext,
  rotationAt,
  routeRegistrations,
  sessionModels,
  sessionObjectOf,
  sessionsAreStateless,
  sessionWritesAt,
  staticValue,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

/** Route paths of logout endpoints: /logout, /log-out, /signout, /sign_out, /logoff, /auth/logout. */
const LOGOUT_PATH = /(log|sign)[-_]?(out|off)(?![a-z])/i;
const MAX_HELPER_DEPTH = 2;

type Evidence =
  | { kind: 'route'; node: ts.Node; text: string }
  | { kind: 'identity-clear'; node: ts.Node; key: string }
  | { kind: 'logout-call'; node: ts.Node; logout: LogoutCall };

interface Candidate {
  fn: ts.FunctionLikeDeclaration;
  route?: RouteRegistration;
  /** The other functions of the route's chain (middlewares run before or after the handler), in any local file. */
  chain: { fn: ts.FunctionLikeDeclaration; file: FileContext }[];
  evidence: Evidence[];
}

interface Facts {
  ended: boolean;
  logouts: LogoutCall[];
  cookieClearings: CookieClearing[];
}

export default defineRule(meta, (ctx) => {
  const candidates = new Map<ts.FunctionLikeDeclaration, Candidate>();
  const cookieNames = new Map<string, string>();
  const candidate = (fn: ts.FunctionLikeDeclaration): Candidate => {
    let found = candidates.get(fn);
    if (!found) {
      found = { fn, chain: [], evidence: [] };
      candidates.set(fn, found);
    }
    return found;
  };
  // The handler around a node: callbacks passed to calls (`regenerate(cb)`, `logout(cb)`) belong to the
  // function that makes the call, so a write inside a rotation's callback is judged with the rotation.
  // A handler passed to a route registration is its own unit: the function that registers routes
  // (`module.exports = (app) => { app.get('/logout', …) }`) does not receive the request.
  const enclosing = (node: ts.Node) => {
    let fn: ts.FunctionLikeDeclaration | undefined;
    let current = node.parent;
    while (current) {
      if (isFunctionLike(current)) {
        fn = current;
        const parent = current.parent;
        if (!parent || !ts.isCallExpression(parent) || !parent.arguments.includes(current as ts.Expression)) break;
        if (routeRegistrations(parent, ctx.file).length > 0) break;
      }
      current = current.parent;
    }
    return fn;
  };
  return {
    CallExpression(call: ts.CallExpression) {
      for (const route of routeRegistrations(call, ctx.file)) {
        if (!route.path || !LOGOUT_PATH.test(route.path) || route.index !== route.chain.length - 1) continue;
        const entry = candidate(route.handler);
        entry.route = route;
        for (const member of route.chain.slice(0, -1)) {
          const target = functionOf(member, ctx.file);
          if (target) entry.chain.push(target);
        }
        entry.evidence.push({ kind: 'route', node: pathNode(call, route.path), text: routeText(route) });
      }
      for (const model of ctx.file.models) {
        const site = model.sessionOptions?.(call, ctx.file);
        if (site) cookieNames.set(site.model, site.cookieName);
        const logout = model.logoutCall?.(call, ctx.file);
        const fn = logout && enclosing(call);
        if (logout && fn) candidate(fn).evidence.push({ kind: 'logout-call', node: call, logout });
      }
    },
    MethodDeclaration(method: ts.MethodDeclaration) {
      const route = nestRoute(method, ctx.file);
      if (!route?.path || !LOGOUT_PATH.test(route.path)) return;
      const entry = candidate(method);
      entry.route = route;
      entry.evidence.push({ kind: 'route', node: method.name, text: routeText(route) });
    },
    BinaryExpression(node: ts.BinaryExpression) {
      if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
      const value = staticValue(node.right, ctx.file);
      if (value?.kind !== 'null' && value?.kind !== 'undefined') return;
      for (const write of sessionWritesAt(node, ctx.file)) {
        if (!receivingFunction(write.session.carrier)) continue;
        const key = write.paths.map((path) => path[0]).find((k) => k !== undefined && ctx.file.identityKeys.has(k));
        const fn = key && enclosing(node);
        if (key && fn) candidate(fn).evidence.push({ kind: 'identity-clear', node, key });
      }
    },
    DeleteExpression(node: ts.DeleteExpression) {
      const target = unwrap(node.expression);
      if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return;
      const key = ts.isPropertyAccessExpression(target)
        ? target.name.text
        : propertyNameText(unwrap(target.argumentExpression));
      if (!key || !ctx.file.identityKeys.has(key)) return;
      // Only the session of the request the function receives: a `session` property of some other
      // object (a record loaded from a store, an interaction) is not the caller's session.
      const session = sessionObjectOf(target.expression, ctx.file);
      if (!session || !receivingFunction(session.carrier)) return;
      const fn = enclosing(node);
      if (fn) candidate(fn).evidence.push({ kind: 'identity-clear', node, key });
    },
    onEnd() {
      if (candidates.size === 0) return;
      const stateless = sessionsAreStateless(ctx.file);
      for (const entry of [...candidates.values()].sort((a, b) => a.fn.pos - b.fn.pos)) {
        check(ctx, entry, stateless, cookieNames);
      }
    },
  };
});

/** The path literal of a registration (`'/logout'`, or `path: '/logout'` inside a route config). */
function pathNode(call: ts.CallExpression, path: string): ts.Node {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionLike(node)) return;
    if (ts.isStringLiteralLike(node) && node.text === path) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  call.arguments.forEach(visit);
  return found ?? call.arguments[0] ?? call;
}

function routeText(route: RouteRegistration): string {
  return `route ${route.method ? `${route.method} ` : ''}${route.path}`;
}

function check(ctx: RuleContext, entry: Candidate, stateless: boolean, cookieNames: Map<string, string>): void {
  const file = ctx.file;
  const facts: Facts = { ended: false, logouts: [], cookieClearings: [] };
  for (const member of [{ fn: entry.fn, file }, ...entry.chain]) collectFacts(member.fn, member.file, facts, 0);
  if (facts.ended) return;
  if (facts.logouts.some((logout) => logout.verdict.rotates === true)) return;
  const clears =
    facts.cookieClearings.length > 0 || entry.evidence.some((e) => e.kind !== 'route') || facts.logouts.length > 0;
  // Sealed-cookie sessions have no server-side state: clearing the cookie or the user is the logout.
  if (stateless && clears) return;
  if (!hasSessionContext(file, entry)) return;

  const handler = describeRoute(entry.route, entry.fn);
  const anchor = entry.evidence.find((e) => e.kind === 'route')?.node ?? entry.evidence[0]?.node ?? entry.fn;
  const fixes = stateless ? [] : invalidationFixes(ctx, entry, facts, cookieNames);
  const oldLogout = facts.logouts.find((logout) => logout.verdict.rotates === false);
  const unknownLogout = facts.logouts.find((logout) => logout.verdict.rotates === undefined);
  const related = entry.evidence
    .filter((e) => e.node !== anchor)
    .map((e) => ({ target: e.node, message: describeEvidence(e) }));
  if (oldLogout || unknownLogout) {
    const logout = (oldLogout ?? unknownLogout)!;
    const verdict = logout.verdict;
    ctx.report({
      target: logout.call,
      messageId: oldLogout ? 'libraryLogoutKeepsId' : 'libraryLogoutUnknown',
      severity: oldLogout ? undefined : 'note',
      data: {
        handler: capitalise(handler),
        call: file.textOf(logout.call.expression),
        library: verdict.library,
        version: verdict.version ?? 'unknown',
        affected: verdict.affected,
        reason: verdict.reason ?? 'no version found',
      },
      related: [{ target: anchor, message: 'the logout handler' }],
      fixes,
    });
    return;
  }
  const identity = entry.evidence.find((e) => e.kind === 'identity-clear');
  if (!identity && facts.cookieClearings.length > 0) {
    ctx.report({
      target: anchor,
      messageId: 'cookieOnly',
      data: { handler: capitalise(handler) },
      related: facts.cookieClearings.map((clearing) => ({
        target: clearing.node,
        message: 'only the cookie is cleared',
      })),
      fixes,
    });
    return;
  }
  const evidence = identity ?? entry.evidence[0];
  ctx.report({
    target: anchor,
    messageId: 'notInvalidated',
    data: { handler: capitalise(handler), evidence: evidence ? describeEvidence(evidence) : 'its route' },
    related,
    fixes,
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeEvidence(evidence: Evidence): string {
  if (evidence.kind === 'route') return evidence.text;
  if (evidence.kind === 'identity-clear') return `clears \`${evidence.key}\` from the session`;
  return `calls \`${evidence.node.getText()}\``;
}

/**
 * Some session is in play: the handler touches one, a session store is known to be in use (imported,
 * declared, or used by the files importing this one), or the file keeps sessions in DynamoDB. A route
 * named /logout alone is no evidence.
 */
function hasSessionContext(file: FileContext, entry: Candidate): boolean {
  if (entry.evidence.some((e) => e.kind !== 'route')) return true;
  if (file.knownModels.some(isSessionStore)) return true;
  return dynamoFacts(file).allOperations.some((operation) => operation.isSessionTable);
}

function isSessionStore(model: Model): boolean {
  return model.stateless !== undefined || model.statelessIn !== undefined;
}

/**
 * Walks a function (callbacks included: `req.logout(() => req.session.destroy(…))`) and the local
 * helpers it calls, collecting what ends the session and what only looks like a logout.
 */
function collectFacts(fn: ts.FunctionLikeDeclaration, file: FileContext, facts: Facts, depth: number): void {
  const dynamo = dynamoFacts(file).allOperations.filter(
    (operation) => operation.isSessionTable && operation.call.pos >= fn.pos && operation.call.end <= fn.end,
  );
  for (const operation of dynamo) {
    if (operation.kind === 'delete') facts.ended = true;
    // An expiry moved to now: whether reads honour it is dynamodb-session-missing-expiry's to report.
    if (
      operation.kind === 'update' &&
      [...(operation.updatedAttributes?.keys() ?? [])].some((a) => EXPIRY_NAME.test(a))
    )
      facts.ended = true;
  }
  const visit = (node: ts.Node): void => {
    if (facts.ended) return;
    if (invalidationAt(node, file)) {
      facts.ended = true;
      return;
    }
    if (ts.isCallExpression(node)) {
      if (rotationAt(node, file)) {
        facts.ended = true;
        return;
      }
      for (const model of file.models) {
        const logout = model.logoutCall?.(node, file);
        if (logout) facts.logouts.push(logout);
        const clearing = model.cookieClearing?.(node, file);
        if (clearing && !facts.cookieClearings.some((c) => c.node === clearing.node))
          facts.cookieClearings.push(clearing);
      }
      const helper = depth < MAX_HELPER_DEPTH ? localFunction(node, file) : undefined;
      if (helper && helper.fn !== fn) collectFacts(helper.fn, helper.file, facts, depth + 1);
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
}

/** The local function a call invokes: a const-bound function or a function declaration. */
function localFunction(
  call: ts.CallExpression,
  file: FileContext,
): { fn: ts.FunctionLikeDeclaration; file: FileContext } | undefined {
  const helper = helperOf(call, file);
  if (helper) return helper;
  const callee = unwrap(call.expression);
  const declaration = ts.isIdentifier(callee) ? findDeclaration(callee) : undefined;
  if (declaration && ts.isFunctionDeclaration(declaration) && declaration.body) return { fn: declaration, file };
  // A function reached through a local module object (`await sessionSteps.destroy(req)`).
  if (ts.isPropertyAccessExpression(callee)) {
    const target = functionOf(callee, file);
    if (target?.fn.body) return target;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Fixes: the session library's own way to end a session, inserted before the handler responds.

function parameterWith(fn: ts.FunctionLikeDeclaration, decorators: string[]): ts.ParameterDeclaration | undefined {
  return fn.parameters.find((parameter) =>
    decoratorsOf(parameter).some((decorator) => {
      const expression = unwrap(decorator.expression);
      const callee = ts.isCallExpression(expression) ? unwrap(expression.expression) : expression;
      return ts.isIdentifier(callee) && decorators.includes(callee.text);
    }),
  );
}

function invalidationFixes(
  ctx: RuleContext,
  entry: Candidate,
  facts: Facts,
  cookieNames: Map<string, string>,
): FixDescriptor[] {
  const file = ctx.file;
  const fn = entry.fn;
  if (!fn.body || !ts.isBlock(fn.body) || fn.body.statements.length === 0) return [];
  const nest = entry.route?.framework === 'nestjs';
  const requestParameter = nest ? parameterWith(fn, ['Req', 'Request']) : fn.parameters[0];
  const responseParameter = nest ? parameterWith(fn, ['Res', 'Response']) : fn.parameters[1];
  if (!requestParameter || !ts.isIdentifier(requestParameter.name)) return [];
  const responseName =
    responseParameter && ts.isIdentifier(responseParameter.name) ? responseParameter.name.text : undefined;
  const model = sessionModels(file).find((m) => isSessionStore(m) && m.invalidationFix && !(m.stateless ?? false));
  if (!model?.invalidationFix) return [];
  const isAsync = (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
  const context: InvalidationFixContext = {
    carrier: requestParameter.name.text,
    response: facts.cookieClearings.length === 0 ? responseName : undefined,
    cookieName: cookieNames.get(model.id),
    inAsyncFunction: isAsync,
    typescript: !file.isJavaScript,
  };
  const template = model.invalidationFix(context, file);
  if (!template) return [];
  const statements = fn.body.statements;
  // Where the handler responds: a return, a use of the response (`res`, `reply`, `h`), or for a koa
  // context (request and response in one) the first use of it that is not part of the logout itself.
  const logoutNodes = [
    ...entry.evidence.map((e) => e.node),
    ...facts.cookieClearings.map((c) => c.node),
    ...facts.logouts.map((l) => l.call),
  ];
  const partOfLogout = (statement: ts.Statement) =>
    logoutNodes.some((node) => node.pos >= statement.pos && node.end <= statement.end);
  const carrier = requestParameter.name.text;
  const responds = (statement: ts.Statement) =>
    ts.isReturnStatement(statement) ||
    (responseName !== undefined
      ? mentions(statement, responseName)
      : mentions(statement, carrier) && !partOfLogout(statement));
  const firstResponse = statements.findIndex(responds);
  const indent = indentationOf(statements[0], file);
  if (template.kind === 'statement') {
    const at = firstResponse >= 0 ? statements[firstResponse] : undefined;
    const edit = at
      ? {
          start: at.getStart(file.sourceFile),
          end: at.getStart(file.sourceFile),
          newText: `${template.text}\n${indent}`,
        }
      : { start: statements.at(-1)!.end, end: statements.at(-1)!.end, newText: `\n${indent}${template.text}` };
    return [{ suggestionId: 'invalidateStatement', data: { statement: template.text }, safety: 'safe', edits: [edit] }];
  }
  // Callback style (express-session): respond inside `destroy((err) => …)`, passing errors to `next`.
  if (nest || fn.parameters.length < 2 || firstResponse < 0) return [];
  const edits = [];
  let next = fn.parameters[2] && ts.isIdentifier(fn.parameters[2].name) ? fn.parameters[2].name.text : undefined;
  if (!next) {
    if (fn.parameters.length > 2) return [];
    next = 'next';
    const last = fn.parameters[1];
    edits.push({ start: last.end, end: last.end, newText: ', next' });
  }
  const wrapped = statements.slice(firstResponse);
  const start = wrapped[0].getStart(file.sourceFile);
  const end = wrapped.at(-1)!.end;
  const inner = `${indent}  `;
  const body = [
    `if (err) return ${next}(err);`,
    ...template.prelude,
    file.text.slice(start, end).replace(/\n/g, '\n  '),
  ]
    .map((line) => `${inner}${line}`)
    .join('\n');
  edits.push({ start, end, newText: `${template.callee}((err) => {\n${body}\n${indent}});` });
  return [{ suggestionId: 'destroyAndRespond', data: { callee: template.callee }, safety: 'safe', edits }];
}

function mentions(node: ts.Node, name: string): boolean {
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(child) && child.text === name) {
      found = true;
      return;
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

function indentationOf(node: ts.Node, file: FileContext): string {
  const start = node.getStart(file.sourceFile);
  const lineStart = file.text.lastIndexOf('\n', start - 1) + 1;
  return /^[ \t]*/.exec(file.text.slice(lineStart, start))?.[0] ?? '';
}
