import { ts } from '#typescript';
import { callsOf } from '../call-sites.js';
import { calledFunction } from '../call-targets.js';
import { receivingFunction } from '../handlers.js';
import { findDeclaration } from '../scope.js';
import {
  accessedName,
  enclosingFunction,
  isFunctionLike,
  memberPath,
  objectEntries,
  propertyInitializer,
  propertyNameText,
  stringValue,
  unwrap,
} from '../syntax.js';
import { TaintEngine, type TaintPath } from '../taint.js';
import { objectView, possibleStrings, possibleValues, resolveValue, staticValue } from '../values.js';
import type { FileContext } from '../../models/model.js';
import {
  type CookieWrite,
  type CredentialIssue,
  HAND_ROLLED_MODEL,
  isTokenIssue,
  type SessionIdSink,
} from '../../models/session-id-concepts.js';
import { modelAnswersAt } from '../../models/session-id.js';
import type { SessionInvalidation, SessionObject, SessionWrite } from '../../models/session-lifecycle.js';
import { comparesExpiry, mentionsExpiry } from '../../models/dynamodb.js';
import { signingCall } from '../../models/weak-randomness.js';
import {
  EXPRESS_REQUEST,
  EXPRESS_RESPONSE,
  isCarrier,
  KOA_CONTEXT,
  labelOf,
  requestInputTaint,
  SESSION_COOKIE_NAME,
} from '../../models/session-id.js';

/*
 * Sessions by role (architecture.md, "Sessions by role"). A value is a session credential when the code
 * issues it to the client (a cookie of any name, a `Set-Cookie` header), binds identity to it on the
 * server (it keys a Map, an object, a table row or a store item, or it is a signed token), and resolves
 * it on later requests (a lookup keyed by a value read back from the request). This module is the one
 * place that decides it; the four session-id rules ask it. Per file, computed once, lazily: the index
 * is built on the first question about a file, and only files with a cookie write ever ask.
 */

/** One piece of evidence, named as a related location in findings. */
export interface RoleSite {
  node: ts.Node;
  file: FileContext;
  message: string;
}

/** Why a cookie write is (or is not) a session credential. */
export interface CredentialEvidence {
  /** `role`: a bind (and resolve) was seen; `name`: only the cookie's name says so. */
  by: 'role' | 'name';
  issue: RoleSite;
  bind?: RoleSite;
  resolve?: RoleSite;
  /** The store the bind wrote to (its resolved node), for hand-rolled store sinks. */
  store?: ts.Node;
  /**
   * Where a name not written at the issue comes from: the caller that passes a session name to a
   * cookie helper, or the assignment of the request property that holds it.
   */
  namedAt?: RoleSite;
}

/** A server-side write keyed by a value: `m.set(k, v)`, `obj[k] = v`, `db.session.create({ data: { token: k } })`. */
interface Bind {
  node: ts.Node;
  store: ts.Node;
  /** The store as written (`sessions`, `prisma.session`), for fixes that name it. */
  receiver: ts.Expression;
  /** A keyed collection (`Map#set`, `obj[k] = v`), whose entries are deleted by key; else a table row. */
  collection: boolean;
  key: ts.Expression;
  value?: ts.Expression;
  identity: boolean;
  label: string;
}

/** A lookup keyed by a value: `m.get(k)`, `m.has(k)`, `obj[k]`, `db.session.findUnique({ where: { token: k } })`. */
interface Read {
  node: ts.Node;
  store: ts.Node;
  key: ts.Expression;
  label: string;
}

interface RoleIndex {
  binds: Bind[];
  reads: Read[];
  /** Declarations of variables used as bind keys. */
  boundKeys: Map<ts.Node, Bind>;
  /** Cookie names read back from the request in this file (`req.cookies.token`, `cookies.get('sid')`). */
  cookieReads: Map<string, ts.Node>;
}

const BIND_METHODS = new Set(['set', 'put', 'add', 'setex', 'setEx', 'hset', 'hSet', 'save']);
const READ_METHODS = new Set(['get', 'has', 'exists', 'hget', 'hGet', 'hgetall', 'hGetAll']);
const ROW_CREATES = new Set(['create', 'insert', 'insertOne', 'upsert', 'createSession']);
const ROW_LOOKUPS = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findOne',
  'findOneBy',
  'findBy',
  'delete',
  'deleteMany',
]);
/** Receivers that look like a store but are the language's or a framework's own: headers, URLs, cookies. */
const NOT_STORES = /^(searchParams|headers|header|cookies|params|query|body|locals|app|res|response|reply)$/;
/** Row columns that hold the token a row is found by. */
const TOKEN_COLUMN = /^(token|sid|key|code|secret|hash|session_?(id|token|key)|(auth|access|login|api)_?(token|key))$/i;
/** Values named like an identity (`user`, `account`, a decoded JWT payload). */
const IDENTITY_VALUE = /user|account|member|principal|identity|decoded|claims|payload|profile/i;
/** Values named like a credential (`grant.__raw`, `accessToken`, `jwt`). */
const CREDENTIAL_VALUE = /token|grant|jwt|bearer|credential/i;
/** Where the request holds the cookies it came with: cookie-parser's `signedCookies` are those it verified. */
const COOKIE_JARS = new Set(['cookies', 'signedCookies']);
/** Cookies that carry anti-forgery or flow state, never a session. */
const NOT_SESSION_NAME = /csrf|xsrf|nonce|state|pkce|verifier|locale|lang|theme|consent/i;

const indexes = new WeakMap<FileContext, RoleIndex>();

function roleIndex(file: FileContext): RoleIndex {
  const cached = indexes.get(file);
  if (cached) return cached;
  const index: RoleIndex = { binds: [], reads: [], boundKeys: new Map(), cookieReads: new Map() };
  const stack: ts.Node[] = [file.sourceFile];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node, file, index);
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  for (const bind of index.binds) {
    const key = unwrap(bind.key);
    const declaration = ts.isIdentifier(key) ? findDeclaration(key) : undefined;
    if (declaration && !index.boundKeys.has(declaration)) index.boundKeys.set(declaration, bind);
  }
  indexes.set(file, index);
  return index;
}

function visit(node: ts.Node, file: FileContext, index: RoleIndex): void {
  if (ts.isCallExpression(node)) {
    const callee = unwrap(node.expression);
    if (!ts.isPropertyAccessExpression(callee) || node.arguments.length === 0) return;
    const method = callee.name.text;
    const receiver = unwrap(callee.expression);
    // `req.cookies.get('sid')`, `ctx.cookies.get('sid')`
    if (method === 'get' && accessedName(receiver) === 'cookies') {
      index.cookieReads.set(cookieKey(node.arguments[0], file), node);
      return;
    }
    // The method name first: it turns away nearly every call before the receiver is resolved.
    const storeMethod =
      BIND_METHODS.has(method) || READ_METHODS.has(method) || ROW_CREATES.has(method) || ROW_LOOKUPS.has(method);
    if (!storeMethod || !isStoreReceiver(receiver, file)) return;
    const label = `${labelOf(callee, file)}()`;
    if (BIND_METHODS.has(method) && !isLiteral(node.arguments[0])) {
      const value = node.arguments[1];
      index.binds.push({
        node,
        store: storeOf(receiver, file),
        receiver,
        collection: method === 'set',
        key: node.arguments[0],
        value,
        identity: value !== undefined && carriesIdentity(value, file),
        label,
      });
    } else if (READ_METHODS.has(method) && !isLiteral(node.arguments[0])) {
      index.reads.push({ node, store: storeOf(receiver, file), key: node.arguments[0], label });
    } else if (ROW_CREATES.has(method) || ROW_LOOKUPS.has(method)) {
      const row = rowToken(node.arguments[0], ROW_CREATES.has(method) ? 'data' : 'where', file);
      if (!row) return;
      if (ROW_CREATES.has(method)) {
        index.binds.push({
          node,
          store: storeOf(receiver, file),
          receiver,
          collection: false,
          key: row.token,
          identity: row.identity,
          label,
        });
      } else index.reads.push({ node, store: storeOf(receiver, file), key: row.token, label });
    }
    return;
  }
  if (ts.isElementAccessExpression(node) || ts.isPropertyAccessExpression(node)) {
    const receiver = unwrap(node.expression);
    // `req.cookies.token`, `request.cookies[TOKEN_KEY]`, `req.signedCookies[name]` (cookie-parser)
    if (COOKIE_JARS.has(accessedName(receiver) ?? '') && !ts.isCallExpression(node.parent)) {
      const key = ts.isPropertyAccessExpression(node) ? node.name.text : cookieKey(node.argumentExpression, file);
      index.cookieReads.set(key, node);
      return;
    }
    if (!ts.isElementAccessExpression(node) || isLiteral(node.argumentExpression)) return;
    if (!isStoreReceiver(receiver, file)) return;
    const parent = node.parent;
    const label = labelOf(receiver, file);
    if (
      ts.isBinaryExpression(parent) &&
      parent.left === node &&
      parent.operatorToken.kind === ts.SyntaxKind.EqualsToken
    ) {
      index.binds.push({
        node: parent,
        store: storeOf(receiver, file),
        receiver,
        collection: true,
        key: node.argumentExpression,
        value: parent.right,
        identity: carriesIdentity(parent.right, file),
        label: `${label}[…] =`,
      });
    } else if (!ts.isDeleteExpression(parent)) {
      index.reads.push({ node, store: storeOf(receiver, file), key: node.argumentExpression, label: `${label}[…]` });
    }
  }
}

