import {
  presenceWhen,
  calledFunction,
  type CookieClearing,
  decoratorsOf,
  defineRule,
  describeRoute,
  dynamoFacts,
  EXPIRY_NAME,
  exitsWithout,
  type FileContext,
  type FixDescriptor,
  findDeclaration,
  functionOf,
  handRolledStores,
  helperOf,
  type InvalidationFixContext,
  type InvalidationFixTemplate,
  invalidationAt,
  isAsyncFunction,
  isFunctionLike,
  isIdentityKey,
  keyRemovalAt,
  LOGOUT_PATH,
  logoutName,
  type LogoutCall,
  type Model,
  nestRoute,
  propertyNameText,
  receivingFunction,
  type RouteRegistration,
  type RuleContext,
  readsRequestCookie,
  receivesRequest,
  returnedExpressions,
  rotationAt,
  routeRegistrations,
  type SessionObject,
  sessionObjectOf,
  sessionsAreStateless,
  sessionWritesAt,
  someDescendant,
  staticValue,
  storeDeletionFix,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

const MAX_HELPER_DEPTH = 2;
/** Locals, lookups and helpers followed back to the credential (`token` ← `getSessionCookie(c)` ← `getSignedCookie`). */
const MAX_SIGNED_IN_DEPTH = 4;

type Evidence =
  | { kind: 'route'; node: ts.Node; text: string }
  /** A request handler named for a logout (`logout(req, res)`), mounted at a path this file does not show. */
  | { kind: 'named'; node: ts.Node; text: string }
  | { kind: 'identity-clear'; node: ts.Node; key: string; session: SessionObject }
  /** `site` is the call in this handler: the logout itself, or a promise wrapper around it. */
  | { kind: 'logout-call'; node: ts.Node; logout: LogoutCall };

/** A library logout reached from a handler, and the call in the handler that reaches it. */
interface ReachedLogout {
  logout: LogoutCall;
  site: ts.Node;
}

interface Candidate {
  fn: ts.FunctionLikeDeclaration;
  route?: RouteRegistration;
  /** The route registering the function when it is not a logout path (`POST /profiles/switch`), for messages. */
  registered?: RouteRegistration;
  /** The other functions of the route's chain (middlewares run before or after the handler), in any local file. */
  chain: { fn: ts.FunctionLikeDeclaration; file: FileContext }[];
  evidence: Evidence[];
}

interface Facts {
  ended: boolean;
  logouts: ReachedLogout[];
  cookieClearings: CookieClearing[];
}

export default defineRule(meta, (ctx) => {
  const candidates = new Map<ts.FunctionLikeDeclaration, Candidate>();
  const cookieNames = new Map<string, string>();
  const thrown = new Set<ts.Node>();
  const registered = new Map<ts.FunctionLikeDeclaration, RouteRegistration>();
  /** Functions named for a logout, and the NestJS route methods among them. */
  const named: { fn: ts.FunctionLikeDeclaration; name: ts.Node }[] = [];
  const noteName = (fn: ts.FunctionLikeDeclaration) => {
    const name = logoutName(fn);
    if (name) named.push({ fn, name });
  };
  const nestRouted = new Set<ts.FunctionLikeDeclaration>();
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
  /** Identity keys cleared from the session of the request the function receives: a logout's evidence. */
  const identityClears = (node: ts.Node, session: SessionObject, keys: (string | undefined)[]) => {
    if (!receivingFunction(session.carrier)) return;
    const key = keys.find((k) => k !== undefined && isIdentityKey(k, ctx.file.identityKeys));
    if (!key || afterFailedIdentityLookup(node, ctx.file)) return;
    const fn = enclosing(node);
    if (fn) candidate(fn).evidence.push({ kind: 'identity-clear', node, key, session });
  };
  return {
    CallExpression(call: ts.CallExpression) {
      for (const route of routeRegistrations(call, ctx.file)) {
        if (route.index === route.chain.length - 1) registered.set(route.handler, route);
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
        if (!logout) continue;
        if (logout.throwsWithoutCallback) reportThrowingLogout(ctx, logout, thrown);
        // A promise wrapper (`return new Promise(… req.logout() …)`) is judged where it is called.
        const fn = !promiseWrapped(call) && enclosing(call);
        if (fn) candidate(fn).evidence.push({ kind: 'logout-call', node: call, logout });
      }
      const wrapped = wrappedLogout(call, ctx.file);
      const caller = wrapped && enclosing(call);
      if (wrapped && caller) candidate(caller).evidence.push({ kind: 'logout-call', node: call, logout: wrapped });
      // `session.unset('userId')` (Remix): a key removed from the request's session by a method.
      const removal = keyRemovalAt(call, ctx.file);
      if (removal) identityClears(call, removal.session, removal.keys);
    },
    MethodDeclaration(method: ts.MethodDeclaration) {
      noteName(method);
      const route = nestRoute(method, ctx.file);
      if (route) nestRouted.add(method);
      if (!route?.path || !LOGOUT_PATH.test(route.path)) return;
      const entry = candidate(method);
      entry.route = route;
      entry.evidence.push({ kind: 'route', node: method.name, text: routeText(route) });
    },
    FunctionDeclaration: noteName,
    FunctionExpression: noteName,
    ArrowFunction: noteName,
    BinaryExpression(node: ts.BinaryExpression) {
      if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
      const value = staticValue(node.right, ctx.file);
      if (value?.kind !== 'null' && value?.kind !== 'undefined') return;
      for (const write of sessionWritesAt(node, ctx.file))
        identityClears(
          node,
          write.session,
          write.paths.map((path) => path[0]),
        );
    },
    DeleteExpression(node: ts.DeleteExpression) {
      const target = unwrap(node.expression);
      if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return;
      const key = ts.isPropertyAccessExpression(target)
        ? target.name.text
        : propertyNameText(unwrap(target.argumentExpression));
      if (!key || !isIdentityKey(key, ctx.file.identityKeys)) return;
      // Only the session of the request the function receives: a `session` property of some other
      // object (a record loaded from a store, an interaction) is not the caller's session.
      const session = sessionObjectOf(target.expression, ctx.file);
      if (!session || !receivingFunction(session.carrier)) return;
      if (afterFailedIdentityLookup(node, ctx.file)) return;
      const fn = enclosing(node);
      if (fn) candidate(fn).evidence.push({ kind: 'identity-clear', node, key, session });
    },
    onEnd() {
      // Handlers named for a logout, whatever path they are mounted at (read once every registration is known).
      for (const { fn, name } of named) {
        if (candidates.get(fn)?.route) continue;
        // A request handler: registered as one here, or receiving the request and the response.
        if (!registered.has(fn) && !nestRouted.has(fn) && !receivesRequest(fn)) continue;
        candidate(fn).evidence.push({ kind: 'named', node: name, text: `named \`${name.getText()}\`` });
      }
      if (candidates.size === 0) return;
      const stateless = sessionsAreStateless(ctx.file);
      for (const entry of [...candidates.values()].sort((a, b) => a.fn.pos - b.fn.pos)) {
        entry.registered = registered.get(entry.fn);
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
  for (const member of entry.chain) collectFacts(member.fn, member.file, facts, 0);
  // A route middleware ends the session before the handler runs (or after it): every path has it.
  if (facts.ended) return;
  collectFacts(entry.fn, file, facts, 0);
  // `req.logout()` that throws is reported at the call; the handler has nothing more to say.
  if (facts.logouts.some((reached) => reached.logout.throwsWithoutCallback)) return;
  // A handler named for a logout is held to every path like one on a logout route: it is one.
  const namedLogout = entry.evidence.some((e) => e.kind === 'named');
  if (facts.ended) {
    if (entry.route || namedLogout) checkEveryPath(ctx, entry);
    return;
  }
  if (facts.logouts.some((reached) => reached.logout.verdict.rotates === true)) return;
  const clears = facts.cookieClearings.length > 0 || entry.evidence.some(signsOut) || facts.logouts.length > 0;
  // A name is weaker evidence than a route: a handler named `logout` that touches neither the session nor
  // its cookie may sign out elsewhere (an identity provider's logout it redirects to), so it is left alone.
  if (!entry.route && !clears) return;
  // Sealed-cookie sessions have no server-side state: clearing the cookie or the user is the logout.
  if (stateless && clears) return;
  if (!hasSessionContext(file, entry)) return;
  // A logout route that cannot see the caller's request (an OIDC back-channel logout the identity
  // provider posts, a controller method with only `@Body()`) ends someone else's session, not the caller's.
  if (!clears && !receivesCaller(entry)) return;

  const handler = describeRoute(entry.route ?? entry.registered, entry.fn);
  const anchor = entry.evidence.find((e) => e.kind === 'route')?.node ?? entry.evidence[0]?.node ?? entry.fn;
  const fixes = stateless ? [] : invalidationFixes(ctx, entry, facts, cookieNames);
  const oldLogout = facts.logouts.find((reached) => reached.logout.verdict.rotates === false);
  const unknownLogout = facts.logouts.find((reached) => reached.logout.verdict.rotates === undefined);
  const related = entry.evidence
    .filter((e) => e.node !== anchor)
    .map((e) => ({ target: e.node, message: describeEvidence(e) }));
  if (oldLogout || unknownLogout) {
    const { logout, site } = (oldLogout ?? unknownLogout)!;
    const verdict = logout.verdict;
    ctx.report({
      target: site,
      messageId: oldLogout ? 'libraryLogoutKeepsId' : 'libraryLogoutUnknown',
      severity: oldLogout ? undefined : 'note',
      data: {
        handler: capitalise(handler),
        call: file.textOf(ts.isCallExpression(site) ? site.expression : site),
        library: verdict.library,
        version: verdict.version ?? 'unknown',
        affected: verdict.affected,
        reason: verdict.reason ?? 'no version found',
      },
      related: [
        ...(anchor !== site ? [{ target: anchor, message: 'the logout handler' }] : []),
        ...(site !== logout.call
          ? [{ target: logout.call, message: `it calls \`${logout.call.getText()}\` here` }]
          : []),
      ],
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
    // Sealed-cookie sessions reach here only when nothing was cleared (see `clears` above).
    messageId: stateless ? 'sealedNotCleared' : 'notInvalidated',
    data: { handler: capitalise(handler), evidence: evidence ? describeEvidence(evidence) : 'its route' },
    related,
    fixes,
  });
}

/**
 * A logout route whose handler ends the session on some paths: every path that completes (a `return`,
 * or the end of the body) must have ended it, except a branch taken only when nobody is signed in.
 * Paths through `catch` are failures, not sign-outs, and so are those refusing the request with an
 * error status. Reported at the route, pointing at the path.
 */
function checkEveryPath(ctx: RuleContext, entry: Candidate): void {
  const file = ctx.file;
  const ends = (node: ts.Node) => endsSession(node, file, 0);
  const missing = exitsWithout(entry.fn, ends, {
    needlessBranch: (condition) => signedOutBranch(condition, file),
    skipCatch: true,
  }).filter((exit) => !refusesRequest(exit));
  if (missing.length === 0) return;
  const anchor = entry.evidence.find((e) => e.kind === 'route' || e.kind === 'named')?.node ?? entry.fn;
  const exit = missing[0];
  ctx.report({
    target: anchor,
    messageId: 'notOnEveryPath',
    data: {
      handler: capitalise(describeRoute(entry.route ?? entry.registered, entry.fn)),
      line: file.lineOf(exit === entry.fn.body ? (entry.fn.body.getLastToken(file.sourceFile) ?? exit) : exit),
    },
    related: missing.map((node) => ({
      target: node === entry.fn.body ? (node.getLastToken(file.sourceFile) ?? node) : node,
      message: 'this path completes the logout without ending the server-side session',
    })),
  });
}

/**
 * A `return` that answers with an error status, in its own expression or the statement before it
 * (`return res.status(403).json(…)`, `return res.apiError(403, 'invalid csrf')`, `res.sendStatus(401);
 * return;`): a refused logout (a failed CSRF check), which signs nobody out.
 */
function refusesRequest(exit: ts.Node): boolean {
  if (!ts.isReturnStatement(exit)) return false;
  const responses: (ts.Expression | undefined)[] = [exit.expression];
  if (ts.isBlock(exit.parent)) {
    const previous = exit.parent.statements[exit.parent.statements.indexOf(exit) - 1];
    if (previous && ts.isExpressionStatement(previous)) responses.push(previous.expression);
  }
  return responses.some((response) => response !== undefined && answersWithError(response));
}

/** A call chain passing an error status first somewhere: `res.status(401).send()`, `reply.code(500)`. */
function answersWithError(expression: ts.Expression): boolean {
  let current = unwrap(expression);
  if (ts.isAwaitExpression(current) || ts.isVoidExpression(current)) current = unwrap(current.expression);
  while (ts.isCallExpression(current)) {
    const first = current.arguments[0] && unwrap(current.arguments[0]);
    if (first && ts.isNumericLiteral(first) && Number(first.text) >= 400 && Number(first.text) < 600) return true;
    const callee = unwrap(current.expression);
    if (!ts.isPropertyAccessExpression(callee)) return false;
    current = unwrap(callee.expression);
  }
  return false;
}

/** Evidence of a sign-out in the function itself, not only in its route or name. */
function signsOut(evidence: Evidence): boolean {
  return evidence.kind === 'identity-clear' || evidence.kind === 'logout-call';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeEvidence(evidence: Evidence): string {
  if (evidence.kind === 'route' || evidence.kind === 'named') return evidence.text;
  if (evidence.kind === 'identity-clear') return `clears \`${evidence.key}\` from the session`;
  return `calls \`${evidence.node.getText()}\``;
}

/**
 * Some session is in play: the handler touches one, a session store is known to be in use (imported,
 * declared, or used by the files importing this one), the file keeps hand-rolled sessions (a Map or
 * table keyed by an issued cookie), or it keeps sessions in DynamoDB. A route named /logout alone is
 * no evidence.
 */
function hasSessionContext(file: FileContext, entry: Candidate): boolean {
  if (entry.evidence.some(signsOut)) return true;
  if (file.knownModels.some(isSessionStore)) return true;
  if (handRolledStores(file).length > 0) return true;
  return dynamoFacts(file).allOperations.some((operation) => operation.isSessionTable);
}

function isSessionStore(model: Model): boolean {
  return model.stateless !== undefined || model.statelessIn !== undefined;
}

/** A node that ends the session where it is evaluated (not counting callbacks it passes). */
function endsHere(node: ts.Node, file: FileContext): boolean {
  if (invalidationAt(node, file)) return true;
  if (!ts.isCallExpression(node)) return false;
  if (rotationAt(node, file)) return true;
  if (file.models.some((model) => rotatingLogout(model.logoutCall?.(node, file)))) return true;
  return dynamoFacts(file).allOperations.some(
    (operation) =>
      operation.isSessionTable &&
      operation.call === node &&
      (operation.kind === 'delete' ||
        // An expiry moved to now: whether reads honour it is dynamodb-session-missing-expiry's to report.
        (operation.kind === 'update' &&
          [...(operation.updatedAttributes?.keys() ?? [])].some((a) => EXPIRY_NAME.test(a)))),
  );
}

function rotatingLogout(logout: LogoutCall | undefined): boolean {
  return logout !== undefined && logout.verdict.rotates === true && !logout.throwsWithoutCallback;
}

/**
 * For the path analysis: the session is ended when this node is evaluated, by itself, by a callback it
 * passes (`req.logout(() => req.session.destroy(…))`, `new Promise((res) => req.session.destroy(…))`),
 * or by a local helper it calls.
 */
function endsSession(node: ts.Node, file: FileContext, depth: number): boolean {
  if (endsHere(node, file)) return true;
  if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return false;
  for (const argument of node.arguments ?? []) {
    const inner = unwrap(argument);
    if (isFunctionLike(inner) && containsEnding(inner, file, depth)) return true;
  }
  const helper = ts.isCallExpression(node) && depth < MAX_HELPER_DEPTH ? localFunction(node, file) : undefined;
  return helper !== undefined && containsEnding(helper.fn, helper.file, depth + 1);
}

function containsEnding(fn: ts.FunctionLikeDeclaration, file: FileContext, depth: number): boolean {
  const facts: Facts = { ended: false, logouts: [], cookieClearings: [] };
  collectFacts(fn, file, facts, depth);
  return facts.ended;
}

/**
 * The branch of an `if` taken only when nobody is signed in: `!req.session.userId`, `!req.user`,
 * `!req.isAuthenticated()`, `!req.session`, `!req.cookies.sid`, `x == null` (the then-branch), or
 * the else-branch of the positive test. Nothing is there to end.
 */
function signedOutBranch(condition: ts.Expression, file: FileContext): 'then' | 'else' | undefined {
  const signedInHere = (node: ts.Expression) => signedIn(node, file);
  if (presenceWhen(condition, true, signedInHere, file) === 'missing') return 'then';
  if (presenceWhen(condition, false, signedInHere, file) === 'missing') return 'else';
  return undefined;
}

/**
 * Whether a value is truthy only when someone is signed in on the request this function receives:
 * the session, its id, an identity key on it or on the request, `req.isAuthenticated()`, the session cookie
 * (read as a member, `getCookie(c, 'sid')`, `getSignedCookie(…)`, or by a local helper returning it),
 * a local holding one of these, or a record looked up with one (`const row = await find(token)`, also
 * destructured: `const { session } = await validate(token)`).
 */
function signedIn(expression: ts.Expression, file: FileContext, depth = 0): boolean {
  let inner = unwrap(expression);
  if (ts.isAwaitExpression(inner)) inner = unwrap(inner.expression);
  if (sessionObjectOf(inner, file) && receivingFunction(inner)) return true;
  if (ts.isBinaryExpression(inner)) {
    // `token || null`, `token ?? undefined`: the fallback is never truthy, so the value is the token's.
    const operator = inner.operatorToken.kind;
    if (operator !== ts.SyntaxKind.BarBarToken && operator !== ts.SyntaxKind.QuestionQuestionToken) return false;
    const sides = [inner.left, inner.right];
    return (
      sides.every((side) => neverTruthy(side, file) || signedIn(side, file, depth)) &&
      sides.some((side) => !neverTruthy(side, file))
    );
  }
  if (ts.isCallExpression(inner)) {
    if (readsRequestCookie(inner, file)) return true;
    const callee = unwrap(inner.expression);
    if (
      ts.isPropertyAccessExpression(callee) &&
      callee.name.text === 'isAuthenticated' &&
      receivingFunction(callee.expression) !== undefined
    )
      return true;
    return depth < MAX_SIGNED_IN_DEPTH && returnsSignedIn(inner, file, depth + 1);
  }
  // The request's session id (`req.sessionID`): without one there is no session to end.
  if (receivingFunction(inner) && file.models.some((model) => model.sessionIdValue?.(inner, file))) return true;
  if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
    // `req.session.userId`, `req.session.user.id`, `req.user`, `req.cookies.sid`.
    let current: ts.Expression = inner;
    while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
      if (readsRequestCookie(current, file)) return true;
      const key = ts.isPropertyAccessExpression(current)
        ? current.name.text
        : propertyNameText(unwrap(current.argumentExpression));
      const holder = unwrap(current.expression);
      if (key && isIdentityKey(key, file.identityKeys)) {
        if (sessionObjectOf(holder, file) || (ts.isIdentifier(holder) && receivingFunction(holder))) return true;
      }
      current = holder;
    }
    return false;
  }
  if (ts.isIdentifier(inner) && depth < MAX_SIGNED_IN_DEPTH) {
    const declaration = findDeclaration(inner);
    const initializer = declaration && initializerOf(declaration);
    if (!initializer) return false;
    let value = unwrap(initializer);
    if (ts.isAwaitExpression(value)) value = unwrap(value.expression);
    if (ts.isCallExpression(value) && !signedIn(value, file, depth + 1)) {
      // A lookup keyed by the credential: its result exists only for a signed-in caller.
      const keyed = (node: ts.Node) => ts.isExpression(node) && signedIn(node, file, depth + 1);
      return value.arguments.some((argument) => keyed(argument) || someDescendant(argument, keyed));
    }
    return signedIn(value, file, depth + 1);
  }
  return false;
}

/** `null`, `undefined`, `false`, `''`: a fallback that is never truthy. */
function neverTruthy(expression: ts.Expression, file: FileContext): boolean {
  const value = staticValue(expression, file);
  if (!value) return false;
  if (value.kind === 'null' || value.kind === 'undefined') return true;
  return (value.kind === 'boolean' || value.kind === 'string') && !value.value;
}

/**
 * A call of a local helper every return of which is the signed-in value or nothing
 * (`const getSessionCookie = async (c) => (await getSignedCookie(c, secret, 'sid')) || null`).
 */
function returnsSignedIn(call: ts.CallExpression, file: FileContext, depth: number): boolean {
  const helper = helperOf(call, file);
  if (!helper) return false;
  const returned = returnedExpressions(helper.fn);
  return (
    returned.every((value) => neverTruthy(value, helper.file) || signedIn(value, helper.file, depth)) &&
    returned.some((value) => !neverTruthy(value, helper.file))
  );
}

/**
 * What a local is initialised with: its declaration's initializer, or for a name destructured from an
 * object (`const { session } = await validate(token)`) the whole object's. A field that reports the
 * failure (`error`, `failure`) is truthy when nobody is signed in, so it is not taken.
 */
function initializerOf(declaration: ts.Node): ts.Expression | undefined {
  if (ts.isVariableDeclaration(declaration)) return declaration.initializer;
  if (!ts.isBindingElement(declaration) || !ts.isObjectBindingPattern(declaration.parent)) return undefined;
  const field = declaration.propertyName ?? declaration.name;
  const name = ts.isIdentifier(field) || ts.isStringLiteralLike(field) ? field.text : undefined;
  if (!name || /^err(or)?s?$|^fail|Error$/i.test(name)) return undefined;
  const holder = declaration.parent.parent;
  return ts.isVariableDeclaration(holder) ? holder.initializer : undefined;
}

/**
 * Housekeeping, not a logout: identity keys cleared in the branch where the identity stored in the
 * session failed to resolve (`const user = await users.byId(req.session.userId); if (!user ||
 * !user.active) delete req.session.userId`). Nobody ends a session there: the id becomes anonymous.
 */
function afterFailedIdentityLookup(node: ts.Node, file: FileContext): boolean {
  let child: ts.Node = node;
  for (let current = node.parent; current && !ts.isSourceFile(current); current = current.parent) {
    if (ts.isIfStatement(current) && child !== current.expression) {
      const failed = failedLookupBranch(current.expression, file);
      if (failed === (child === current.thenStatement ? 'then' : 'else')) return true;
    }
    child = current;
  }
  return false;
}

/** The branch of an `if` taken when the identity lookup failed: `!user`, `user == null`, `!user || …`, else of `if (user)`. */
function failedLookupBranch(condition: ts.Expression, file: FileContext): 'then' | 'else' | undefined {
  const inner = unwrap(condition);
  const lookup = (node: ts.Node) => ts.isIdentifier(node) && isIdentityLookup(node, file);
  const mentions = (node: ts.Node) => lookup(node) || someDescendant(node, lookup);
  if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken)
    return mentions(inner.operand) ? 'then' : undefined;
  if (ts.isBinaryExpression(inner)) {
    const operator = inner.operatorToken.kind;
    if (operator === ts.SyntaxKind.BarBarToken) {
      const sides = [failedLookupBranch(inner.left, file), failedLookupBranch(inner.right, file)];
      return sides.includes('then') ? 'then' : undefined;
    }
    const nullish = (side: ts.Expression) => {
      const value = staticValue(side, file);
      return value?.kind === 'null' || value?.kind === 'undefined';
    };
    const tested = nullish(inner.right) ? inner.left : nullish(inner.left) ? inner.right : undefined;
    if (!tested || !mentions(tested)) return undefined;
    if (operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken)
      return 'then';
    if (operator === ts.SyntaxKind.ExclamationEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsEqualsToken)
      return 'else';
    return undefined;
  }
  return lookup(inner) ? 'else' : undefined;
}

/** A variable holding the record looked up with the session's identity (also a `.then((user) => …)` parameter). */
function isIdentityLookup(identifier: ts.Identifier, file: FileContext): boolean {
  const declaration = findDeclaration(identifier);
  if (!declaration) return false;
  const lookupCall = (expression: ts.Expression | undefined): boolean => {
    if (!expression) return false;
    let inner = unwrap(expression);
    if (ts.isAwaitExpression(inner)) inner = unwrap(inner.expression);
    // `id ? await find(id) : undefined`
    if (ts.isConditionalExpression(inner)) return lookupCall(inner.whenTrue) || lookupCall(inner.whenFalse);
    return ts.isCallExpression(inner) && inner.arguments.some((argument) => readsSessionIdentity(argument, file, 0));
  };
  if (ts.isVariableDeclaration(declaration)) return lookupCall(declaration.initializer);
  if (ts.isParameter(declaration) && isFunctionLike(declaration.parent)) {
    const fn = declaration.parent;
    const host = fn.parent;
    if (!ts.isCallExpression(host) || host.arguments[0] !== fn) return false;
    const callee = unwrap(host.expression);
    return ts.isPropertyAccessExpression(callee) && callee.name.text === 'then' && lookupCall(callee.expression);
  }
  return false;
}

function readsSessionIdentity(expression: ts.Node, file: FileContext, depth: number): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionLike(node)) return;
    if (ts.isPropertyAccessExpression(node) && isIdentityKey(node.name.text, file.identityKeys)) {
      if (sessionObjectOf(node.expression, file)) {
        found = true;
        return;
      }
    }
    // `session.get('userId')` (Remix, @fastify/session, yar): a read through the session's getter.
    if (ts.isCallExpression(node) && readsIdentityByGetter(node, file)) {
      found = true;
      return;
    }
    if (ts.isIdentifier(node) && depth < 2) {
      const declaration = findDeclaration(node);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
        if (readsSessionIdentity(declaration.initializer, file, depth + 1)) {
          found = true;
          return;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

function readsIdentityByGetter(call: ts.CallExpression, file: FileContext): boolean {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'get') return false;
  const key = staticValue(call.arguments[0], file);
  return (
    key?.kind === 'string' && isIdentityKey(key.value, file.identityKeys) && !!sessionObjectOf(callee.expression, file)
  );
}

/** Whether the handler (or its chain) can see the caller's request: a parameter, or a Nest `@Req()`/`@Session()`/`@Res()`. */
function receivesCaller(entry: Candidate): boolean {
  if (entry.chain.length > 0) return true;
  if (entry.route?.framework === 'nestjs')
    return parameterWith(entry.fn, ['Req', 'Request', 'Session', 'Res', 'Response']) !== undefined;
  return entry.fn.parameters.length > 0;
}

/**
 * Whether a library logout runs inside a promise the enclosing function returns (`return new
 * Promise((resolve, reject) => { req.logout(); resolve(); })`): a wrapper for callers to await.
 */
function promiseWrapped(call: ts.CallExpression): boolean {
  let executor: ts.Node | undefined = call.parent;
  while (executor && !isFunctionLike(executor)) executor = executor.parent;
  if (!executor) return false;
  let promise: ts.Node = executor.parent;
  if (!ts.isNewExpression(promise)) return false;
  const callee = unwrap(promise.expression);
  if (!ts.isIdentifier(callee) || callee.text !== 'Promise') return false;
  while (ts.isParenthesizedExpression(promise.parent)) promise = promise.parent;
  return ts.isReturnStatement(promise.parent) || (isFunctionLike(promise.parent) && promise.parent.body === promise);
}

const logoutMentioned = new WeakMap<FileContext, boolean>();

/**
 * A promise wrapper around a library logout lives in this file or in a local module it imports, and
 * says "logout" there: without that word nearby no call of the file can be one, and resolving every
 * callee (parsing the modules it comes from) is skipped.
 */
function logoutNearby(file: FileContext): boolean {
  let nearby = logoutMentioned.get(file);
  if (nearby === undefined) {
    const mentions = (text: string) => /log_?out/i.test(text);
    nearby =
      mentions(file.text) ||
      [...file.importedModules].some((specifier) => {
        const imported = file.importedSource(specifier);
        return imported !== undefined && mentions(imported.text);
      });
    logoutMentioned.set(file, nearby);
  }
  return nearby;
}

/** A call of a local promise wrapper around a library logout, with that logout. */
function wrappedLogout(call: ts.CallExpression, file: FileContext): LogoutCall | undefined {
  if (call.arguments.length === 0 || !logoutNearby(file)) return undefined;
  // Asked of every call in the file: methods of injected services are followed from handlers only.
  const helper = localFunction(call, file, false);
  if (!helper?.fn.body) return undefined;
  let found: LogoutCall | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && promiseWrapped(node)) {
      for (const model of helper.file.models) {
        const logout = model.logoutCall?.(node, helper.file);
        if (
          logout &&
          receivingFunction(unwrap((unwrap(node.expression) as ts.PropertyAccessExpression).expression))?.fn ===
            helper.fn
        ) {
          found = logout;
          return;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(helper.fn.body);
  return found;
}

/**
 * Walks a function (callbacks included: `req.logout(() => req.session.destroy(…))`) and the local
 * helpers it calls, collecting what ends the session and what only looks like a logout.
 */
function collectFacts(
  fn: ts.FunctionLikeDeclaration,
  file: FileContext,
  facts: Facts,
  depth: number,
  /** The call in the handler through which this helper was reached, when it stands for the logout. */
  site?: ts.Node,
): void {
  const visit = (node: ts.Node): void => {
    if (facts.ended) return;
    if (endsHere(node, file)) {
      facts.ended = true;
      return;
    }
    if (ts.isCallExpression(node)) {
      for (const model of file.models) {
        const logout = model.logoutCall?.(node, file);
        if (logout) facts.logouts.push({ logout, site: site ?? node });
        const clearing = model.cookieClearing?.(node, file);
        if (clearing && !facts.cookieClearings.some((c) => c.node === clearing.node))
          facts.cookieClearings.push(clearing);
      }
      const helper = depth < MAX_HELPER_DEPTH ? localFunction(node, file) : undefined;
      if (helper && helper.fn !== fn) {
        // A promise wrapper around a library logout is judged here, at its call.
        const wrapper = site ?? (wrappedLogout(node, file) ? node : undefined);
        collectFacts(helper.fn, helper.file, facts, depth + 1, wrapper);
      }
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
}

/**
 * The local function a call invokes: a const-bound function or a function declaration, a function of
 * a local module object, or a method of a visible class: `this.authService.signout(req)` on a NestJS
 * service injected as `private readonly authService: AuthService`, whose class is in a local module.
 */
function localFunction(
  call: ts.CallExpression,
  file: FileContext,
  /** Also resolve methods of class instances (a cross-module class lookup): for a handler's own calls, not for every call of a file. */
  methods = true,
): { fn: ts.FunctionLikeDeclaration; file: FileContext } | undefined {
  const helper = helperOf(call, file);
  if (helper) return helper;
  const callee = unwrap(call.expression);
  const declaration = ts.isIdentifier(callee) ? findDeclaration(callee) : undefined;
  if (declaration && ts.isFunctionDeclaration(declaration) && declaration.body) return { fn: declaration, file };
  const promisified = declaration && promisifiedFunction(declaration, file);
  if (promisified) return promisified;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  // A function reached through a local module object (`await sessionSteps.destroy(req)`).
  const target = functionOf(callee, file);
  if (target?.fn.body) return target;
  // A method of an object of a class: an injected service (`this.authService.signOut(req)`, NestJS) or
  // a `const steps = new Steps()`. Only those receivers are resolved: every other method call of the
  // file would pay the receiver's class lookup for nothing.
  if (!methods || !classInstanceReceiver(unwrap(callee.expression))) return undefined;
  // The method must receive something of the handler's (the request, the context) to end its session.
  if (
    !call.arguments.some((argument) => ts.isIdentifier(unwrap(argument)) && receivingFunction(argument) !== undefined)
  )
    return undefined;
  const method = calledFunction(call, file);
  return method?.node.body ? { fn: method.node, file: method.file } : undefined;
}

/**
 * The function a promise-returning wrapper calls: `const destroyAsync = util.promisify((req, cb) =>
 * req.session.destroy(cb))` (NodeBB), also `promisify` imported alone or Bluebird's. Awaiting the wrapper
 * runs the function, so it ends the session when the function does.
 */
function promisifiedFunction(
  declaration: ts.Node,
  file: FileContext,
): { fn: ts.FunctionLikeDeclaration; file: FileContext } | undefined {
  if (!ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  const initializer = unwrap(declaration.initializer);
  if (!ts.isCallExpression(initializer) || initializer.arguments.length !== 1) return undefined;
  const callee = unwrap(initializer.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (name !== 'promisify') return undefined;
  const target = functionOf(initializer.arguments[0], file);
  return target?.fn.body ? target : undefined;
}

/** `this.<field>`, or a variable initialised with `new X(…)`. */
function classInstanceReceiver(receiver: ts.Expression): boolean {
  if (ts.isPropertyAccessExpression(receiver)) return receiver.expression.kind === ts.SyntaxKind.ThisKeyword;
  if (!ts.isIdentifier(receiver)) return false;
  const declaration = findDeclaration(receiver);
  return (
    declaration !== undefined &&
    ts.isVariableDeclaration(declaration) &&
    declaration.initializer !== undefined &&
    ts.isNewExpression(unwrap(declaration.initializer))
  );
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
  const template = fixTemplate(file, requestParameter.name.text, responseName, fn, facts, cookieNames);
  if (!template) return [];
  const statements = fn.body.statements;
  // Where the handler responds: a return, a use of the response (`res`, `reply`, `h`), or for a koa
  // context (request and response in one) the first use of it that is not part of the logout itself.
  const logoutNodes = [
    ...entry.evidence.map((e) => e.node),
    ...facts.cookieClearings.map((c) => c.node),
    ...facts.logouts.map((reached) => reached.site),
  ];
  const partOfLogout = (statement: ts.Statement) =>
    logoutNodes.some((node) => node.pos >= statement.pos && node.end <= statement.end);
  const carrier = requestParameter.name.text;
  // `const session = await getSession(req, res)` hands the response to a session getter (to run the
  // session middleware): that is where the session comes from, not a response, and ending the session
  // has to wait for it.
  const getterCalls = entry.evidence.flatMap((e) =>
    e.kind === 'identity-clear' && e.session.through ? [e.session.through] : [],
  );
  const obtainsSession = (statement: ts.Statement) => getterCalls.some((call) => within(call, statement));
  const responds = (statement: ts.Statement) =>
    !obtainsSession(statement) &&
    (ts.isReturnStatement(statement) ||
      (responseName !== undefined
        ? mentions(statement, responseName)
        : mentions(statement, carrier) && !partOfLogout(statement)));
  const firstResponse = statements.findIndex(responds);
  const indent = indentationOf(statements[0], file);
  if (template.kind === 'statement') {
    // Right after a library logout in a block (`await logOutAsync(req);`), else before the first response.
    const afterLogout = statementAfter(facts.logouts.map((reached) => reached.site).find((site) => within(site, fn)));
    if (afterLogout) {
      const logoutIndent = indentationOf(afterLogout, file);
      // After a trailing comment on the same line, so the comment stays with its statement.
      const lineEnd = file.text.indexOf('\n', afterLogout.end);
      const tail = lineEnd >= 0 ? file.text.slice(afterLogout.end, lineEnd) : '';
      const at = lineEnd >= 0 && /^\s*(\/\/.*)?$/.test(tail) ? lineEnd : afterLogout.end;
      const edit = { start: at, end: at, newText: `\n${logoutIndent}${template.text}` };
      return [
        { suggestionId: 'invalidateStatement', data: { statement: template.text }, safety: 'safe', edits: [edit] },
      ];
    }
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

/**
 * How to end the session here: with no session library known for the file and a hand-rolled store
 * in it, delete the store entry (`sessions.delete(req.cookies.sid)`); otherwise the session library's
 * own way.
 */
function fixTemplate(
  file: FileContext,
  carrier: string,
  responseName: string | undefined,
  fn: ts.FunctionLikeDeclaration,
  facts: Facts,
  cookieNames: Map<string, string>,
): InvalidationFixTemplate | undefined {
  const stores = handRolledStores(file);
  if (stores.length > 0 && !file.knownModels.some(isSessionStore)) {
    const cleared = new Set(facts.cookieClearings.map((clearing) => clearing.name));
    const store = stores.find((candidate) => cleared.has(candidate.cookieName)) ?? stores[0];
    const text = storeDeletionFix(store, carrier);
    return text ? { kind: 'statement', text } : undefined;
  }
  // Only a library the file is known to use: another one's way to end a session (express-session's
  // `request.session.destroy`) would not even compile against, say, a Remix session storage.
  const model = file.knownModels.find((m) => isSessionStore(m) && m.invalidationFix && !(m.stateless ?? false));
  if (!model?.invalidationFix) return undefined;
  const context: InvalidationFixContext = {
    carrier,
    response: facts.cookieClearings.length === 0 ? responseName : undefined,
    cookieName: cookieNames.get(model.id),
    inAsyncFunction: isAsyncFunction(fn),
    typescript: !file.isJavaScript,
  };
  return model.invalidationFix(context, file);
}

/**
 * passport 0.6+ `req.logout()` without a callback throws: reported at the call, with a fix that passes
 * a callback and continues inside it (errors go to `next`, or to `reject` in a promise executor).
 */
function reportThrowingLogout(ctx: RuleContext, logout: LogoutCall, reported: Set<ts.Node>): void {
  if (reported.has(logout.call)) return;
  reported.add(logout.call);
  const verdict = logout.verdict;
  const fix = callbackFix(ctx.file, logout.call);
  ctx.report({
    target: logout.call,
    messageId: 'logoutThrows',
    data: {
      call: ctx.file.textOf(logout.call.expression),
      library: verdict.library,
      version: verdict.version ?? 'unknown',
    },
    fixes: fix ? [fix] : [],
  });
}

function callbackFix(file: FileContext, call: ts.CallExpression): FixDescriptor | undefined {
  let statement: ts.Node = call.parent;
  if (ts.isAwaitExpression(statement)) statement = statement.parent;
  if (!ts.isExpressionStatement(statement) || !ts.isBlock(statement.parent)) return undefined;
  const block = statement.parent;
  const fn = block.parent;
  if (!isFunctionLike(fn)) return undefined;
  const names = fn.parameters.map((parameter) => (ts.isIdentifier(parameter.name) ? parameter.name.text : undefined));
  const executor = ts.isNewExpression(fn.parent);
  const edits = [];
  let onError = executor ? names[1] : names[2];
  if (!onError && !executor && fn.parameters.length === 2 && names[0] && names[1]) {
    onError = 'next';
    edits.push({ start: fn.parameters[1].end, end: fn.parameters[1].end, newText: ', next' });
  }
  if (!onError) return undefined;
  const index = block.statements.indexOf(statement as ts.Statement);
  const rest = block.statements.slice(index + 1);
  const indent = indentationOf(statement, file);
  const start = statement.getStart(file.sourceFile);
  // A comment after the call stays on its line; the lines that follow move into the callback.
  const lineEnd = file.text.indexOf('\n', statement.end);
  const sameLine = lineEnd >= 0 ? file.text.slice(statement.end, lineEnd) : '';
  const trailing = /^\s*\/\/.*$/.test(sameLine) ? sameLine : '';
  const end = rest.length > 0 ? rest.at(-1)!.end : statement.end + trailing.length;
  const following = rest.length > 0 ? file.text.slice(lineEnd + 1, end).replace(/^(?=.)/gm, '  ') : '';
  const callee = file.textOf(call.expression);
  const args = call.arguments.map((argument) => file.textOf(argument));
  const lines = [`${indent}  if (err) return ${onError}(err);`, ...(following ? [following] : [])];
  edits.push({
    start,
    end,
    newText: `${callee}(${[...args, '(err) => {'].join(', ')}${trailing}\n${lines.join('\n')}\n${indent}});`,
  });
  return { suggestionId: 'passCallback', data: { call: callee, onError }, safety: 'safe', edits };
}

/** The statement (directly in a block) that holds `node`. */
function statementAfter(node: ts.Node | undefined): ts.Statement | undefined {
  let current = node;
  while (current && !(ts.isBlock(current.parent) && ts.isExpressionStatement(current))) {
    if (isFunctionLike(current)) return undefined;
    current = current.parent;
  }
  return current as ts.Statement | undefined;
}

function within(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

function mentions(node: ts.Node, name: string): boolean {
  return someDescendant(node, (child) => ts.isIdentifier(child) && child.text === name);
}

function indentationOf(node: ts.Node, file: FileContext): string {
  const start = node.getStart(file.sourceFile);
  const lineStart = file.text.lastIndexOf('\n', start - 1) + 1;
  return /^[ \t]*/.exec(file.text.slice(lineStart, start))?.[0] ?? '';
}
