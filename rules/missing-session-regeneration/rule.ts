import {
  accessedName,
  presenceWhen,
  callExpressions,
  calleeName,
  callsOf,
  completesRotation,
  credentialCheckAt,
  defineRule,
  describeRoute,
  dominance,
  enclosingFunction,
  findDeclaration,
  type FileContext,
  type FixDescriptor,
  functionOf,
  helperOf,
  helperRotationEvidence,
  isAsyncFunction,
  isAssignment,
  isFunctionLike,
  isIdentityKey,
  isLogoutHandler,
  isNonIdentityKey,
  isPackageEntryPoint,
  type LoginCall,
  type LoginOrigin,
  loginOriginOf,
  loginStepOf,
  loginCallAt,
  nestRoute,
  objectView,
  propertyNameText,
  type RouteRegistration,
  type RotationFixTemplate,
  type RuleContext,
  receivingFunction,
  rotationAt,
  routeRegistrations,
  type SessionObject,
  type SessionRotation,
  type SessionWrite,
  sessionLibraryAbsent,
  sessionObjectOf,
  sessionPrincipalOf,
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
  /** The login the written value comes from, when the key alone does not say. */
  origin?: LoginOrigin;
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
      const identity = identityOf(write, file);
      if (identity && !clearsIdentity(write) && !refreshesHeldIdentity(write, identity, file))
        writes.push({ node: write.node, key: identity.key, origin: identity.origin, session: write.session, write });
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
      if (!rotation && !login && call.arguments.some((argument) => passesSession(argument, file)))
        helperCalls.push(call);
    },
    onEnd() {
      for (const call of helperCalls) writes.push(...helperWrites(call, file));
      // The application's own object attached to the request is no session of a library (see attachesOwnSession).
      // Writes inside a library's own login (a passport verify callback) are that login's: its version
      // verdict, at the authenticate call, decides whether the id survives.
      const judged = writes.filter(
        (write) => !attachesOwnSession(write, credentials, file) && !insideLibraryLogin(write.node, file),
      );
      const context = { file, rotations, logins, routes };
      reportLogins(
        ctx,
        logins.filter((login) => !rotatedAroundLogin(login, context)),
        context,
      );
      const reportedOwners = new Set<ts.Node>();
      const ordered = [...judged].sort((a, b) => a.node.pos - b.node.pos);
      for (const write of ordered) {
        const verdict = judge(write, context);
        if (verdict.kind !== 'unsafe' || reportedOwners.has(verdict.owner)) continue;
        reportedOwners.add(verdict.owner);
        const callers = managerCallers(write, verdict.owner, context);
        if (callers?.allRotated && !isPackageEntryPoint(file)) continue;
        reportWrite(ctx, write, verdict, { rotations, routes, credentials }, callers?.unrotated ?? []);
      }
    },
  };
});

/**
 * What makes a write a login: the first identity key it stores (`ctx.file.identityKeys`, spelled any
 * way, `gh_access_token`), or a value that comes out of a login (a token exchange, a credential
 * check) stored under a key that is not flow state (`Object.assign(req.session, tokenSet)`).
 */
function identityOf(write: SessionWrite, file: FileContext): { key: string; origin?: LoginOrigin } | undefined {
  const isIdentity = (key: string) => isIdentityKey(key, file.identityKeys);
  for (const path of write.paths) {
    const [head, ...rest] = path;
    const leaf = rest.at(-1);
    if (head !== undefined && isIdentity(head)) {
      // `req.session.user = …`, `req.session.user.id = …`, `req.session.auth.role = …` — but not
      // `req.session.user.lastSeen = …`, an update of an already logged-in session.
      if (rest.length === 0 || leaf === 'id' || (leaf !== undefined && isIdentity(leaf))) return { key: head };
    }
    if (head === undefined) {
      // Library-style `req.session[key].user = …`
      const named = rest.find((key) => key !== undefined && isIdentity(key));
      if (named) return { key: named };
    }
  }
  const keys = write.paths.map((path) => path[0]);
  if (keys.some((key) => key !== undefined && isNonIdentityKey(key))) return undefined;
  const named = write.kind === 'assign' ? keys.find((key) => key !== undefined) : undefined;
  for (const value of writtenValues(write)) {
    // `{ ...tokenSet, profile }`: the spread carries the login result.
    const inner = unwrap(value);
    const parts = ts.isObjectLiteralExpression(inner)
      ? inner.properties.filter(ts.isSpreadAssignment).map((spread) => spread.expression)
      : [value];
    for (const part of parts) {
      const origin = loginOriginOf(part, file);
      const text = part === value ? file.textOf(part) : `...${file.textOf(part)}`;
      if (origin) return { key: named ?? shortText(text), origin };
    }
  }
  return undefined;
}

/**
 * `req.session = { ...found.session, user: found.user }` in a guard or middleware of a project with no
 * session library: the application attaches its own object to the request (the session it looked up
 * from the cookie or header the request presents), so no library keeps it under a planted id and the
 * write is no login. Only a whole replacement counts: a member write (`req.session.userId = …`) may
 * mutate a store entry the application's middleware attached, or the session of a host application
 * (a helper package declares no session library either). A value that comes out of a login, or a
 * credential check before the write, keeps it a login: the application may store the object by hand.
 */