/** A cookie's name, or the text of the expression naming it when its value cannot be read (`Store.TOKEN_KEY`). */
function cookieKey(expression: ts.Expression, file: FileContext): string {
  return (
    stringValue(resolveValue(expression, file).node as ts.Expression) ?? `expression:${unwrap(expression).getText()}`
  );
}

function isLiteral(expression: ts.Expression): boolean {
  const inner = unwrap(expression);
  return ts.isStringLiteralLike(inner) || ts.isNumericLiteral(inner) || ts.isObjectLiteralExpression(inner);
}

function isStoreReceiver(receiver: ts.Expression, file: FileContext): boolean {
  const path = memberPath(receiver);
  if (!path || path.length === 0) return false;
  if (NOT_STORES.test(path.at(-1)!) || (path[0] === 'this' && path.length === 1)) return false;
  if (path.length === 1 && ['Object', 'Reflect', 'JSON', 'Math', 'process', 'console'].includes(path[0])) return false;
  return !isCarrier(receiver, EXPRESS_RESPONSE) && !isCarrier(receiver, KOA_CONTEXT) && !isRegExp(receiver, file);
}

function isRegExp(receiver: ts.Expression, file: FileContext): boolean {
  const resolved = resolveValue(receiver, file).node;
  return ts.isRegularExpressionLiteral(resolved);
}

/** The store's identity: the node it resolves to (`new Map()` in another file), else the receiver's text. */
function storeOf(receiver: ts.Expression, file: FileContext): ts.Node {
  const resolved = resolveValue(receiver, file);
  return resolved.node;
}

/** The token column of a `create({ data: { token, userId } })` or `findUnique({ where: { token } })`. */
function rowToken(
  argument: ts.Expression,
  wrapper: 'data' | 'where',
  file: FileContext,
): { token: ts.Expression; identity: boolean } | undefined {
  const outer = unwrap(resolveValue(argument, file).node as ts.Expression);
  if (!ts.isObjectLiteralExpression(outer)) return undefined;
  const wrapped = propertyInitializer(outer, wrapper);
  const inner = wrapped && unwrap(wrapped);
  const literal = inner && ts.isObjectLiteralExpression(inner) ? inner : outer;
  let token: ts.Expression | undefined;
  let identity = false;
  for (const { name, value } of objectEntries(literal)) {
    if (TOKEN_COLUMN.test(name) && !isLiteral(value)) token ??= value;
    if (file.identityKeys.has(name) || /^(user|account|owner|member)_?id$|^sub$/i.test(name)) identity = true;
  }
  return token ? { token, identity } : undefined;
}

/** `{ user, since }`, `{ userId: u.id }`, `decoded`, `userWithStatus`: the bound value names who it belongs to. */
function carriesIdentity(value: ts.Expression, file: FileContext): boolean {
  const inner = unwrap(value);
  if (ts.isObjectLiteralExpression(inner)) {
    return inner.properties.some((element) => {
      const name = propertyNameText(element.name);
      return name !== undefined && (file.identityKeys.has(name) || /^(sub|userId|accountId|account)$/.test(name));
    });
  }
  const path = memberPath(inner);
  return path !== undefined && path.some((segment) => IDENTITY_VALUE.test(segment));
}

/** Bound keys and signed tokens as taint sources: what an issued value is made of. */
const bindSources = new WeakMap<ts.Node, Bind>();
const credentialTaint = new TaintEngine({
  isSource(node, file) {
    if (ts.isIdentifier(node)) {
      const declaration = findDeclaration(node);
      const bind = declaration && roleIndex(file).boundKeys.get(declaration);
      if (bind) {
        bindSources.set(node, bind);
        return { label: node.text, kind: 'bound' };
      }
      return undefined;
    }
    const signed = signingCall(node);
    return signed ? { label: signed, kind: 'signed' } : undefined;
  },
});

/**
 * A value the server keeps as a session: a key bound in a store named for sessions (`sessions.set(token,
 * …)`, `db.session.create({ data: { token, userId } })`), or a parameter of an SQL `INSERT INTO sessions`
 * (any table whose name says session). The name matters here: a one-time login link's token is bound
 * too, but in a table of login tokens, and it is meant to travel in a URL.
 */
const sessionTokenTaint = new TaintEngine({
  isSource(node, file) {
    if (!ts.isIdentifier(node)) return undefined;
    const declaration = findDeclaration(node);
    if (!declaration) return undefined;
    const bind = roleIndex(file).boundKeys.get(declaration);
    if (bind && SESSION_STORE_NAME.test(file.textOf(bind.receiver)))
      return { label: `${node.text} (kept as a session by ${bind.label})`, kind: 'session-token' };
    const insert = sqlSessionInsert(declaration, file);
    return insert ? { label: `${node.text} (kept as a session by ${insert})`, kind: 'session-token' } : undefined;
  },
});

