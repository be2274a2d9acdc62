import {
  completesRotation,
  credentialCheckAt,
  defineRule,
  describeRoute,
  dominance,
  enclosingFunction,
  type FileContext,
  type FixDescriptor,
  findDeclaration,
  functionOf,
  helperOf,
  helperRotationEvidence,
  isFunctionLike,
  isLogoutHandler,
  type LoginCall,
  loginCallAt,
  nestRoute,
  type RouteRegistration,
  type RuleContext,
  receivingFunction,
  rotationAt,
  routeRegistrations,
  type SessionObject,
  type SessionRotation,
  type SessionWrite,
  sessionModels,
  sessionObjectOf,
  sessionsAreStateless,
  sessionWritesAt,
  summarize,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

/** An identity write: a direct session write, or a call of a helper that writes into the session passed. */
interface IdentityWrite {
  node: ts.Node;
  key: string;
  session: SessionObject;
  /** The model-level write, for the fix template. */
  write: SessionWrite;
  helper?: { name: string; writeNode: ts.Node };
}

type Verdict =
  | { kind: 'safe' }
  | { kind: 'skip' }
  | { kind: 'unsafe'; someRotated: boolean; owner: ts.FunctionLikeDeclaration };

const MAX_ASCENT = 16;

export default defineRule(meta, (ctx) => {
  const file = ctx.file;
  // Sealed-cookie sessions (cookie-session, iron-session, secure-session, koa-session without a store)
  // have no server-side id to fix: classic fixation does not apply.
  if (sessionsAreStateless(file)) return {};

  const writes: IdentityWrite[] = [];
  const rotations: SessionRotation[] = [];
  const logins: LoginCall[] = [];
  const credentials: { call: ts.CallExpression; label: string }[] = [];
  const routes = new Map<ts.Node, RouteRegistration>();
  const helperCalls: ts.CallExpression[] = [];

  const collectWrites = (node: ts.Node) => {
    for (const write of sessionWritesAt(node, file)) {
      const key = identityKey(write, file);
      if (key && !clearsIdentity(write)) writes.push({ node: write.node, key, session: write.session, write });
    }
  };

  return {
    BinaryExpression: collectWrites,
    CallExpression(call: ts.CallExpression) {
      collectWrites(call);
      const rotation = rotationAt(call, file);
      if (rotation) rotations.push(rotation);
      const login = loginCallAt(call, file);
      if (login) logins.push(login);
      const credential = credentialCheckAt(call, file);
      if (credential) credentials.push(credential);
      for (const route of routeRegistrations(call, file))
        if (!routes.has(route.handler)) routes.set(route.handler, route);
      if (!rotation && !login && call.arguments.some((argument) => sessionObjectOf(argument, file)))
        helperCalls.push(call);
    },
    onEnd() {
      for (const call of helperCalls) writes.push(...helperWrites(call, file));
      reportLogins(ctx, logins);
      reportIgnoredErrors(ctx, rotations);
      const reportedOwners = new Set<ts.Node>();
      const ordered = [...writes].sort((a, b) => a.node.pos - b.node.pos);
      for (const write of ordered) {
        const verdict = judge(write, { file, rotations, logins, routes });
        if (verdict.kind !== 'unsafe' || reportedOwners.has(verdict.owner)) continue;
        reportedOwners.add(verdict.owner);
        reportWrite(ctx, write, verdict, { rotations, routes, credentials });
      }
    },
  };
});

/** The first identity key a write stores, per `ctx.file.identityKeys`. */
function identityKey(write: SessionWrite, file: FileContext): string | undefined {
  const keys = file.identityKeys;
  for (const path of write.paths) {
    const [head, ...rest] = path;
    const leaf = rest.at(-1);
    if (head !== undefined && keys.has(head)) {
      // `req.session.user = …`, `req.session.user.id = …`, `req.session.auth.role = …` — but not
      // `req.session.user.lastSeen = …`, an update of an already logged-in session.
      if (rest.length === 0 || leaf === 'id' || (leaf !== undefined && keys.has(leaf))) return head;
    }
    if (head === undefined) {
      // Library-style `req.session[key].user = …`
      const named = rest.find((key) => key !== undefined && keys.has(key));
      if (named) return named;
    }
  }
  return undefined;
}

/** `req.session.user = null` / `undefined` / `false` clears identity (logout), it is not a login. */
function clearsIdentity(write: SessionWrite): boolean {
  const node = write.node;
  if (!ts.isBinaryExpression(node)) return false;
  const right = unwrap(node.right);
  return (
    right.kind === ts.SyntaxKind.NullKeyword ||
    right.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(right) && right.text === 'undefined') ||
    ts.isVoidExpression(right)
  );
}