function attachesOwnSession(
  write: IdentityWrite,
  credentials: { call: ts.CallExpression }[],
  file: FileContext,
): boolean {
  if (write.write.kind !== 'replace' || write.origin || !sessionLibraryAbsent(file)) return false;
  if (
    writtenValues(write.write)
      .flatMap(objectParts)
      .some((value) => loginOriginOf(value, file))
  )
    return false;
  return !credentials.some((check) => {
    const fn = enclosingFunction(check.call);
    return fn !== undefined && check.call.end <= write.node.pos && within(write.node, fn);
  });
}

/** The values an object literal is built from (property values and spreads), or the value itself. */
function objectParts(value: ts.Expression): ts.Expression[] {
  const inner = unwrap(value);
  if (!ts.isObjectLiteralExpression(inner)) return [value];
  return inner.properties.flatMap((property) => {
    if (ts.isPropertyAssignment(property)) return [property.initializer];
    if (ts.isShorthandPropertyAssignment(property)) return [property.name];
    if (ts.isSpreadAssignment(property)) return [property.expression];
    return [];
  });
}

/**
 * `if (req.session.user == null) return res.redirect('/'); … req.session.user = updated`: the write can
 * only run while the session already holds that identity (the guard sends everyone else away), and
 * its value does not come out of a login, so it refreshes the logged-in user's record (after a
 * profile update) rather than logging anyone in. A privilege change under another key
 * (`req.session.isAdmin = true` behind `req.session.user`) and a value from a credential check or a
 * token exchange are still judged as logins.
 */
function refreshesHeldIdentity(
  write: SessionWrite,
  identity: { key: string; origin?: LoginOrigin },
  file: FileContext,
): boolean {
  if (identity.origin || writtenValues(write).some((value) => loginOriginOf(value, file))) return false;
  if (isPrivilegeKey(identity.key)) return false;
  const session = file.textOf(write.session.expression);
  // The same key, or another key naming the principal (`userId` held, `user` written).
  const holds = (key: string | undefined) =>
    key !== undefined && (key === identity.key || (isIdentityKey(key, file.identityKeys) && !isPrivilegeKey(key)));
  const names = (node: ts.Expression) => {
    const inner = unwrap(node);
    if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner)) return false;
    return file.textOf(unwrap(inner.expression)) === session && holds(accessedName(inner));
  };
  const heldWhen = (condition: ts.Expression, outcome: boolean) =>
    presenceWhen(condition, outcome, names, file) === 'held';
  const heldRead = heldPrincipalReader(names, session, identity.key, file);
  // The record looked up by the identity the session already holds (`User.getUserById(req.session.user._id,
  // (err, user) => { req.session.user = user })`): the same principal again, whatever guards the route.
  if (writtenValues(write).some((value) => lookedUpByHeldIdentity(value, heldRead, file))) return true;
  // The held principal itself re-saved with more attributes (`req.session.passport.user = { ...req.user,
  // activeWorkspaceId }` after a workspace or plan switch, Flowise): no one else's identity comes in.
  const values = writtenValues(write);
  if (values.length > 0 && values.every((value) => principalPart(value, heldRead, file) === 'held')) return true;
  let child: ts.Node = write.node;
  for (let node = write.node.parent; node && !ts.isSourceFile(node); child = node, node = node.parent) {
    if (ts.isIfStatement(node)) {
      if (child === node.thenStatement && heldWhen(node.expression, true)) return true;
      if (child === node.elseStatement && heldWhen(node.expression, false)) return true;
    }
    if (ts.isBlock(node)) {
      // An earlier `if (!req.session.user) return …;` in the same block.
      for (const statement of node.statements) {
        if (statement === child) break;
        if (ts.isIfStatement(statement) && !statement.elseStatement && heldWhen(statement.expression, false)) {
          if (alwaysExits(statement.thenStatement)) return true;
        }
      }
    }
  }
  return false;
}

/**
 * Whether a value is a lookup keyed by the session's held identity: a call (or `new`) one of whose
 * arguments reads it (`await users.byId(req.session.userId)`), a const initialised so, or the parameter of
 * a callback passed to such a call. Two hops at most.
 */
function lookedUpByHeldIdentity(
  value: ts.Expression,
  readsHeld: (node: ts.Expression) => boolean,
  file: FileContext,
  depth = 0,
): boolean {
  if (depth > 2) return false;
  const inner = ts.isAwaitExpression(unwrap(value))
    ? unwrap((unwrap(value) as ts.AwaitExpression).expression)
    : unwrap(value);
  const mentionsHeld = (nodes: readonly ts.Node[]) => {
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found || isFunctionLike(node)) return;
      if (ts.isExpression(node) && readsHeld(node)) found = true;
      else ts.forEachChild(node, visit);
    };
    for (const node of nodes) visit(node);
    return found;
  };
  if (ts.isCallExpression(inner) || ts.isNewExpression(inner)) {
    // A merge is no lookup: it is what its parts are (`principalPart`), and `Object.assign({}, req.user,
    // found)` carries `found`'s identity.
    if (ts.isCallExpression(inner) && isMerge(inner)) return false;
    if (mentionsHeld(inner.arguments ?? [])) return true;
    // A method of the looked-up record (`user.toObject()`) is that record.
    const callee = unwrap(inner.expression);
    return (
      ts.isPropertyAccessExpression(callee) && lookedUpByHeldIdentity(callee.expression, readsHeld, file, depth + 1)
    );
  }
  if (!ts.isIdentifier(inner)) return false;
  const declaration = findDeclaration(inner);
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer)
    return lookedUpByHeldIdentity(declaration.initializer, readsHeld, file, depth + 1);
  if (!declaration || !ts.isParameter(declaration) || !isFunctionLike(declaration.parent)) return false;
  // The callback, possibly inside a wrapper call (`ep.done(function (user) { … })`, `wrap(cb)`).
  let argument: ts.Node = declaration.parent;
  for (let hop = 0; hop < 2; hop++) {
    const call = argument.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(argument as ts.Expression)) return false;
    if (mentionsHeld(call.arguments)) return true;
    argument = call;
  }
  return false;
}