const SESSION_STORE_NAME = /session/i;
const SQL_SESSION_INSERT = /^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+[`"[]?(\w*session\w*)/i;

const sqlInserts = new WeakMap<ts.Node, string | null>();

/** `db.run('INSERT INTO sessions (token, user_id) VALUES (?, ?)', [token, id])`: the statement, if `declaration`'s value is a parameter of one. */
function sqlSessionInsert(declaration: ts.Node, file: FileContext): string | undefined {
  if (!ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return undefined;
  const cached = sqlInserts.get(declaration);
  if (cached !== undefined) return cached ?? undefined;
  const found = findSqlSessionInsert(declaration as ts.VariableDeclaration & { name: ts.Identifier }, file);
  sqlInserts.set(declaration, found ?? null);
  return found;
}

function findSqlSessionInsert(
  declaration: ts.VariableDeclaration & { name: ts.Identifier },
  file: FileContext,
): string | undefined {
  if (!/INSERT/i.test(file.text)) return undefined;
  const fn = enclosingFunction(declaration);
  const name = declaration.name.text;
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && node.arguments.length >= 2) {
      const sql = stringValue(node.arguments[0]);
      const table = sql === undefined ? undefined : SQL_SESSION_INSERT.exec(sql)?.[1];
      const passes = node.arguments
        .slice(1)
        .some((argument) =>
          ts.isArrayLiteralExpression(argument)
            ? argument.elements.some((element) => ts.isIdentifier(element) && element.text === name)
            : ts.isIdentifier(argument) && argument.text === name,
        );
      if (table && passes) {
        found = `INSERT INTO ${table}`;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn ?? file.sourceFile);
  return found;
}

/**
 * Text that any session-named bind or SQL insert needs (`sessions.set(`, `session[`, `db.session.create(`,
 * `INSERT INTO sessions`): asked of the file before the taint walk, which builds the file's role index.
 */
const SESSION_STORE_TEXT =
  /session\w*\s*(?:\.\s*(?:set|create|insert|upsert|put|add)\s*\(|\[)|INSERT\s+(?:OR\s+\w+\s+)?INTO\s+\W?\w*session/i;
const mayKeepSessionTokens = new WeakMap<FileContext, boolean>();

/**
 * How a value reaches a session the server keeps (see `sessionTokenTaint`), for the session-id rules.
 * Only files whose text can bind one are walked: URL sinks are common, hand-rolled session stores rare.
 * A token bound in another module and returned from it is not followed.
 */
export function sessionTokenSourcesOf(expression: ts.Expression, file: FileContext): TaintPath | undefined {
  let possible = mayKeepSessionTokens.get(file);
  if (possible === undefined) {
    possible = SESSION_STORE_TEXT.test(file.text);
    mayKeepSessionTokens.set(file, possible);
  }
  return possible ? sessionTokenTaint.sourcesOf(expression, file).paths[0] : undefined;
}

const evidenceOf = new WeakMap<ts.Node, CredentialEvidence | null>();

/**
 * Whether the value a cookie write sends is a session credential, and the evidence: its role (issued
 * here, bound to identity there, resolved on later requests) or, failing that, its name (configured
 * session cookie names, `sess`/`sid`). A name alone does not make display data (`JSON.stringify(list)`)
 * a credential. A token sent in a header or the body counts by role only (bound to identity, or
 * looked up again): APIs return tokens of every kind, and the name `token` says nothing.
 */
export function credentialEvidence(
  write: CredentialIssue,
  file: FileContext,
  sessionCookieNames: ReadonlySet<string> = new Set(),
): CredentialEvidence | undefined {
  // Keyed by the value: one body (`res.json({ token, sid })`) can issue several.
  const cached = evidenceOf.get(write.value.node);
  if (cached !== undefined) return cached ?? undefined;
  const found = computeEvidence(write, file, sessionCookieNames);
  evidenceOf.set(write.value.node, found ?? null);
  return found;
}

function computeEvidence(
  write: CredentialIssue,
  file: FileContext,
  sessionCookieNames: ReadonlySet<string>,
): CredentialEvidence | undefined {
  const value = write.value;
  if (isDisplayData(value.node as ts.Expression, value.file)) return undefined;
  const token = isTokenIssue(write);
  const namedAt =
    !token && write.name === undefined ? sessionNameElsewhere(write, file, sessionCookieNames) : undefined;
  const named =
    namedAt !== undefined ||
    (!token &&
      write.name !== undefined &&
      (sessionCookieNames.has(write.name) || SESSION_COOKIE_NAME.test(write.name)));
  if (write.name !== undefined && !named && NOT_SESSION_NAME.test(write.name)) return undefined;
  if (write.name === undefined && !named && namedForAnotherPurpose(write, file)) return undefined;
  const issue: RoleSite = { node: write.node, file, message: `issued to the client by ${write.label}` };
  const found = roleEvidence(write, file, issue, named, token);
  return found && namedAt ? { ...found, namedAt } : found;
}

function roleEvidence(
  write: CredentialIssue,
  file: FileContext,
  issue: RoleSite,
  named: boolean,
  token: boolean,
): CredentialEvidence | undefined {
  const value = write.value;
  const paths = credentialTaint.sourcesOf(value.node as ts.Expression, value.file).paths;
  const bound = paths.find((path) => path.source.kind === 'bound');
  const signed = paths.find((path) => path.source.kind === 'signed');
  const bind = bound && bindSources.get(bound.steps[0].node);
  if (bind) {
    const bindFile = bound!.steps[0].file;
    const resolve = resolveOf(bind, bindFile, file);
    if (bind.identity || resolve || named) {
      return {
        by: 'role',
        issue,
        bind: { node: bind.node, file: bindFile, message: `bound to server-side state by ${bind.label}` },
        resolve,
        store: bind.store,
      };
    }
  }
  // A signed token in a header or body is a stateless bearer token, not a session id to guess or choose.
  if (token) return undefined;
  if (signed) {
    const step = signed.steps[0];
    return {
      by: 'role',
      issue,
      bind: { node: step.node, file: step.file, message: `signed by the server (\`${signed.source.label}\`)` },
      resolve: cookieReadBack(write, file),
    };
  }
  const readBack = cookieReadBack(write, file);
  if (readBack && credentialLike(value.node as ts.Expression)) {
    return { by: 'role', issue, resolve: readBack };
  }
  // A user's id the server signs and reads back (nodeclub's `user._id + '$$$$'` with `signed: true`,
  // resolved to the user on every request) is the login cookie, whatever its name. Unsigned, a user id
  // read back is as often a hint the real session checks (AFFiNE's user switcher cookie).
  const signedOption = readBack && cookieParserSigned(write);
  if (signedOption && carriesUserId(value.node as ts.Expression, value.file)) {
    return {
      by: 'role',
      issue,
      bind: { node: signedOption.node, file: signedOption.file, message: 'signed by the server (`signed: true`)' },
      resolve: readBack,
    };
  }
  return named ? { by: 'name', issue } : undefined;
}

function resolveOf(bind: Bind, bindFile: FileContext, issueFile: FileContext): RoleSite | undefined {
  const fn = enclosingFunction(bind.node);
  for (const file of bindFile === issueFile ? [bindFile] : [bindFile, issueFile]) {
    const read = roleIndex(file).reads.find(
      (candidate) => candidate.store === bind.store && (file !== bindFile || enclosingFunction(candidate.node) !== fn),
    );
    if (read) return { node: read.node, file, message: `looked up on later requests by ${read.label}` };
  }
  return undefined;
}

function cookieReadBack(write: CookieWrite, file: FileContext): RoleSite | undefined {
  const nameArgument = ts.isCallExpression(write.node) ? write.node.arguments[0] : undefined;
  const key = write.name ?? (nameArgument && !write.rawHeader ? cookieKey(nameArgument, file) : undefined);
  const node = key !== undefined ? roleIndex(file).cookieReads.get(key) : undefined;
  return node ? { node, file, message: `read back from the request` } : undefined;
}

/**
 * A cookie whose name is not written where it is set, but is a session name where it comes from:
 * - a parameter of the function that sets it (a cookie helper, joplin's `cookieSet(ctx, name, value)`):
 *   a visible call passing a session name with a value that is not a deletion (`cookieSet(ctx,
 *   'sessionId', session.id)`); the helper's options are then judged, with that call as evidence;
 * - a property of the request (code-server's `res.cookie(req.cookieSessionName, …)`): the property
 *   assigned on a request, in this file or one beside it, a value whose every visible name is a
 *   session name (`getCookieSessionName()` returning `'code-server-session'` or `` `code-server-session-${s}` ``).
 * The property's own name says nothing (it is not guessed from); names that are only ever unknown
 * say nothing either.
 */
function sessionNameElsewhere(
  write: CookieWrite,
  file: FileContext,
  sessionCookieNames: ReadonlySet<string>,
): RoleSite | undefined {
  if (write.rawHeader || !ts.isCallExpression(write.node)) return undefined;
  const call = write.node;
  const valueIndex = call.arguments.indexOf(write.value.node as ts.Expression);
  // The name is the argument before the value (`res.cookie(name, v)`, `setCookie(c, name, v)`).
  const nameArgument = valueIndex > 0 ? unwrap(call.arguments[valueIndex - 1]) : undefined;
  if (!nameArgument) return undefined;
  const isSessionName = (name: string) =>
    (sessionCookieNames.has(name) || SESSION_COOKIE_NAME.test(name)) && !NOT_SESSION_NAME.test(name);
  if (ts.isIdentifier(nameArgument)) return helperCallerNaming(write, nameArgument, file, isSessionName);
  if (ts.isPropertyAccessExpression(nameArgument) && isRequestObject(nameArgument.expression))
    return requestPropertyNaming(nameArgument.name.text, file, isSessionName);
  return undefined;
}

/** `cookieSet(ctx, 'sessionId', session.id)` for a helper whose `name` parameter names the cookie. */
function helperCallerNaming(
  write: CookieWrite,
  name: ts.Identifier,
  file: FileContext,
  isSessionName: (name: string) => boolean,
): RoleSite | undefined {
  const parameter = findDeclaration(name);
  if (!parameter || !ts.isParameter(parameter) || !isFunctionLike(parameter.parent)) return undefined;
  const helper = parameter.parent;
  // Only the function that sets the cookie: a parameter captured by a callback inside it is its own flow.
  if (enclosingFunction(write.node) !== helper) return undefined;
  const nameIndex = helper.parameters.indexOf(parameter);
  const value = unwrap(write.value.node as ts.Expression);
  const valueDeclaration = ts.isIdentifier(value) ? findDeclaration(value) : undefined;
  const valueIndex =
    valueDeclaration && ts.isParameter(valueDeclaration) && valueDeclaration.parent === helper
      ? helper.parameters.indexOf(valueDeclaration)
      : -1;
  for (const { call, file: callerFile } of callsOf(helper, file)) {
    const argument = call.arguments[nameIndex];
    const cookieName = argument && stringValue(resolveValue(argument, callerFile).node as ts.Expression);
    if (cookieName === undefined || !isSessionName(cookieName)) continue;
    // `cookieSet(ctx, 'sessionId', '')` deletes the cookie; the login call beside it is what counts.
    const passed = valueIndex >= 0 ? call.arguments[valueIndex] : undefined;
    if (passed && isDeletionValue(passed, callerFile)) continue;
    return {
      node: call,
      file: callerFile,
      message: `called with the session cookie name \`${cookieName}\` at ${callerFile.path}:${callerFile.lineOf(call)}`,
    };
  }
  return undefined;
}

function isDeletionValue(value: ts.Expression, file: FileContext): boolean {
  const known = staticValue(value, file);
  return known !== undefined && (known.kind !== 'string' || known.value === '');
}

/** `req.x`, `request.x`, `ctx.x`, `ctx.state.x`: a value the app keeps on the request it serves. */
function isRequestObject(expression: ts.Expression): boolean {
  const inner = unwrap(expression);
  if (isCarrier(inner, EXPRESS_REQUEST) || isCarrier(inner, KOA_CONTEXT)) return true;
  return (
    ts.isPropertyAccessExpression(inner) && inner.name.text === 'state' && isCarrier(inner.expression, KOA_CONTEXT)
  );
}

/**
 * `req.cookieSessionName = getCookieSessionName(suffix)` in a middleware of this file or of a file
 * beside it: the names it can hold, when they are all session names.
 */
function requestPropertyNaming(
  property: string,
  file: FileContext,
  isSessionName: (name: string) => boolean,
): RoleSite | undefined {
  const assigned = new RegExp(`\\.${property.replace(/\$/g, '\\$')}\\s*=[^=]`);
  for (const candidate of filesBeside(file)) {
    if (!assigned.test(candidate.text)) continue;
    for (const assignment of propertyAssignments(candidate, property)) {
      const names = possibleValues(assignment.right, candidate).map(({ node }) => literalPrefix(node));
      const known = names.filter((name): name is string => name !== undefined);
      if (known.length === 0 || !known.every(isSessionName)) continue;
      return {
        node: assignment,
        file: candidate,
        message: `the request's \`${property}\` holds the session cookie name \`${known[0]}\` (${candidate.path}:${candidate.lineOf(assignment)})`,
      };
    }
  }
  return undefined;
}

/** A string's text, or the literal text a template starts with (`code-server-session-` of `` `code-server-session-${s}` ``). */
function literalPrefix(node: ts.Node): string | undefined {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text === '' ? undefined : `${node.head.text}…`;
  return undefined;
}

/** `<request>.<property> = value` assignments of a file. */
function propertyAssignments(file: FileContext, property: string): ts.BinaryExpression[] {
  const found: ts.BinaryExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(unwrap(node.left)) &&
      (unwrap(node.left) as ts.PropertyAccessExpression).name.text === property &&
      isRequestObject((unwrap(node.left) as ts.PropertyAccessExpression).expression)
    ) {
      found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sourceFile);
  return found;
}