/** `setUser(req.session, user)` where setUser (local or imported) does `session.user = user`. */
function helperWrites(call: ts.CallExpression, file: FileContext): IdentityWrite[] {
  const helper = helperOf(call, file);
  if (!helper) return [];
  const summary = summarize(helper);
  const found: IdentityWrite[] = [];
  for (const [index, list] of summary.writesIntoParameter) {
    const argument = call.arguments[index];
    const session = argument && sessionObjectOf(argument, file);
    if (!session || list.length === 0) continue;
    const name = ts.isIdentifier(unwrap(call.expression)) ? (unwrap(call.expression) as ts.Identifier).text : 'helper';
    found.push({
      node: call,
      key: list[0].key,
      session,
      write: { model: session.model, node: call, session, paths: [[list[0].key]], kind: 'assign' },
      helper: { name, writeNode: list[0].node },
    });
  }
  return found;
}

interface JudgeContext {
  file: FileContext;
  rotations: SessionRotation[];
  logins: LoginCall[];
  routes: Map<ts.Node, RouteRegistration>;
}

/** The call a function is passed to as an argument, and its position. */
function hostCall(fn: ts.Node): { call: ts.CallExpression; index: number } | undefined {
  let node: ts.Node = fn;
  while (node.parent && ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (parent && ts.isCallExpression(parent)) {
    const index = parent.arguments.indexOf(node as ts.Expression);
    if (index >= 0) return { call: parent, index };
  }
  return undefined;
}

function sameFunction(callback: ts.Expression | undefined, fn: ts.Node, file: FileContext): boolean {
  if (!callback) return false;
  if (unwrap(callback) === fn) return true;
  return functionOf(callback, file)?.fn === fn;
}

/**
 * Walks from the write outwards through the callbacks that contain it, up to the function that
 * receives the request: safe when some level runs inside a rotation's (or a rotating login's)
 * callback, or is dominated by a completed rotation; skip when undecidable (loops).
 */
function judge(write: IdentityWrite, context: JudgeContext): Verdict {
  const { file } = context;
  const receiver = receivingFunction(write.session.carrier);
  if (!receiver) return { kind: 'skip' };
  const owner = receiver.fn;
  // Identity written inside a logout handler is a logout that keeps the session (the logout rule's).
  if (isLogoutHandler(owner, routeOf(owner, context.routes, file)?.path, file)) return { kind: 'skip' };
  // An awaited library login covers what follows: it rotates, or it is reported itself at the login.
  const happens = (node: ts.Node) =>
    completesRotation(node, file) ||
    (ts.isAwaitExpression(node) &&
      ts.isCallExpression(unwrap(node.expression)) &&
      context.logins.some((login) => login.call === unwrap(node.expression)));
  let point: ts.Node = write.node;
  let someRotated = false;
  for (let step = 0; step < MAX_ASCENT; step++) {
    const fn = enclosingFunction(point);
    if (!fn) return { kind: 'skip' };
    const host = hostCall(fn);
    if (host) {
      if (context.rotations.some((r) => r.call === host.call && sameFunction(r.callback, fn, file)))
        return { kind: 'safe' };
      // Inside a library login's callback: the login's own verdict (reported at the login) decides.
      if (context.logins.some((l) => l.call === host.call && sameFunction(l.callback, fn, file)))
        return { kind: 'safe' };
      const helper = helperOf(host.call, file);
      if (helper && summarize(helper).callsAfterRotation.has(host.index)) return { kind: 'safe' };
    }
    const entry = fn === owner && loggedInByEarlierMiddleware(owner, context);
    const result = dominance(fn, point, happens, entry);
    if (result === 'all') return { kind: 'safe' };
    if (result === 'unknown') return { kind: 'skip' };
    if (result === 'some') someRotated = true;
    if (fn === owner) return { kind: 'unsafe', someRotated, owner };
    point = fn;
  }
  return { kind: 'skip' };
}

/** `app.post('/login', passport.authenticate('local'), handler)`: the login already happened. */
function loggedInByEarlierMiddleware(owner: ts.FunctionLikeDeclaration, context: JudgeContext): boolean {
  const route = context.routes.get(owner);
  if (!route) return false;
  for (const member of route.chain.slice(0, route.index)) {
    const inner = unwrap(member);
    if (ts.isCallExpression(inner) && loginCallAt(inner, context.file)) return true;
  }
  return false;
}

function routeOf(owner: ts.FunctionLikeDeclaration, routes: Map<ts.Node, RouteRegistration>, file: FileContext) {
  return routes.get(owner) ?? nestRoute(owner, file);
}

function within(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

function reportWrite(
  ctx: RuleContext,
  write: IdentityWrite,
  verdict: Extract<Verdict, { kind: 'unsafe' }>,
  context: {
    rotations: SessionRotation[];
    routes: Map<ts.Node, RouteRegistration>;
    credentials: { call: ts.CallExpression; label: string }[];
  },
): void {
  const file = ctx.file;
  const owner = verdict.owner;
  const where = describeRoute(routeOf(owner, context.routes, file), owner);
  const inOwner = context.rotations.filter((r) => within(r.call, owner));
  const later = inOwner.find((r) => r.call.pos >= write.node.end)?.call ?? laterHelperRotation(owner, write.node, file);
  const earlierCallback = inOwner.find(
    (r) =>
      r.completion === 'callback' && r.call.end <= write.node.pos && !(r.callback && within(write.node, r.callback)),
  );
  const credential = context.credentials.filter((c) => within(c.call, owner) && c.call.end <= write.node.pos).at(-1);
  const related = [];
  if (credential)
    related.push({ target: credential.call, message: `credentials are verified here (${credential.label})` });
  if (write.helper)
    related.push({ target: write.helper.writeNode, message: `${write.helper.name}() writes '${write.key}' here` });
  let messageId: string;
  const data: Record<string, string | number> = { key: write.key, where };
  if (earlierCallback && !verdict.someRotated) {
    messageId = 'writeOutsideCallback';
    data.line = file.lineOf(earlierCallback.call);
    related.push({
      target: earlierCallback.call,
      message: 'the session is regenerated here; only its callback runs on the new session',
    });
  } else if (verdict.someRotated) {
    messageId = 'writeOnSomePaths';
    for (const rotation of inOwner.filter((r) => r.call.end <= write.node.pos)) {
      related.push({ target: rotation.call, message: 'the session is regenerated here, on one path only' });
    }
  } else if (later) {
    messageId = 'writeBeforeRotation';
    data.line = file.lineOf(later);
    related.push({ target: later, message: 'the session is regenerated here, after the identity write' });
  } else if (write.helper) {
    messageId = 'helperWriteWithoutRotation';
    data.helper = write.helper.name;
  } else {
    messageId = 'writeWithoutRotation';
    data.evidence = credential ? ` after verifying credentials (${credential.label})` : '';
  }
  const fix = write.helper ? undefined : rotationFix(file, write, owner, context.routes);
  ctx.report({ target: write.node, messageId, data, related, fixes: fix ? [fix] : [] });
}

/** A call after `write` in `owner` of a local helper that rotates the session (only for reported writes). */
function laterHelperRotation(
  owner: ts.FunctionLikeDeclaration,
  write: ts.Node,
  file: FileContext,
): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && node.pos >= write.end && helperRotationEvidence(node, file)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  if (owner.body) visit(owner.body);
  return found;
}

function isAsync(fn: ts.FunctionLikeDeclaration): boolean {
  return (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
}

function lineIndent(file: FileContext, position: number): string {
  const lineStart = file.text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(file.text.slice(lineStart))![0];
}

/** The ancestor of `node` that is a direct child statement of `block`. */
function statementIn(node: ts.Node, block: ts.Block): ts.Statement | undefined {
  let current: ts.Node | undefined = node;
  while (current && current.parent !== block) current = current.parent;
  return current as ts.Statement | undefined;
}

function innermostStatement(node: ts.Node, fn: ts.FunctionLikeDeclaration): ts.Statement | undefined {
  let current: ts.Node = node;
  while (current.parent && current.parent !== fn) {
    if (ts.isBlock(current.parent) && ts.isStatement(current)) return current;
    current = current.parent;
  }
  return undefined;
}

/** A parameter named `next` of the function or an enclosing one up to `owner`. */
function hasNext(fn: ts.FunctionLikeDeclaration, owner: ts.FunctionLikeDeclaration): boolean {
  let current: ts.Node | undefined = fn;
  while (current) {
    if (isFunctionLike(current)) {
      if (current.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === 'next')) return true;
      if (current === owner) return false;
    }
    current = current.parent;
  }
  return false;
}

function rotationFix(
  file: FileContext,
  write: IdentityWrite,
  owner: ts.FunctionLikeDeclaration,
  routes: Map<ts.Node, RouteRegistration>,
): FixDescriptor | undefined {
  if (write.node.getSourceFile() !== file.sourceFile) return undefined;
  const fn = enclosingFunction(write.node);
  if (!fn?.body || !ts.isBlock(fn.body)) return undefined;
  const model = sessionModels(file).find((m) => m.id === write.write.model);
  const template = model?.rotationFix?.(write.write, file, {
    inAsyncFunction: isAsync(fn),
    typescript: !file.isJavaScript,
  });
  if (!template) return undefined;
  if (template.kind === 'statement') {
    const statement = innermostStatement(write.node, fn);
    if (!statement) return undefined;
    const start = statement.getStart(file.sourceFile);
    return {
      suggestionId: 'insertRotation',
      data: { statement: template.text },
      edits: [{ start, end: start, newText: `${template.text}\n${lineIndent(file, start)}` }],
    };
  }
  // Wrap from the first identity write to the end of the function body in the rotation callback.
  const first = statementIn(write.node, fn.body);
  if (!first) return undefined;
  const statements = fn.body.statements;
  const last = statements[statements.length - 1];
  const edits = [];
  if (!hasNext(fn, owner)) {
    const route = routes.get(owner);
    if (owner !== fn || !route || route.framework !== 'express-like' || owner.parameters.length === 0) return undefined;
    const lastParameter = owner.parameters[owner.parameters.length - 1];
    const text = file.text;
    const arrowWithoutParens =
      ts.isArrowFunction(owner) && text[owner.parameters.pos - 1] !== '(' && text[lastParameter.getStart() - 1] !== '(';
    if (arrowWithoutParens) return undefined;
    if (owner.parameters.length === 1) {
      edits.push({ start: lastParameter.getEnd(), end: lastParameter.getEnd(), newText: ', _res, next' });
    } else {
      edits.push({ start: lastParameter.getEnd(), end: lastParameter.getEnd(), newText: ', next' });
    }
  }
  const start = first.getStart(file.sourceFile);
  const indent = lineIndent(file, start);
  const unit = indent.includes('\t') ? '\t' : '  ';
  const moved = file.text
    .slice(start, last.getEnd())
    .split('\n')
    .map((line, index) => (index === 0 || line.trim() === '' ? line : unit + line))
    .join('\n');
  const newText = `${template.callee}((err) => {\n${indent}${unit}if (err) return next(err);\n${indent}${unit}${moved}\n${indent}});`;
  edits.push({ start, end: last.getEnd(), newText });
  return { suggestionId: 'wrapInRegenerate', data: { callee: template.callee }, edits };
}

function reportLogins(ctx: RuleContext, logins: LoginCall[]): void {
  for (const login of logins) {
    const { verdict } = login;
    if (verdict.rotates === true) continue;
    const fixes: FixDescriptor[] = verdict.upgrade
      ? [
          {
            suggestionId: 'upgradeLibrary',
            data: { library: verdict.library, range: verdict.upgrade.range, note: verdict.upgrade.note },
            safety: 'unsafe',
            edits: [
              {
                absPath: verdict.upgrade.manifestPath,
                start: verdict.upgrade.start,
                end: verdict.upgrade.end,
                newText: verdict.upgrade.range,
              },
            ],
          },
        ]
      : [];
    const loginText = describeLogin(login, ctx.file);
    if (verdict.rotates === false) {
      ctx.report({
        target: login.call,
        messageId: 'loginKeepsId',
        data: {
          login: loginText,
          library: verdict.library,
          version: verdict.version ?? '',
          versionEvidence: verdict.versionEvidence ?? 'installed',
          advisory: verdict.advisory,
          affected: verdict.affected,
        },
        fixes,
      });
    } else {
      ctx.report({
        target: login.call,
        messageId: 'loginVersionUnknown',
        severity: 'warning',
        data: {
          login: loginText,
          library: verdict.library,
          reason: verdict.reason ?? 'no version found',
          advisory: verdict.advisory,
          affected: verdict.affected,
        },
        fixes,
      });
    }
  }
}

function describeLogin(login: LoginCall, file: FileContext): string {
  const callee = file.textOf(unwrap(login.call.expression));
  const short = callee.length > 40 ? `${callee.slice(0, 37)}...` : callee;
  return `\`${short}(…)\``;
}

/** `req.session.regenerate(() => …)` or `(err) => …` that never reads `err`. */
function reportIgnoredErrors(ctx: RuleContext, rotations: SessionRotation[]): void {
  for (const rotation of rotations) {
    if (rotation.completion !== 'callback' || !rotation.callback) continue;
    const callback = unwrap(rotation.callback);
    if (!isFunctionLike(callback)) continue;
    const first = callback.parameters[0];
    let used = false;
    if (first && ts.isIdentifier(first.name)) {
      const name = first.name.text;
      const visit = (node: ts.Node): void => {
        if (used) return;
        if (ts.isIdentifier(node) && node.text === name && node !== first.name && findDeclaration(node) === first) {
          used = true;
          return;
        }
        ts.forEachChild(node, visit);
      };
      if (callback.body) visit(callback.body);
    }
    if (!used) ctx.report({ target: rotation.call, messageId: 'regenerateErrorIgnored', severity: 'note' });
  }
}