/**
 * Reads of what the session already holds: the held identity key (`req.session.user`, see `names`), a
 * slot below it (`req.session.passport.user`), and the principal the request carries from the session
 * (`req.user` restored by passport, see `sessionPrincipalOf`) unless the function gave `req.user` another
 * value before (`req.user = found`); a reassignment built from the held principal itself keeps it.
 */
function heldPrincipalReader(
  names: (node: ts.Expression) => boolean,
  session: string,
  key: string,
  file: FileContext,
): (node: ts.Expression) => boolean {
  const holds = (name: string | undefined) =>
    name !== undefined && (name === key || (isIdentityKey(name, file.identityKeys) && !isPrivilegeKey(name)));
  const readsSlot = (node: ts.Expression): boolean => {
    const inner = unwrap(node);
    if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner)) return false;
    const object = unwrap(inner.expression);
    return holds(accessedName(inner)) && (file.textOf(object) === session || readsSlot(object));
  };
  const heldRead = (node: ts.Expression): boolean =>
    names(node) ||
    readsSlot(node) ||
    (sessionPrincipalOf(node, file) && !reassignedBefore(unwrap(node), heldRead, file));
  return heldRead;
}

/**
 * Whether the function assigns `req.user` (the same text as `read`) before `read` with a value that is
 * not the held principal rebuilt (`req.user = { ...req.user, ...extra }` keeps it, `req.user = found`
 * does not).
 */