/**
 * This file, the files that import it (the app that mounts its routes and middleware), and the local
 * modules those import (the middleware registered beside it).
 */
function filesBeside(file: FileContext): FileContext[] {
  const seen = new Set<FileContext>([file]);
  for (const importer of file.importers) {
    seen.add(importer);
    for (const statement of importer.sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      if (!statement.moduleSpecifier.text.startsWith('.')) continue;
      const target = importer.resolveImport(statement.moduleSpecifier.text);
      if (target) seen.add(target);
    }
  }
  return [...seen];
}

/** `res.cookie(name, value, { signed: true })`: cookie-parser signs it with the app's secret. */
function cookieParserSigned(write: CookieWrite): { node: ts.Node; file: FileContext } | undefined {
  if (!write.options) return undefined;
  const signed = objectView(write.options.node as ts.Expression, write.options.file)?.properties.get('signed');
  const value = signed && staticValue(signed.value, signed.file);
  return signed && value?.kind === 'boolean' && value.value ? { node: signed.property, file: signed.file } : undefined;
}

/** `user._id + '$$$$'`, `` `${account.id}` ``, `userId`: a value made of a user's id (after following consts). */
function carriesUserId(value: ts.Expression, file: FileContext): boolean {
  const resolved = resolveValue(value, file).node;
  if (!ts.isExpression(resolved as ts.Expression)) return false;
  const isUserId = (node: ts.Node): boolean => {
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
      const path = memberPath(node);
      const last = path?.at(-1);
      if (path && last && /^_?id$|Id$/.test(last) && path.some((segment) => IDENTITY_VALUE.test(segment))) return true;
    }
    // Concatenations and templates only: a call's result (`hash(user.id)`) is something else.
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
      return isUserId(unwrap(node.left)) || isUserId(unwrap(node.right));
    if (ts.isTemplateExpression(node)) return node.templateSpans.some((span) => isUserId(unwrap(span.expression)));
    return false;
  };
  return isUserId(unwrap(resolved as ts.Expression));
}

function credentialLike(value: ts.Expression): boolean {
  const path = memberPath(unwrap(value));
  return path !== undefined && path.some((segment) => CREDENTIAL_VALUE.test(segment));
}

/** `JSON.stringify(teams)`, an object or array literal, a number or boolean: data for the page, not a token. */
/**
 * A cookie whose name is computed, but only ever one of a few literals all named for another purpose
 * (`ctx.request.secure ? '__Host-csrfToken' : 'csrfToken'`, through a local function): a CSRF
 * double-submit token or OAuth state, not the session, whatever signs its value.
 */
function namedForAnotherPurpose(write: CredentialIssue, file: FileContext): boolean {
  if (isTokenIssue(write) || write.rawHeader || !ts.isCallExpression(write.node)) return false;
  const nameArgument = write.node.arguments[0];
  if (!nameArgument) return false;
  const names = possibleStrings(nameArgument, file);
  return names.length > 0 && names.every((name) => name !== undefined && NOT_SESSION_NAME.test(name));
}

/** Encodings that keep what they wrap: `encodeURIComponent(JSON.stringify({ … }))` is still display data. */
const TRANSPARENT_ENCODINGS = new Set(['encodeURIComponent', 'encodeURI', 'escape', 'btoa']);

function isDisplayData(expression: ts.Expression, file: FileContext): boolean {
  const resolved = resolveValue(expression, file).node;
  const inner = ts.isExpression(resolved as ts.Expression) ? unwrap(resolved as ts.Expression) : resolved;
  if (ts.isObjectLiteralExpression(inner) || ts.isArrayLiteralExpression(inner)) return true;
  if (ts.isCallExpression(inner) && memberPath(inner.expression)?.join('.') === 'JSON.stringify') return true;
  if (
    ts.isCallExpression(inner) &&
    inner.arguments.length === 1 &&
    ts.isIdentifier(inner.expression) &&
    TRANSPARENT_ENCODINGS.has(inner.expression.text)
  ) {
    return isDisplayData(inner.arguments[0], file);
  }
  const value = staticValue(expression, file);
  return value?.kind === 'number' || value?.kind === 'boolean';
}

/** How a finding names what was issued: a session cookie, or a token in a header or body. */
export function issueLabel(write: CredentialIssue): string {
  if (isTokenIssue(write)) {
    return write.channel === 'header'
      ? `the session token in the \`${write.name}\` response header`
      : `the session token \`${write.name}\` in the response body (${write.label})`;
  }
  return write.name ? `the \`${write.name}\` session cookie (${write.label})` : `the session cookie (${write.label})`;
}

/**
 * The evidence as related locations of a finding (where the name comes from, bind and resolve; the
 * issue is usually the finding).
 */
export function evidenceRelated(evidence: CredentialEvidence | undefined): { target: ts.Node; message: string }[] {
  if (!evidence) return [];
  if (evidence.by !== 'role')
    return evidence.namedAt ? [{ target: evidence.namedAt.node, message: evidence.namedAt.message }] : [];
  return [evidence.namedAt, evidence.issue, evidence.bind, evidence.resolve]
    .filter((site): site is RoleSite => site !== undefined)
    .map((site) => ({ target: site.node, message: site.message }));
}

/**
 * Hand-rolled session stores of this file as session-id sinks: writes and lookups on a store that one
 * of `writes` binds a credential in (`sessions.set(id, …)` where `id` is also the session cookie).
 * A Map of random ids never issued to a client (a cache, job ids, nonces) is not among them.
 */
export function handRolledStoreSinks(
  writes: readonly CredentialIssue[],
  file: FileContext,
  sessionCookieNames: ReadonlySet<string>,
): SessionIdSink[] {
  const stores = new Set<ts.Node>();
  for (const write of writes) {
    const evidence = credentialEvidence(write, file, sessionCookieNames);
    if (evidence?.store) stores.add(evidence.store);
  }
  if (stores.size === 0) return [];
  const index = roleIndex(file);
  const sink = (kind: 'store-write' | 'store-read', access: Read): SessionIdSink => ({
    model: HAND_ROLLED_MODEL,
    kind,
    label: access.label,
    node: access.node,
    value: { node: access.key, file },
  });
  return [
    ...index.binds
      .filter((bind) => stores.has(bind.store) && !verifiedFirst(bind))
      .map((bind) => sink('store-write', bind)),
    ...index.reads.filter((read) => stores.has(read.store)).map((read) => sink('store-read', read)),
  ];
}

/**
 * `jwt.verify(token, key, (err, decoded) => store.put(token, decoded))`: a key whose server signature
 * is verified before the bind is not one the client can choose.
 */
function verifiedFirst(bind: Bind): boolean {
  const keyText = unwrap(bind.key).getText();
  const isVerify = (node: ts.Node) =>
    ts.isCallExpression(node) &&
    /^(verify|jwtVerify|unseal|unsealData|verifyToken)$/.test(accessedName(unwrap(node.expression)) ?? '') &&
    node.arguments[0] !== undefined &&
    unwrap(node.arguments[0]).getText() === keyText;
  for (let current: ts.Node | undefined = bind.node.parent; current; current = current.parent) {
    if (isVerify(current)) return true;
    if (ts.isBlock(current)) {
      const before = current.statements.filter((statement) => statement.end <= bind.node.pos);
      const found = (node: ts.Node): boolean => isVerify(node) || ts.forEachChild(node, found) === true;
      if (before.some(found)) return true;
    }
  }
  return false;
}

// ---- URL tokens exchanged for a session --------------------------------------------------------------

const urlInput = requestInputTaint();
const lookupOf = new WeakMap<ts.Node, Read>();
/** Lookups keyed by a URL value (`findFirst({ where: { key: url } })`, `links.get(code)`) as sources. */
const urlLookupTaint = new TaintEngine({
  isSource(node, file) {
    if (!ts.isCallExpression(node) && !ts.isElementAccessExpression(node)) return undefined;
    const read = roleIndex(file).reads.find((candidate) => candidate.node === node);
    if (!read) return undefined;
    const path = urlInput.sourcesOf(read.key, file, file).paths.find((candidate) => candidate.source.kind === 'url');
    if (!path) return undefined;
    lookupOf.set(node, read);
    return { label: read.label, kind: 'url-lookup' };
  },
  // `jwt.sign({ sub: row.userId }, key)`: the session carries what the row said.
  passThrough: (call) => (ts.isCallExpression(call) && signingCall(call) ? call.arguments.slice(0, 1) : undefined),
});

/** A URL token looked up and exchanged for a session in one handler. */
export interface UrlTokenExchange {
  lookup: RoleSite;
  /** The path from the lookup to the issued session value. */
  path: TaintPath;
  consumed: boolean;
  expires: boolean;
}

/**
 * Whether the session value a write issues is minted from a row found by a URL value (a magic link, an
 * access key, an invite): the URL then is a credential. `consumed` says the row is deleted or marked used
 * in the handler, `expires` that an expiry is compared (or part of the lookup); a one-time, expiring link
 * is the accepted pattern.
 */
export function urlTokenExchange(value: ts.Expression, file: FileContext): UrlTokenExchange | undefined {
  const path = urlLookupTaint.sourcesOf(value, file).paths[0];
  if (!path) return undefined;
  const source = path.steps[0];
  const read = lookupOf.get(source.node);
  if (!read) return undefined;
  const handler = enclosingFunction(read.node) ?? source.file.sourceFile;
  const storeText = ts.isCallExpression(read.node)
    ? unwrap((unwrap(read.node.expression) as ts.PropertyAccessExpression).expression).getText()
    : undefined;
  const method = ts.isCallExpression(read.node) ? accessedName(unwrap(read.node.expression)) : undefined;
  const consumed = /^(delete|deleteMany|getdel|getDel|take)$/.test(method ?? '') || consumes(handler, storeText);
  const lookupArgument = ts.isCallExpression(read.node) ? read.node.arguments[0] : undefined;
  const expires = comparesExpiry(handler) || (lookupArgument !== undefined && mentionsExpiry(lookupArgument));
  return {
    lookup: { node: read.node, file: source.file, message: `the URL value is looked up by ${read.label}` },
    path,
    consumed,
    expires,
  };
}

/** `store.delete(…)`, `links.update({ data: { usedAt: … } })` on the same store inside the handler. */
function consumes(handler: ts.Node, storeText: string | undefined): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      const method = accessedName(callee);
      const receiver = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression).getText() : undefined;
      if (method && /^(delete|deleteOne|deleteMany|del|destroy|remove|consume|invalidate)$/.test(method)) {
        if (storeText === undefined || receiver === storeText || !receiver) found = true;
      }
      if (method && /^update/.test(method) && /\b(used|consumed|redeemed)/i.test(node.getText())) found = true;
    }
    if (!found) ts.forEachChild(node, visit);
  };
  visit(handler);
  return found;
}

const helperWrites = new WeakMap<ts.Node, { index: number; write: CookieWrite }[]>();

/**
 * Cookie writes made by a helper this call invokes (`setSessionCookie(res, token)` in another file):
 * the helper's own writes whose value is one of its parameters, re-expressed at the call with the
 * argument passed for it.
 */