function reassignedBefore(read: ts.Expression, heldRead: (node: ts.Expression) => boolean, file: FileContext): boolean {
  const fn = enclosingFunction(read);
  if (!fn?.body) return false;
  const text = file.textOf(read);
  let replaced = false;
  const visit = (node: ts.Node): void => {
    if (replaced || node.pos >= read.pos) return;
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      node.end <= read.pos &&
      file.textOf(unwrap(node.left)) === text
    ) {
      if (principalPart(node.right, heldRead, file) !== 'held') replaced = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return replaced;
}

/**
 * The rights a write grants: its own key when that names rights (`req.session.role = …`), or the
 * rights keys of the object it writes (`req.session.passport.user = { ...req.user, role, permissions }`).
 * A write that grants rights to the principal already signed in is a privilege change, not a login,
 * and the finding says so.
 */
function grantedRights(write: IdentityWrite, file: FileContext): string[] {
  if (isPrivilegeKey(write.key)) return [write.key];
  const node = write.write.node;
  const value = ts.isBinaryExpression(node) ? unwrap(node.right) : undefined;
  if (!value || !ts.isObjectLiteralExpression(value)) return [];
  const keys = objectKeys(value, true);
  // An object that names its user as well (`{ id, email, role }`) is a login that also grants rights.
  if (keys.some((key) => namesPrincipalOrRights(key, file) && !isPrivilegeKey(key))) return [];
  return keys.filter(isPrivilegeKey);
}

/** An object literal's static keys, with those of a spread local const's object literal (one level). */
function objectKeys(object: ts.ObjectLiteralExpression, followSpreads: boolean): string[] {
  return object.properties.flatMap((property) => {
    if (ts.isSpreadAssignment(property)) {
      const spread = unwrap(property.expression);
      const declaration = followSpreads && ts.isIdentifier(spread) ? findDeclaration(spread) : undefined;
      const initializer =
        declaration && ts.isVariableDeclaration(declaration) && declaration.initializer
          ? unwrap(declaration.initializer)
          : undefined;
      return initializer && ts.isObjectLiteralExpression(initializer) ? objectKeys(initializer, false) : [];
    }
    const key = property.name && propertyNameText(property.name);
    return key ? [key] : [];
  });
}

/** Keys that decide whose session it is or what it may do: identity, rights, a record's own id. */
function namesPrincipalOrRights(key: string, file: FileContext): boolean {
  return isIdentityKey(key, file.identityKeys) || isPrivilegeKey(key) || /^(_?id|sub)$/i.test(key);
}

/**
 * What a value contributes to the principal a write stores: `held` when it is the principal the session
 * already holds (a read of it, the record looked up by it, or an object rebuilt from it: `{ ...req.user,
 * features }`, `Object.assign({}, req.user, { plan })`, a const so built and not given another identity
 * later), `neutral` when it only adds attributes that name neither a principal nor rights (`{ features,
 * activeWorkspaceId }`), `foreign` otherwise: an identity or privilege key with a value from elsewhere
 * (`{ ...req.user, id: req.body.userId }`, `{ ...req.user, role: 'admin' }`) or a part of unknown origin
 * (`{ ...req.user, ...found }` with `found` looked up by a request parameter).
 */
function principalPart(
  value: ts.Expression,
  heldRead: (node: ts.Expression) => boolean,
  file: FileContext,
  depth = 0,
): 'held' | 'neutral' | 'foreign' {
  if (depth > 4) return 'foreign';
  let inner = unwrap(value);
  if (ts.isAwaitExpression(inner)) inner = unwrap(inner.expression);
  if (readsHeldPrincipal(inner, heldRead) || lookedUpByHeldIdentity(inner, heldRead, file)) return 'held';
  const combine = (parts: ('held' | 'neutral' | 'foreign')[]) =>
    parts.includes('foreign') ? 'foreign' : parts.includes('held') ? 'held' : 'neutral';
  if (ts.isObjectLiteralExpression(inner)) {
    return combine(
      inner.properties.map((property) => {
        if (ts.isSpreadAssignment(property)) return principalPart(property.expression, heldRead, file, depth + 1);
        const assigned = ts.isPropertyAssignment(property)
          ? property.initializer
          : ts.isShorthandPropertyAssignment(property)
            ? property.name
            : undefined;
        const name = assigned && propertyNameText(property.name);
        if (!assigned || name === undefined) return 'foreign';
        if (!namesPrincipalOrRights(name, file)) return 'neutral';
        return readsHeldPrincipal(assigned, heldRead) ? 'held' : 'foreign';
      }),
    );
  }
  if (ts.isCallExpression(inner) && isMerge(inner)) {
    return combine(inner.arguments.map((argument) => principalPart(argument, heldRead, file, depth + 1)));
  }
  if (ts.isIdentifier(inner)) {
    const declaration = findDeclaration(inner);
    if (
      !declaration ||
      !ts.isVariableDeclaration(declaration) ||
      !declaration.initializer ||
      !ts.isVariableDeclarationList(declaration.parent) ||
      !(declaration.parent.flags & ts.NodeFlags.Const) ||
      givenIdentityLater(inner.text, declaration, file)
    )
      return 'foreign';
    return principalPart(declaration.initializer, heldRead, file, depth + 1);
  }
  return 'foreign';
}

/** Calls that build an object out of their arguments (`Object.assign`, lodash `merge`, `deepmerge`). */
function isMerge(call: ts.CallExpression): boolean {
  return /^(assign|merge|mergeWith|extend|defaults|defaultsDeep|deepmerge|deepMerge)$/.test(calleeName(call) ?? '');
}

/**
 * `req.user`, `req.session.user`, or a member of one (`req.user.id`, `req.user.profile`), also through a
 * const alias (`const me = req.user; … me.id`).
 */
function readsHeldPrincipal(node: ts.Expression, heldRead: (node: ts.Expression) => boolean, hops = 0): boolean {
  for (let current = unwrap(node); ; ) {
    if (heldRead(current)) return true;
    if (ts.isIdentifier(current)) {
      const declaration = findDeclaration(current);
      return (
        hops < 2 &&
        declaration !== undefined &&
        ts.isVariableDeclaration(declaration) &&
        declaration.initializer !== undefined &&
        ts.isVariableDeclarationList(declaration.parent) &&
        (declaration.parent.flags & ts.NodeFlags.Const) !== 0 &&
        readsHeldPrincipal(declaration.initializer, heldRead, hops + 1)
      );
    }
    if (!ts.isPropertyAccessExpression(current) && !ts.isElementAccessExpression(current)) return false;
    current = unwrap(current.expression);
  }
}

/**
 * Whether a const object is given an identity or rights after it is built (`built.id = req.body.id`,
 * `built[key] = …`, `Object.assign(built, found)`): then it is no longer the held principal rebuilt.
 */
function givenIdentityLater(name: string, declaration: ts.VariableDeclaration, file: FileContext): boolean {
  const scope = enclosingFunction(declaration) ?? declaration.getSourceFile();
  let given = false;
  const isName = (node: ts.Expression) => {
    const inner = unwrap(node);
    return ts.isIdentifier(inner) && inner.text === name && findDeclaration(inner) === declaration;
  };
  const visit = (node: ts.Node): void => {
    if (given) return;
    if (isAssignment(node) && (ts.isPropertyAccessExpression(node.left) || ts.isElementAccessExpression(node.left))) {
      const key = accessedName(node.left);
      if (isName(node.left.expression) && (key === undefined || namesPrincipalOrRights(key, file))) given = true;
    } else if (ts.isCallExpression(node) && isMerge(node) && node.arguments[0] && isName(node.arguments[0])) {
      given = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return given;
}

/** Whether a node runs inside a function a library calls as part of its own login (see `loginStepOf`). */
function insideLibraryLogin(node: ts.Node, file: FileContext): boolean {
  for (let fn = enclosingFunction(node), hops = 0; fn && hops < 4; fn = enclosingFunction(fn), hops++) {
    if (loginStepOf(fn, file)) return true;
  }
  return false;
}

/** Keys that grant rights rather than name the user: writing one behind a logged-in guard is a privilege change. */
function isPrivilegeKey(key: string): boolean {
  return /role|admin|perm|scope|mfa|2fa|otp|elevat|sudo|privileg|level|grant|verified/i.test(key);
}

/** A statement that leaves the function on every path (`return …`, `throw …`, a block ending in one). */
function alwaysExits(statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) {
    const last = statement.statements.at(-1);
    return last !== undefined && alwaysExits(last);
  }
  if (ts.isIfStatement(statement)) {
    return (
      statement.elseStatement !== undefined &&
      alwaysExits(statement.thenStatement) &&
      alwaysExits(statement.elseStatement)
    );
  }
  return false;
}

/** The values a write stores: the right side, the merged objects, the `set` value. */
function writtenValues(write: SessionWrite): ts.Expression[] {
  const node = write.node;
  if (ts.isBinaryExpression(node)) return [node.right];
  if (!ts.isCallExpression(node)) return [];
  if (write.kind === 'merge') return node.arguments.slice(1);
  if (write.kind === 'set') return node.arguments.slice(node.arguments.length > 1 ? 1 : 0, 2);
  return [];
}

function shortText(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 37)}...` : line;
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

/** An argument that is a session, or an object literal carrying one (`assign({ session, user })`). */
function passesSession(argument: ts.Expression, file: FileContext): boolean {
  if (sessionObjectOf(argument, file)) return true;
  const literal = unwrap(argument);
  if (!ts.isObjectLiteralExpression(literal)) return false;
  return literal.properties.some((property) => {
    const value = ts.isShorthandPropertyAssignment(property)
      ? property.name
      : ts.isPropertyAssignment(property)
        ? property.initializer
        : undefined;
    return value !== undefined && sessionObjectOf(value, file) !== undefined;
  });
}

/** `setUser(req.session, user)` where setUser (local or imported) does `session.user = user`. */
function helperWrites(call: ts.CallExpression, file: FileContext): IdentityWrite[] {
  const helper = helperOf(call, file);
  if (!helper) return [];
  const summary = summarize(helper);
  const found: IdentityWrite[] = [];
  for (const [index, list] of summary.writesIntoParameter) {
    const argument = call.arguments[index];
    if (!argument) continue;
    for (const write of list) {
      // A session handed over inside an options object (`assign({ session, user })`) is that member's value.
      const member =
        write.property === undefined ? undefined : objectView(argument, file)?.properties.get(write.property);
      const passed = write.property === undefined ? argument : member?.file === file ? member.value : undefined;
      const session = passed && sessionObjectOf(passed, file);
      if (!session) continue;
      const name = ts.isIdentifier(unwrap(call.expression))
        ? (unwrap(call.expression) as ts.Identifier).text
        : 'helper';
      found.push({
        node: call,
        key: write.key,
        session,
        write: { model: session.model, node: call, session, paths: [[write.key]], kind: 'assign' },
        helper: { name, writeNode: write.node },
      });
      break;
    }
  }
  return found;
}

interface JudgeContext {
  file: FileContext;
  rotations: SessionRotation[];
  logins: LoginCall[];
  routes: Map<ts.Node, RouteRegistration>;
}

/** The same facts the walk collects, for a file the rule is not walking (a manager's caller). */
const contexts = new WeakMap<ts.SourceFile, JudgeContext>();

function judgeContextOf(file: FileContext): JudgeContext {
  const known = contexts.get(file.sourceFile);
  if (known) return known;
  const context: JudgeContext = { file, rotations: [], logins: [], routes: new Map() };
  for (const call of callExpressions(file)) {
    const rotation = rotationAt(call, file);
    if (rotation) context.rotations.push(rotation);
    const login = loginCallAt(call, file);
    if (login) context.logins.push(login);
    for (const route of routeRegistrations(call, file))
      if (!context.routes.has(route.handler)) context.routes.set(route.handler, route);
  }
  contexts.set(file.sourceFile, context);
  return context;
}

/** A call of a session manager that passes it the request without rotating the session first. */
interface UnrotatedCaller {
  call: ts.CallExpression;
  file: FileContext;
  where: string;
}

/**
 * A session manager is a function or method that receives the request and writes identity into its
 * session (`establishSession(req, user)`, `binder.bind(request, principal)`): a login at its
 * definition, so a library's own code is found without its host application. Its callers in the
 * scanned code (same file, files importing it) are judged like writes: a call not preceded by a
 * completed rotation on every path is unrotated.
 *
 * The finding stays at the definition, with the unrotated callers as related locations: the fix
 * belongs there (rotate inside the manager, once, for every caller), and one login gives one finding
 * however many routes call it. A manager every visible caller calls after rotating is silent, unless
 * its file is a package entry point: then callers outside the scan may not rotate. Undefined for
 * route handlers and functions with no visible caller (reported as before).
 */
function managerCallers(
  write: IdentityWrite,
  owner: ts.FunctionLikeDeclaration,
  context: JudgeContext,
): { unrotated: UnrotatedCaller[]; allRotated: boolean } | undefined {
  if (routeOf(owner, context.routes, context.file)) return undefined;
  const receiver = receivingFunction(write.session.carrier);
  if (!receiver || receiver.fn !== owner) return undefined;
  const calls = callsOf(owner, context.file).filter(({ call }) => call.arguments.length > receiver.index);
  if (calls.length === 0) return undefined;
  const unrotated: UnrotatedCaller[] = [];
  let undecided = false;
  for (const { call, file } of calls) {
    const argument = call.arguments[receiver.index];
    const callerContext = file.sourceFile === context.file.sourceFile ? context : judgeContextOf(file);
    const verdict = judge({ node: call, session: { carrier: argument } }, callerContext);
    if (verdict.kind === 'safe') continue;
    // Undecidable callers (a loop, a value not received as a parameter) are not listed, but keep the
    // definition reported.
    if (verdict.kind === 'skip') {
      undecided = true;
      continue;
    }
    unrotated.push({
      call,
      file,
      where: describeRoute(routeOf(verdict.owner, callerContext.routes, file), verdict.owner),
    });
  }
  return { unrotated, allRotated: unrotated.length === 0 && !undecided };
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
function judge(write: { node: ts.Node; session: { carrier: ts.Expression } }, context: JudgeContext): Verdict {
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
    // A local function declaration (`function renderRedirect(url, user) { request.session.uid = … }`)
    // runs where it is called, not where it is declared: judge each call in the code around it.
    if (ts.isFunctionDeclaration(fn)) return judgeLocalCalls(fn, write, context, someRotated, owner);
    point = fn;
  }
  return { kind: 'skip' };
}

/** The verdicts of a local function's calls (outside itself), joined: unsafe if any call is. */
function judgeLocalCalls(
  fn: ts.FunctionDeclaration,
  write: { node: ts.Node; session: { carrier: ts.Expression } },
  context: JudgeContext,
  someRotated: boolean,
  owner: ts.FunctionLikeDeclaration,
): Verdict {
  const calls = callsOf(fn, context.file)
    .filter(({ call, file }) => file === context.file && !within(call, fn) && within(call, owner))
    .map(({ call }) => call);
  // Passed by name as a callback (`userModel.save(dbUser, afterSave)`): it runs once that call calls
  // back, so that call is where it is judged; inside a rotation's own callback slot it is safe.
  const hosts = callbackHosts(fn, owner);
  for (const host of hosts) {
    const rotation = context.rotations.find((r) => r.call === host);
    if (rotation?.callback && unwrap(rotation.callback).getText() === fn.name?.text) continue;
    calls.push(host);
  }
  if (calls.length === 0) return hosts.length > 0 ? { kind: 'safe' } : { kind: 'skip' };
  let undecided = false;
  for (const call of calls) {
    const verdict = judge({ node: call, session: write.session }, context);
    if (verdict.kind === 'unsafe') return { kind: 'unsafe', someRotated: someRotated || verdict.someRotated, owner };
    if (verdict.kind === 'skip') undecided = true;
  }
  return undecided ? { kind: 'skip' } : { kind: 'safe' };
}

/** The calls inside `owner` (outside `fn`) that receive the declared function `fn` by name as an argument. */
function callbackHosts(fn: ts.FunctionDeclaration, owner: ts.FunctionLikeDeclaration): ts.CallExpression[] {
  const name = fn.name?.text;
  if (!name || !owner.body) return [];
  const hosts: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (node === fn) return;
    if (
      ts.isIdentifier(node) &&
      node.text === name &&
      ts.isCallExpression(node.parent) &&
      node.parent.arguments.includes(node) &&
      findDeclaration(node) === fn
    )
      hosts.push(node.parent);
    ts.forEachChild(node, visit);
  };
  visit(owner.body);
  return hosts;
}

/** The request a library login logs in: `req` of `req.logIn(user)`, `request` of `super.logIn(request)`. */
function loginCarrier(login: LoginCall): ts.Expression | undefined {
  const callee = unwrap(login.call.expression);
  if (login.kind === 'login' && ts.isPropertyAccessExpression(callee)) return unwrap(callee.expression);
  if (login.kind === 'guard') return login.call.arguments[0];
  return undefined;
}

/**
 * A library login that keeps the id, rotated by hand (CVE-2022-25896's manual fix): inside a
 * rotation's callback or after a completed rotation (regenerate, then log in), or followed by a
 * rotation in the code that continues after it (log in, keep `req.session.passport`, regenerate and
 * restore it). Either way the logged-in session ends up on a new id.
 */
function rotatedAroundLogin(login: LoginCall, context: JudgeContext): boolean {
  if (login.verdict.rotates === true) return false;
  const carrier = loginCarrier(login);
  if (!carrier) return false;
  if (judge({ node: login.call, session: { carrier } }, context).kind === 'safe') return true;
  // Where the code continues once logged in: the login's callback, or after the awaited login.
  const inCallback = login.completion === 'callback' && login.callback;
  const continuation = inCallback ? functionOf(login.callback!, context.file)?.fn : enclosingFunction(login.call);
  if (!continuation) return false;
  return context.rotations.some(
    (rotation) =>
      enclosingFunction(rotation.call) === continuation && (inCallback || rotation.call.pos >= login.call.end),
  );
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
  callers: UnrotatedCaller[],
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
  if (write.write.boundAt) related.push({ target: write.write.boundAt.node, message: write.write.boundAt.message });
  if (write.origin && write.origin.file.sourceFile === file.sourceFile && !credential)
    related.push({ target: write.origin.node, message: `the written value comes from here (${write.origin.label})` });
  for (const caller of callers)
    related.push({
      target: caller.call,
      message: `called from ${caller.where} at ${caller.file.path}:${caller.file.lineOf(caller.call)}, which does not rotate the session first`,
    });
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
    const rights = grantedRights(write, file);
    data.event =
      rights.length > 0 ? `this change of rights (${rights.map((key) => `'${key}'`).join(', ')})` : 'the login';
    data.evidence = credential
      ? ` after verifying credentials (${credential.label})`
      : write.origin
        ? `, a login result (${write.origin.label}),`
        : '';
  }
  // A write through a variable or parameter holding the session (`const s = req.session`, NestJS's
  // `@Session() session`) gets no edit either: express-session's regenerate puts a new object on the
  // request, and the variable keeps naming the discarded one, so the login would be lost.
  const heldInVariable = ts.isIdentifier(unwrap(write.session.expression));
  const fix = write.helper || heldInVariable ? undefined : rotationFix(file, write, owner, context.routes);
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
  // A session obtained from a getter (`const session = await getSession(req, res)`) is held in a
  // variable: a rotation inserted before the write replaces the request's session, and the write would
  // land on the old object, so the login would be lost. Before the getter the session may not exist
  // yet (Ghost attaches it lazily). No edit is offered; the report still says to rotate.
  if (write.session.through) return undefined;
  const fn = enclosingFunction(write.node);
  if (!fn?.body || !ts.isBlock(fn.body)) return undefined;
  const model = file.models.find((m) => m.id === write.write.model);
  const template = model?.rotationFix?.(write.write, file, {
    inAsyncFunction: isAsyncFunction(fn),
    typescript: !file.isJavaScript,
  });
  if (!template) return undefined;
  if (template.kind === 'statement') {
    const statement = innermostStatement(write.node, fn);
    if (!statement) return undefined;
    const start = statement.getStart(file.sourceFile);
    const indent = lineIndent(file, start);
    const carried = carriedValues(fn, start, template, write, file);
    const text = [carried?.save, template.text, carried?.restore].filter(Boolean).join(`\n${indent}`);
    return {
      suggestionId: carried?.save ? 'insertRotationKeeping' : 'insertRotation',
      data: { statement: template.text, keys: carried?.keys ?? '', review: carried?.review ?? '' },
      safety: carried?.review ? 'unsafe' : undefined,
      edits: [{ start, end: start, newText: `${text}\n${indent}` }],
    };
  }
  // Wrap from the first identity write to the end of the function body in the rotation callback. A write
  // in a branch that ends the function (`if (debugUser) { req.session.user = …; return next(); }`) is
  // wrapped to the end of that branch only, returned: the rest of the function is another path (every
  // other request, for a middleware), which must not rotate.
  const branch = exitingBranch(write.node, fn);
  const first = branch ? statementIn(write.node, branch) : statementIn(write.node, fn.body);
  if (!first) return undefined;
  const carried = carriedValues(fn, first.getStart(file.sourceFile), template, write, file);
  const statements = (branch ?? fn.body).statements;
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
  const save = carried?.save ? `${carried.save}\n${indent}` : '';
  const restore = carried?.restore ? `${indent}${unit}${carried.restore}\n` : '';
  const returned = branch ? 'return ' : '';
  const newText = `${save}${returned}${template.callee}((err) => {\n${indent}${unit}if (err) return next(err);\n${restore}${indent}${unit}${moved}\n${indent}});`;
  edits.push({ start, end: last.getEnd(), newText });
  return {
    suggestionId: carried?.save ? 'wrapInRegenerateKeeping' : 'wrapInRegenerate',
    data: { callee: template.callee, keys: carried?.keys ?? '', review: carried?.review ?? '' },
    safety: carried?.review ? 'unsafe' : undefined,
    edits,
  };
}

/**
 * The innermost block around `node`, inside `fn` but not its body, that leaves the function on every
 * path (see `alwaysExits`), when there is one. Nested callbacks stop the search (`fn` is the
 * function holding the write).
 */
function exitingBranch(node: ts.Node, fn: ts.FunctionLikeDeclaration): ts.Block | undefined {
  let current: ts.Node | undefined = node.parent;
  while (current && current !== fn.body && current !== fn) {
    if (ts.isBlock(current) && alwaysExits(current)) return current;
    current = current.parent;
  }
  return undefined;
}

/** Names that are the session library's own, not values the application stored. */
const SESSION_OWN_MEMBERS = new Set(['cookie', 'id', 'sessionId', 'encryptedSessionId', 'isNew', 'maxAge', 'expires']);

/**
 * The values a rotation inserted at `insertAt` would drop that the handler still needs: values it stored
 * earlier in the handler and does not overwrite after (a login provider written a line before the
 * identity), and values from earlier requests it reads at or after that point (`pendingUser` read in the
 * identity write itself). They are saved before the rotation and put back after it. A call before that
 * point handing the request or session to code the fix cannot see may have stored values too: the fix
 * is then offered as unsafe, naming that call.
 */
function carriedValues(
  fn: ts.FunctionLikeDeclaration,
  insertAt: number,
  template: RotationFixTemplate,
  write: IdentityWrite,
  file: FileContext,
): { keys: string; save: string; restore: string; review?: string } | undefined {
  const values = template.values;
  if (!values || !fn.body) return undefined;
  const { session, access } = values;
  const carrier = file.textOf(write.session.carrier);
  const writtenBefore = new Set<string>();
  const firstAfter = new Map<string, 'read' | 'write'>();
  let unseenCall: ts.CallExpression | undefined;
  const note = (key: string, isWrite: boolean, at: number) => {
    if (at < insertAt) {
      if (isWrite) writtenBefore.add(key);
    } else if (!firstAfter.has(key)) firstAfter.set(key, isWrite ? 'write' : 'read');
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      const onSession =
        method !== undefined && file.textOf((callee as ts.PropertyAccessExpression).expression) === session;
      const key = node.arguments[0];
      if (onSession && (method === 'get' || method === 'set') && key && ts.isStringLiteralLike(key)) {
        note(key.text, method === 'set', node.getStart(file.sourceFile));
      } else if (
        !onSession &&
        !unseenCall &&
        node.getEnd() <= insertAt &&
        node.arguments.some((argument) => [carrier, session].includes(file.textOf(unwrap(argument)))) &&
        !visiblyLeavesSessionAlone(node, file)
      ) {
        unseenCall = node;
      }
    } else if (
      access === 'properties' &&
      (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) &&
      file.textOf(node.expression) === session
    ) {
      const key = accessedName(node);
      const called = ts.isCallExpression(node.parent) && node.parent.expression === node;
      if (key !== undefined && !called && !SESSION_OWN_MEMBERS.has(key)) {
        const parent = node.parent;
        const at = node.getStart(file.sourceFile);
        if (ts.isDeleteExpression(parent)) {
          // A value deleted before the rotation has nothing to carry over.
          if (at < insertAt) writtenBefore.delete(key);
          else note(key, true, at);
        } else {
          const assigned =
            ts.isBinaryExpression(parent) &&
            parent.left === node &&
            parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
          note(key, assigned, at);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  const keys = [
    ...[...writtenBefore].filter((key) => !firstAfter.has(key)),
    ...[...firstAfter].filter(([, first]) => first === 'read').map(([key]) => key),
  ]
    .filter((key) => key !== write.key && /^[A-Za-z_$][\w$]*$/.test(key))
    .sort();
  const review = unseenCall
    ? `Review first: ${file.textOf(unseenCall.expression)}() receives the request before this point and may have stored values in the session that the rotation drops; carry those over too`
    : undefined;
  if (keys.length === 0 && !review) return undefined;
  const name = freshName(fn, 'keptSession', file);
  const save =
    access === 'properties'
      ? `const ${name} = { ${keys.map((key) => `${key}: ${session}.${key}`).join(', ')} };`
      : `const ${name} = { ${keys.map((key) => `${key}: ${session}.get('${key}')`).join(', ')} };`;
  const restore = access === 'properties' ? `Object.assign(${session}, ${name});` : `${session}.set(${name});`;
  if (keys.length === 0) return { keys: '', save: '', restore: '', review: ` ${review}.` };
  return { keys: keys.map((key) => `'${key}'`).join(', '), save, restore, review: review ? ` ${review}.` : '' };
}

/**
 * A call of a function fixate can read whose text never mentions a session (`extractClientIp(req)`):
 * it stores nothing in the session. Anything else handed the request may.
 */
function visiblyLeavesSessionAlone(call: ts.CallExpression, file: FileContext): boolean {
  const target = functionOf(call.expression, file);
  return target !== undefined && !/session|yar\b/i.test(target.file.textOf(target.fn));
}

/** `base`, or `base2`, `base3`, … : a name the function's text does not use yet. */
function freshName(fn: ts.FunctionLikeDeclaration, base: string, file: FileContext): string {
  const text = file.textOf(fn);
  let name = base;
  for (let n = 2; new RegExp(`\\b${name}\\b`).test(text); n++) name = `${base}${n}`;
  return name;
}

/**
 * Without upgrading: regenerate first and log in on the new session (`req.logIn(…)` moved into the
 * rotation's callback, or an awaited rotation before it), with the session library's own rotation.
 */
function manualRotationFix(login: LoginCall, context: JudgeContext): FixDescriptor | undefined {
  const carrier = loginCarrier(login);
  const receiver = carrier && login.kind === 'login' ? receivingFunction(carrier) : undefined;
  const model = context.file.models.find((candidate) => candidate.rotationFix && candidate.sessionObject);
  if (!carrier || !receiver || !model) return undefined;
  const session: SessionObject = { model: model.id, expression: carrier, carrier };
  const write: SessionWrite = { model: model.id, node: login.call, session, paths: [], kind: 'assign' };
  const fix = rotationFix(context.file, { node: login.call, key: '', session, write }, receiver.fn, context.routes);
  if (!fix) return undefined;
  const rotation = String(fix.data?.statement ?? `${fix.data?.callee}((err) => { … })`);
  return { ...fix, suggestionId: 'rotateBeforeLogin', data: { rotation, library: login.verdict.library } };
}

function reportLogins(ctx: RuleContext, logins: LoginCall[], context: JudgeContext): void {
  for (const login of logins) {
    const { verdict } = login;
    if (verdict.rotates === true) continue;
    const manual = manualRotationFix(login, context);
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
    if (manual) fixes.push(manual);
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