export function helperCookieWrites(call: ts.CallExpression, file: FileContext): CookieWrite[] {
  const callee = unwrap(call.expression);
  if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return [];
  const resolved = resolveValue(callee, file);
  const fn = resolved.node;
  if (!ts.isFunctionDeclaration(fn) && !ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return [];
  let writes = helperWrites.get(fn);
  if (!writes) {
    writes = [];
    const helperFile = resolved.file;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        for (const model of helperFile.models) {
          for (const write of model.cookieWrites?.(node, helperFile) ?? []) {
            const value = unwrap(write.value.node as ts.Expression);
            const declaration = ts.isIdentifier(value) ? findDeclaration(value) : undefined;
            const index = declaration && ts.isParameter(declaration) ? fn.parameters.indexOf(declaration) : -1;
            if (index >= 0) writes!.push({ index, write });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    if (fn.body) visit(fn.body);
    helperWrites.set(fn, writes);
  }
  return writes
    .filter(({ index }) => call.arguments[index] !== undefined)
    .map(({ index, write }) => ({
      ...write,
      node: call,
      label: `${labelOf(callee, file)}() (${write.label} in ${resolved.file.path})`,
      value: { node: call.arguments[index], file },
    }));
}

// ---- the entry of the id the client presents ----------------------------------------------------------

/** A hand-rolled session store of this file: where issued credentials are bound, and how. */
export interface HandRolledStore {
  /** The store's identity (what its receiver resolves to), as `Bind.store`. */
  store: ts.Node;
  /** The store as written at the bind: `sessions`, `prisma.session`. */
  receiver: ts.Expression;
  /** A keyed collection (`Map`, object): its entries are deleted with `delete` / `.delete(key)`. */
  collection: boolean;
  /** The cookie that carries the key, when its name is static. */
  cookieName?: string;
  /** Where an entry is bound to the issued value. */
  bind: ts.Node;
}

const storesOf = new WeakMap<FileContext, { inFile: HandRolledStore[]; all: Set<ts.Node> }>();

/**
 * Stores that bind a credential one of this file's cookie writes issues (by role): a Map, an object or
 * a table row keyed by the cookie's value, bound to a user or looked up again. `inFile` are those
 * whose bind is in this file, with what a fix needs; `all` includes binds made in other files.
 */
function credentialStoresOf(file: FileContext): { inFile: HandRolledStore[]; all: Set<ts.Node> } {
  const cached = storesOf.get(file);
  if (cached) return cached;
  const found = { inFile: [] as HandRolledStore[], all: new Set<ts.Node>() };
  storesOf.set(file, found);
  const writes: CookieWrite[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      for (const answer of modelAnswersAt(node, file)) writes.push(...answer.cookieWrites);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sourceFile);
  const binds = roleIndex(file).binds;
  for (const write of writes) {
    // Not `credentialEvidence`: its cache is keyed by the write alone, and the rules ask it with the
    // session cookie names they collected, which this walk does not know.
    const evidence = computeEvidence(write, file, new Set());
    if (!evidence?.store || found.all.has(evidence.store)) continue;
    found.all.add(evidence.store);
    const bind = evidence.bind?.file === file && binds.find((candidate) => candidate.node === evidence.bind?.node);
    if (!bind) continue;
    found.inFile.push({
      store: bind.store,
      receiver: bind.receiver,
      collection: bind.collection,
      cookieName: write.name,
      bind: bind.node,
    });
  }
  return found;
}

/** The hand-rolled session stores this file binds credentials in (see `credentialStoresOf`). */
export function handRolledStores(file: FileContext): HandRolledStore[] {
  return credentialStoresOf(file).inFile;
}

function credentialStores(file: FileContext): Set<ts.Node> {
  return credentialStoresOf(file).all;
}

/** Whether `key` is the id the client presented: it comes from a cookie or header of the request. */
function presentedKey(key: ts.Expression, file: FileContext): boolean {
  return urlInput
    .sourcesOf(key, file, file)
    .paths.some((path) => path.source.kind === 'cookie' || path.source.kind === 'header');
}

/** A use of the request (or context) parameter of a function around `node`, for `receivingFunction`. */
function requestUse(node: ts.Node): ts.Expression | undefined {
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    const use = requestParameterUse(fn);
    if (use) return use;
  }
  return undefined;
}

/** Per function: asked for every call that may hand the presented id to a helper. */
const requestParameterUses = new WeakMap<ts.Node, ts.Expression | null>();

function requestParameterUse(fn: ts.FunctionLikeDeclaration): ts.Expression | undefined {
  const cached = requestParameterUses.get(fn);
  if (cached !== undefined) return cached ?? undefined;
  const parameter = fn.parameters[0];
  let use: ts.Identifier | undefined;
  if (parameter && ts.isIdentifier(parameter.name) && fn.body) {
    const name = parameter.name.text;
    const find = (child: ts.Node): void => {
      if (use) return;
      if (ts.isIdentifier(child) && child.text === name && findDeclaration(child) === parameter) use = child;
      else ts.forEachChild(child, find);
    };
    find(fn.body);
  }
  const found = use && (isCarrier(use, EXPRESS_REQUEST) || isCarrier(use, KOA_CONTEXT)) ? use : undefined;
  requestParameterUses.set(fn, found ?? null);
  return found;
}

/**
 * `sessions.get(sid)` (or `const s = sessions.get(sid)`, then `s`) where `sessions` is a hand-rolled
 * session store by role and `sid` the id the request presents: the caller's session entry, whose id
 * stays whatever the client sent. Its carrier is the request the handler receives.
 */
export function presentedSessionObject(expression: ts.Expression, file: FileContext): SessionObject | undefined {
  if (!issuesCookies(file)) return undefined;
  let inner = unwrap(expression);
  if (ts.isIdentifier(inner)) {
    const declaration = findDeclaration(inner);
    if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
    inner = unwrap(declaration.initializer);
  }
  const read = entryRead(inner, file, 0);
  const carrier = read && requestUse(read.node);
  return carrier ? { model: 'hand-rolled', expression, carrier } : undefined;
}

/** `sessions.get(sid)`, also as one branch of `(sid && sessions.get(sid)) || create()` or `a ? b : c`. */
function entryRead(expression: ts.Expression, file: FileContext, depth: number): Read | undefined {
  if (depth > 4) return undefined;
  let inner = unwrap(expression);
  if (ts.isAwaitExpression(inner)) inner = unwrap(inner.expression);
  if (ts.isBinaryExpression(inner)) {
    const kind = inner.operatorToken.kind;
    if (
      kind !== ts.SyntaxKind.BarBarToken &&
      kind !== ts.SyntaxKind.AmpersandAmpersandToken &&
      kind !== ts.SyntaxKind.QuestionQuestionToken
    )
      return undefined;
    return entryRead(inner.left, file, depth + 1) ?? entryRead(inner.right, file, depth + 1);
  }
  if (ts.isConditionalExpression(inner)) {
    return entryRead(inner.whenTrue, file, depth + 1) ?? entryRead(inner.whenFalse, file, depth + 1);
  }
  if (!ts.isCallExpression(inner) || accessedName(unwrap(inner.expression)) !== 'get') return undefined;
  const read = roleIndex(file).reads.find((candidate) => candidate.node === inner);
  if (!read || !credentialStores(file).has(read.store) || !presentedKey(read.key, file)) return undefined;
  return read;
}

/**
 * A hand-rolled store is recognised only where the same file issues its credential in a cookie, so a
 * file whose text never says "cookie" has none: the role index (a walk of the file) is not built for
 * every write of every file.
 */
const cookiesMentioned = new WeakMap<FileContext, boolean>();

function issuesCookies(file: FileContext): boolean {
  let mentioned = cookiesMentioned.get(file);
  if (mentioned === undefined) {
    mentioned = /cookie/i.test(file.text);
    cookiesMentioned.set(file, mentioned);
  }
  return mentioned;
}

/**
 * Writes into the presented id's entry: `s.userId = user.id` on that entry, or `sessions.set(sid, {
 * ...sessions.get(sid), userId })` back under the presented id. An entry written under a freshly minted
 * key is a new session, not a write into this one.
 */
export function presentedSessionWrites(node: ts.Node, file: FileContext): SessionWrite[] | undefined {
  if (!issuesCookies(file)) return undefined;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const path: (string | undefined)[] = [];
    let target = unwrap(node.left);
    while (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
      path.unshift(
        ts.isPropertyAccessExpression(target)
          ? target.name.text
          : stringValue(unwrap(target.argumentExpression) as ts.Expression),
      );
      target = unwrap(target.expression);
    }
    if (path.length === 0 || !ts.isIdentifier(target)) return undefined;
    const session = presentedSessionObject(target, file);
    return session ? [{ model: session.model, node, session, paths: [path], kind: 'assign' }] : undefined;
  }
  if (!ts.isCallExpression(node)) return undefined;
  const row = presentedRowWrites(node, file);
  if (row) return row;
  if (node.arguments.length < 2) return undefined;
  const bind = roleIndex(file).binds.find((candidate) => candidate.node === node);
  if (!bind || !credentialStores(file).has(bind.store) || !presentedKey(bind.key, file)) return undefined;
  const value = unwrap(node.arguments[1]);
  if (!ts.isObjectLiteralExpression(value)) return undefined;
  const carrier = requestUse(node);
  if (!carrier) return undefined;
  const paths = value.properties
    .filter((element) => !ts.isSpreadAssignment(element))
    .map((element) => [propertyNameText(element.name!)]);
  const session: SessionObject = { model: 'hand-rolled', expression: node.arguments[0], carrier };
  return [{ model: session.model, node, session, paths, kind: 'set' }];
}

// ---- table rows bound to the presented id ------------------------------------------------------------

/** ORM writes of one row: Prisma, TypeORM, Sequelize and Mongo-style creates, upserts and updates. */
const ROW_WRITES = new Set(['create', 'insert', 'insertOne', 'save', 'upsert', 'update', 'updateMany', 'updateOne']);

/** A row written through an ORM: the token column that keys it, and the identity columns it writes. */
interface RowWrite {
  node: ts.CallExpression;
  key: ts.Expression;
  identity: string[];
  label: string;
}

/**
 * `db.session.update({ where: { id: sid }, data: { userId } })`, Prisma's `upsert({ where: { sessionId_userId:
 * { sessionId, userId } }, create: { sessionId, userId }, update })`, Sequelize's `Session.update({ userId },
 * { where: { sid } })`, TypeORM's `sessions.update({ token }, { userId })`: the row keyed by a token column
 * (`id` too when the table is named for sessions) and the identity columns written into it. A row no
 * identity is written into (an expiry refresh) is no bind, and neither is a table that is no session
 * store: named for sessions, or holding the credential one of the file's cookies issues (by role).
 */
function rowWriteAt(call: ts.CallExpression, file: FileContext): RowWrite | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ROW_WRITES.has(callee.name.text)) return undefined;
  const first = call.arguments[0] && objectLiteralOf(call.arguments[0], file);
  if (!first) return undefined;
  const receiver = unwrap(callee.expression);
  if (!isStoreReceiver(receiver, file)) return undefined;
  const method = callee.name.text;
  const second = call.arguments[1] && objectLiteralOf(call.arguments[1], file);
  let keyed: ts.ObjectLiteralExpression[];
  let written: ts.ObjectLiteralExpression[];
  const prismaParts = ['where', 'data', 'create', 'update'].map((name) => literalProperty(first, name, file));
  if (prismaParts.some(Boolean)) {
    // Prisma: the key in `where` (or the created row), the identity in `data` / `create` / `update`.
    const [where, data, create, update] = prismaParts;
    keyed = [where, data ?? create].filter((part): part is ts.ObjectLiteralExpression => part !== undefined);
    written = [data, create, update].filter((part): part is ts.ObjectLiteralExpression => part !== undefined);
  } else if (method.startsWith('update') && second) {
    const where = literalProperty(second, 'where', file);
    // Sequelize `update(values, { where })`; TypeORM and Mongo `update(criteria, values)` (Mongo's `$set`).
    keyed = [where ?? first];
    written = where ? [first] : [literalProperty(second, '$set', file) ?? second];
  } else {
    keyed = [first];
    written = [first];
  }
  const sessionTable = /sess/i.test(memberPath(receiver)?.at(-1) ?? '');
  const key = keyed.map((literal) => tokenColumnValue(literal, sessionTable, 0)).find(Boolean);
  if (!key) return undefined;
  // `data: { userId: null }` detaches the user (a logout), it binds nobody.
  const identity = written.flatMap((literal) =>
    literal.properties
      .filter((element) => !ts.isPropertyAssignment(element) || !isEmptyValue(element.initializer))
      .map((element) => propertyNameText(element.name))
      .filter((name): name is string => name !== undefined && isIdentityColumn(name, file)),
  );
  if (identity.length === 0) return undefined;
  if (!sessionTable && !credentialStores(file).has(storeOf(receiver, file))) return undefined;
  return { node: call, key, identity, label: `${labelOf(callee, file)}()` };
}

function isEmptyValue(expression: ts.Expression): boolean {
  const inner = unwrap(expression);
  return (
    inner.kind === ts.SyntaxKind.NullKeyword ||
    inner.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(inner) && inner.text === 'undefined')
  );
}

function objectLiteralOf(expression: ts.Expression, file: FileContext): ts.ObjectLiteralExpression | undefined {
  const inner = unwrap(resolveValue(expression, file).node as ts.Expression);
  return ts.isObjectLiteralExpression(inner) ? inner : undefined;
}

function literalProperty(
  literal: ts.ObjectLiteralExpression,
  name: string,
  file: FileContext,
): ts.ObjectLiteralExpression | undefined {
  const value = propertyInitializer(literal, name);
  return value ? objectLiteralOf(value, file) : undefined;
}

/** The value of a token column, also inside a compound key (`sessionId_userId: { sessionId, userId }`). */
function tokenColumnValue(
  literal: ts.ObjectLiteralExpression,
  sessionTable: boolean,
  depth: number,
): ts.Expression | undefined {
  for (const { name, value } of objectEntries(literal)) {
    const inner = unwrap(value);
    if (ts.isObjectLiteralExpression(inner)) {
      const nested = depth === 0 ? tokenColumnValue(inner, sessionTable, depth + 1) : undefined;
      if (nested) return nested;
      continue;
    }
    if (isLiteral(value)) continue;
    if (TOKEN_COLUMN.test(name) || (sessionTable && /^_?id$/.test(name))) return value;
  }
  return undefined;
}

function isIdentityColumn(name: string, file: FileContext): boolean {
  return file.identityKeys.has(name) || /^(user|account|owner|member)_?id$|^sub$/i.test(name);
}

/** Row binds of a function keyed by one of its parameters, by parameter index; for functions that get no request. */
const parameterRowWrites = new WeakMap<ts.Node, Map<number, RowWrite>>();

function rowWritesKeyedByParameter(fn: ts.FunctionLikeDeclaration, file: FileContext): Map<number, RowWrite> {
  const cached = parameterRowWrites.get(fn);
  if (cached) return cached;
  const found = new Map<number, RowWrite>();
  parameterRowWrites.set(fn, found);
  if (
    !fn.body ||
    !issuesCookies(file) ||
    !/\b(create|insert|insertOne|save|upsert|update\w*)\(/.test(fn.body.getText())
  )
    return found;
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node)) return;
    if (ts.isCallExpression(node)) {
      const row = rowWriteAt(node, file);
      const key = row && unwrap(row.key);
      const declaration = key && ts.isIdentifier(key) ? findDeclaration(key) : undefined;
      if (row && declaration && ts.isParameter(declaration) && declaration.parent === fn) {
        const index = fn.parameters.indexOf(declaration);
        if (!found.has(index)) found.set(index, row);
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  // A function that receives the request itself has its binds judged where they are.
  if (found.size > 0 && [...found.values()].some((row) => requestUse(row.node))) found.clear();
  return found;
}

/**
 * Identity bound to the table row of the id the request presented, which stays the session's id: a
 * login that keeps the id, like `sessions.set(sid, { ...sessions.get(sid), userId })` for a Map. Written
 * in the function that receives the request, or in a helper or service method it passes the presented
 * id to (`this.createUserSession(userId, sessionId)`, AFFiNE), then the call is the write and the
 * helper's row write its evidence. Whether the row existed first does not matter: an attacker's own
 * session exists.
 */
function presentedRowWrites(call: ts.CallExpression, file: FileContext): SessionWrite[] | undefined {
  if (call.arguments.length === 0) return undefined;
  const row = rowWriteAt(call, file);
  if (row) {
    if (!presentedKey(row.key, file)) return undefined;
    const carrier = requestUse(call);
    if (!carrier) return undefined;
    const session: SessionObject = { model: HAND_ROLLED_MODEL, expression: row.key, carrier };
    return [{ model: session.model, node: call, session, paths: row.identity.map((name) => [name]), kind: 'set' }];
  }
  // The callee is resolved only for a call that can hand the presented id on: a local function or
  // method (not the response's, not a package's), passed a value read from the request the function
  // receives other than its body, query or path (`req.cookies.sid`, a header, or a name declared from an
  // expression using the request, `const { sessionId } = this.sessionOptions(req)`). Cheapest first.
  if (!readsPresentedIds(file) || !call.arguments.some(isNameLike) || !mayBeLocalCallee(call)) return undefined;
  const firstParameters = new Map<ts.Node, ts.FunctionLikeDeclaration>();
  for (let fn = enclosingFunction(call); fn; fn = enclosingFunction(fn))
    if (fn.parameters[0]) firstParameters.set(fn.parameters[0], fn);
  const fromThisRequest = (argument: ts.Expression) =>
    isNameLike(argument) &&
    derivesFrom(argument, 0, (identifier) => {
      if (readsRequestData(identifier)) return false;
      const declaration = findDeclaration(identifier);
      const fn = declaration && firstParameters.get(declaration);
      return fn !== undefined && requestParameterUse(fn) !== undefined;
    });
  if (!call.arguments.some(fromThisRequest)) return undefined;
  const carrier = requestUse(call);
  if (!carrier) return undefined;
  const target = calledFunction(call, file);
  if (!target) return undefined;
  const keyed = rowWritesKeyedByParameter(target.node, target.file);
  for (const [index, helperRow] of keyed) {
    const argument = call.arguments[index];
    if (!argument || !fromThisRequest(argument) || !presentedKey(argument, file)) continue;
    const session: SessionObject = { model: HAND_ROLLED_MODEL, expression: argument, carrier };
    return [
      {
        model: session.model,
        node: call,
        session,
        paths: helperRow.identity.map((name) => [name]),
        kind: 'set',
        boundAt: {
          node: helperRow.node,
          message: `'${helperRow.identity[0]}' is bound here to the session id passed in (${helperRow.label})`,
        },
      },
    ];
  }
  return undefined;
}

/**
 * `req.body.x`, `req.query.x`, `req.params.x`, `req.session.userId`: data the client sends or the server
 * attached, not the session id the request presents (a cookie, a header, the request passed whole).
 */
function readsRequestData(request: ts.Identifier): boolean {
  const parent = request.parent;
  return (
    ts.isPropertyAccessExpression(parent) &&
    parent.expression === request &&
    /^(body|query|params|files?|url|originalUrl|baseUrl|path|method|ip|hostname|protocol|session|user|log)$/.test(
      parent.name.text,
    )
  );
}

const GLOBAL_NAMESPACES = new Set([
  'Array',
  'Object',
  'JSON',
  'Math',
  'Number',
  'String',
  'Promise',
  'Reflect',
  'console',
]);

/** Not a method of a parameter holding the response, a global namespace, or a package import. */
function mayBeLocalCallee(call: ts.CallExpression): boolean {
  let root = unwrap(call.expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isCallExpression(root))
    root = unwrap(root.expression);
  if (root.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(root) || GLOBAL_NAMESPACES.has(root.text)) return false;
  const declaration = findDeclaration(root);
  if (!declaration) return false;
  if (ts.isParameter(declaration)) return !isCarrier(root, EXPRESS_RESPONSE);
  // Relative imports, path aliases (`@/lib/auth`, `~/server`) and workspace packages may be the app's own
  // code; builtins and unscoped packages (`bcrypt`, `node:crypto`) are not.
  const specifier = importSpecifierOf(declaration);
  return specifier === undefined || /^[./@~#]/.test(specifier);
}

function importSpecifierOf(declaration: ts.Node): string | undefined {
  let node: ts.Node | undefined = declaration;
  while (node && !ts.isImportDeclaration(node) && !ts.isSourceFile(node) && !isFunctionLike(node)) node = node.parent;
  if (node && ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier))
    return node.moduleSpecifier.text;
  return undefined;
}

const presentedIdReads = new WeakMap<FileContext, boolean>();

/** Whether the file's text reads a request cookie or header anywhere (a gate for resolving callees). */
function readsPresentedIds(file: FileContext): boolean {
  let reads = presentedIdReads.get(file);
  if (reads === undefined) {
    reads = /\.cookies\b|getCookie|\.headers\b|\.header\(|authorization/i.test(file.text);
    presentedIdReads.set(file, reads);
  }
  return reads;
}

function isNameLike(expression: ts.Expression): boolean {
  const inner = unwrap(expression);
  return ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner);
}

// ---- ending a hand-rolled session ---------------------------------------------------------------------

const DELETIONS = new Set([
  'delete',
  'del',
  'deleteOne',
  'deleteMany',
  'destroy',
  'remove',
  'findByIdAndDelete',
  'findOneAndDelete',
  'findByIdAndRemove',
  'findOneAndRemove',
]);

export interface StoreDeletion {
  store?: HandRolledStore;
  node: ts.Node;
}

/**
 * A deletion that ends a hand-rolled session: `sessions.delete(key)`, `delete sessions[key]`,
 * `sessions.clear()`, `prisma.session.delete({ where: { token } })`, `Session.findByIdAndDelete(id)` on
 * a store of this file, keyed by a value that comes from the request (its cookie, a field a middleware
 * set on it, a record looked up with it). A deletion keyed by the request's cookie counts without a
 * store in this file (the store is kept elsewhere).
 */
export function storeDeletionAt(node: ts.Node, file: FileContext): StoreDeletion | undefined {
  let target: ts.Expression | undefined;
  let keys: ts.Expression[] = [];
  let method: string | undefined;
  if (ts.isDeleteExpression(node)) {
    const operand = unwrap(node.expression);
    if (!ts.isElementAccessExpression(operand)) return undefined;
    target = operand.expression;
    keys = [operand.argumentExpression];
  } else if (ts.isCallExpression(node)) {
    const callee = unwrap(node.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    method = callee.name.text;
    if (!DELETIONS.has(method) && method !== 'clear') return undefined;
    target = callee.expression;
    keys = [...node.arguments];
  }
  if (!target) return undefined;
  const store = storeNamed(target, file);
  if (store) {
    if (method === 'clear' && store.collection && keys.length === 0) return { store, node };
    if (method !== 'clear' && keys.some((key) => fromRequest(key, 0))) return { store, node };
    return undefined;
  }
  if (method === undefined || method === 'clear' || method === 'destroy') return undefined;
  return keys.some((key) => fromRequestCookie(key, file, 0)) ? { node } : undefined;
}

/** The same store as a bind's: the same resolved value, or the same member path from the same declaration. */
function storeNamed(target: ts.Expression, file: FileContext): HandRolledStore | undefined {
  const stores = handRolledStores(file);
  if (stores.length === 0) return undefined;
  const resolved = storeOf(unwrap(target), file);
  const path = memberPath(target)?.join('.');
  const root = rootDeclaration(target);
  return stores.find(
    (store) =>
      store.store === resolved ||
      (path !== undefined &&
        root !== undefined &&
        memberPath(store.receiver)?.join('.') === path &&
        rootDeclaration(store.receiver) === root),
  );
}

function rootDeclaration(expression: ts.Expression): ts.Node | undefined {
  let root = unwrap(expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
  return ts.isIdentifier(root) ? findDeclaration(root) : undefined;
}

/**
 * A hand-rolled session ended here, as a session invalidation: `invalidationAt` asks it after the
 * models, as `presentedSessionObject` backs `sessionObjectOf`.
 */
export function presentedSessionInvalidation(node: ts.Node, file: FileContext): SessionInvalidation | undefined {
  if (!ts.isCallExpression(node) && !ts.isDeleteExpression(node)) return undefined;
  const deletion = storeDeletionAt(node, file);
  return deletion ? { model: HAND_ROLLED_MODEL, node: deletion.node, kind: 'destroy' } : undefined;
}

/** `sessions.delete(req.cookies.sid);` for a keyed collection whose cookie name is known. */
export function storeDeletionFix(store: HandRolledStore, carrier: string): string | undefined {
  const path = memberPath(store.receiver);
  if (!store.collection || !store.cookieName || !path) return undefined;
  const name = store.cookieName;
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
  return `${path.join('.')}.delete(${carrier}.cookies${key});`;
}

const MAX_KEY_DEPTH = 4;

/**
 * A value that comes from the request a function receives: `req.sid`, `req.cookies.sid`, a variable
 * initialised from one, a record looked up with one (`(await Session.findOne({ token })).id`), or an
 * object literal holding one (`{ where: { token } }`).
 */
function fromRequest(expression: ts.Node, depth: number): boolean {
  return derivesFrom(expression, depth, (identifier) => receivingFunction(identifier) !== undefined);
}

/** A value read from a request cookie (`req.cookies.token`, `ctx.cookies.get('token')`), or derived from one. */
function fromRequestCookie(expression: ts.Node, file: FileContext, depth: number): boolean {
  const isCookieRead = (node: ts.Node) =>
    file.models.some((model) => model.requestInput?.(node, file)?.kind === 'cookie');
  return derivesFrom(expression, depth, () => false, isCookieRead);
}

function derivesFrom(
  expression: ts.Node,
  depth: number,
  rootMatches: (identifier: ts.Identifier) => boolean,
  nodeMatches: (node: ts.Node) => boolean = () => false,
): boolean {
  if (depth > MAX_KEY_DEPTH) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionLike(node)) return;
    if (nodeMatches(node)) {
      found = true;
      return;
    }
    const identifier = ts.isShorthandPropertyAssignment(node) ? node.name : ts.isIdentifier(node) ? node : undefined;
    if (identifier && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
      if (rootMatches(identifier)) {
        found = true;
        return;
      }
      const declaration = findDeclaration(identifier);
      const initializer =
        declaration && ts.isVariableDeclaration(declaration)
          ? declaration.initializer
          : declaration && ts.isBindingElement(declaration)
            ? (declaration.parent.parent as ts.VariableDeclaration).initializer
            : undefined;
      if (initializer && derivesFrom(initializer, depth + 1, rootMatches, nodeMatches)) {
        found = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}
