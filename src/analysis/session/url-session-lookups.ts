import { ts } from '#typescript';
import { callExpressions } from '../call-sites.js';
import { calledFunction } from '../call-targets.js';
import { parameterDecorator } from '../handlers.js';
import { findDeclaration } from '../scope.js';
import {
  accessedName,
  calleeName,
  isFunctionLike,
  memberPath,
  objectEntries,
  propertyInitializer,
  propertyNameText,
  stringValue,
  unwrap,
} from '../syntax.js';
import { TaintEngine, type TaintPath } from '../taint.js';
import { resolveValue } from '../values.js';
import type { FileContext } from '../../models/model.js';
import type { Model } from '../../models/model.js';

/*
 * Hand-rolled sessions looked up by a key from the query string (session-id-in-url). A session the
 * server keeps in a Map, a table or a repository named for sessions (`prisma.session.findUnique({ where:
 * { token } })`, `sessionRepository.getByToken(hash(token))`, `SELECT … FROM sessions WHERE token = ?`)
 * and found by `req.query.t` travels in the URL: it leaks through history, logs and Referer, and a link
 * hands a victim an attacker's session. Unlike `handRolledStoreSinks` (roles.ts), the store is known by
 * its name alone, as roles.ts knows the stores a session token is bound in (`sessionTokenSourcesOf`): a
 * lookup module often binds nothing (the login lives elsewhere). The name is what tells a session from
 * the tokens that are meant to travel in URLs (login tokens, password resets, share links, OAuth codes,
 * checkout sessions), which are kept in tables named for what they are.
 */

/** A session lookup keyed by a value from the query string, found in the module that reads the query. */
export interface UrlSessionLookup {
  /** The path from the query-string read to the lookup's key. */
  path: TaintPath;
  /** The lookup, and how a message names it. */
  lookup: { node: ts.Node; file: FileContext; label: string };
  /** The call handing the value to a function of another module that does the lookup. */
  call?: ts.CallExpression;
}

/**
 * Stores named for sessions by their last name: `sessions`, `userSessions`, `sessionRepository`,
 * `session_store`, `sessionTable`, `sessionsById`. A singular `session` is the request's own session
 * object as often as a table, so it counts only as an ORM model (`prisma.session.findUnique(…)`).
 */
const SESSION_COLLECTION =
  /^(?:[a-z]+_?)?sessions$|sessions?_?(?:repository|repo|store|table|model|collection|dao|cache|map|db|service|manager|by_?\w+)$/i;
const SESSION_MODEL = /^(?:[a-z]+_?)?session$/i;
/** Sessions of something else, whose ids are meant to travel in URLs, and tokens named for another purpose. */
const OTHER_SESSIONS =
  /checkout|stripe|payment|billing|upload|terminal|pty|shell|chat|game|room|meeting|oauth|saml|device|cli_?|pending|login|magic|verif|reset|invite|share|link|handoff/i;
/** The owner of a request's session object (`req.session`, `ctx.session`). */
const REQUEST_NAMES = /^(req|request|ctx|context|c|event|socket|client|this)$/;
/** Columns that key a session row: the token columns roles.ts knows, and a session table's own id. */
const KEY_COLUMN =
  /^(_?id|token|sid|key|hash|secret|session_?(id|token|key|hash)|token_?hash|(auth|access)_?(token|key))$/i;
const READ_METHODS = new Set(['get', 'has', 'exists', 'hget', 'hGet', 'hgetall', 'hGetAll', 'peek']);
const ROW_FINDERS = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findBy',
  'find',
  'findAll',
]);
/**
 * A repository's own lookups of one session by its key (`getByToken`, `findBySessionId`, `loadSession`,
 * `validateSessionToken`), not other questions put to a store named for sessions (code-server's
 * `editorSessionManager.getConnectedSocketPath(filePath)`, `getByUserId`).
 */
const REPOSITORY_LOOKUP =
  /^(get|find|load|fetch|lookup|read|resolve|validate|verify|check)(One|Active|Valid)?(Session)?(By(Session)?(Token|Id|Key|Sid|Hash|TokenHash|IdHash)|Token)?(OrFail|OrThrow)?$/;
const SQL_SESSION_SELECT = /^\s*SELECT\b[\s\S]*?\bFROM\s+[`"[]?(\w*session\w*)/i;
/** Query-builder calls naming the table: `knex('sessions')`, `.from('sessions')`, `.selectFrom('session')`. */
const SESSION_TABLE_NAME = /^\w*sessions?$/i;

/** Names of a function's parameter holding a request's query string, handed over from another module. */
const QUERY_PARAMETER = /^(query|queryParams|queryParameters|querystring|queryString|searchParams|urlParams|urlQuery)$/;
/** Inputs that are part of the path, not the query string: REST resource ids (`/sessions/:id`). */
const PATH_INPUTS = new Set(['params', 'param', 'path', 'pathname', 'pathParameters']);

/** What a session lookup is keyed by. */
interface SessionLookup {
  node: ts.Node;
  key: ts.Expression;
  label: string;
}

/**
 * The session lookups of a module keyed by a value from the query string (see the module comment): in
 * this module (the key followed back through variables, hashes and helpers), and in a function of another
 * module that this one calls with the value (one call away).
 */
export function urlSessionLookups(file: FileContext): UrlSessionLookup[] {
  const cached = found.get(file);
  if (cached) return cached;
  const result: UrlSessionLookup[] = [];
  found.set(file, result);
  if (!QUERY_TEXT.test(file.text)) return result;
  queryModels = file.models;
  if (mayLookUpSessions(file)) {
    for (const lookup of sessionLookupsIn(file.sourceFile, file)) {
      const path = queryPath(lookup.key, file);
      if (path) result.push({ path, lookup: { node: lookup.node, file, label: lookup.label } });
    }
  }
  for (const call of helperCalls(file)) {
    const target = calledFunction(call, file);
    if (!target || target.file === file || !mayLookUpSessions(target.file)) continue;
    for (const { index, lookup, inner } of parameterKeyedLookups(target.node, target.file)) {
      const argument = call.arguments[index];
      const outer = argument && queryPath(argument, file);
      if (!outer) continue;
      // The caller's path, then the helper's own from its parameter to the key.
      const path = { source: outer.source, steps: [...outer.steps, ...inner.steps] };
      result.push({ path, lookup: { node: lookup.node, file: target.file, label: lookup.label }, call });
    }
  }
  return result;
}

const found = new WeakMap<FileContext, UrlSessionLookup[]>();
/**
 * Text a module needs, asked before any walk: a query-string read, and a store named for sessions (for
 * its own lookups, or in the module a helper call leads to): `sessions.get(`, `sessionRepository`,
 * `prisma.session.findUnique(`, `FROM sessions`, `knex('sessions')`.
 */
const QUERY_TEXT = /\b(?:query|querystring|queryParams|searchParams|Query)\b/;
const SESSION_STORE_TEXT =
  /sessions?_?(?:repository|repo|store|table|model|collection|dao|cache|map|db|service|manager|by)|sessions\s*[.[]|session\s*\.\s*find|FROM\s+\W?\w*session|\(\s*['"`]\w*sessions?['"`]/i;
const storeText = new WeakMap<FileContext, boolean>();

function mayLookUpSessions(file: FileContext): boolean {
  let answer = storeText.get(file);
  if (answer === undefined) {
    answer = SESSION_STORE_TEXT.test(file.text);
    storeText.set(file, answer);
  }
  return answer;
}

/**
 * Calls that may hand a credential to a session lookup in another module, by a name in the callee:
 * `validateSessionToken(t)`, `sessions.validate(t)`, `this.sessionService.find(t)`; not the request's
 * own session (`req.session.save(cb)`) or a session middleware (`session({ … })`). Only these calls are
 * resolved (following an import can parse another module), and only in modules whose text has one.
 */
const HELPER_CALL_TEXT = /\b(?!session\b)\w*session\w*\s*(?:\.\s*\w+\s*)?\(/i;
const HELPER_NAME = /session/i;

function helperCalls(file: FileContext): ts.CallExpression[] {
  if (!HELPER_CALL_TEXT.test(file.text)) return [];
  return callExpressions(file).filter((call) => {
    if (call.arguments.length === 0) return false;
    const callee = unwrap(call.expression);
    if (ts.isIdentifier(callee)) return HELPER_NAME.test(callee.text) && !SESSION_MODEL.test(callee.text);
    if (!ts.isPropertyAccessExpression(callee)) return false;
    const receiver =
      accessedName(unwrap(callee.expression)) ?? (ts.isIdentifier(callee.expression) ? callee.expression.text : '');
    if (SESSION_MODEL.test(receiver)) return false;
    return HELPER_NAME.test(callee.name.text) || HELPER_NAME.test(receiver);
  });
}

// ---- lookups ------------------------------------------------------------------------------------------

function sessionLookupsIn(root: ts.Node, file: FileContext): SessionLookup[] {
  const lookups: SessionLookup[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) lookups.push(...callLookups(node, file));
    else if (ts.isTaggedTemplateExpression(node)) lookups.push(...sqlTemplateLookups(node, node.template));
    else if (ts.isElementAccessExpression(node)) {
      const receiver = unwrap(node.expression);
      const path = memberPath(receiver);
      if (path && collectionNamed(path, file.textOf(receiver)) && !isWrite(node) && !isLiteral(node.argumentExpression))
        lookups.push({ node, key: node.argumentExpression, label: `${file.textOf(receiver)}[…]` });
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return lookups;
}

function callLookups(call: ts.CallExpression, file: FileContext): SessionLookup[] {
  const first = call.arguments[0];
  if (!first) return [];
  const sql = sqlLookups(call, file);
  if (sql.length > 0) return sql;
  const callee = unwrap(call.expression);
  // Drizzle: `.where(eq(sessionTable.id, sessionId))`
  if (ts.isIdentifier(callee) && callee.text === 'eq' && call.arguments.length === 2) {
    const column = unwrap(first);
    if (!ts.isPropertyAccessExpression(column) || !KEY_COLUMN.test(column.name.text)) return [];
    const path = memberPath(column.expression);
    if (!path || !namedForSessions(path, file.textOf(column.expression), true)) return [];
    return [{ node: call, key: call.arguments[1], label: `eq(${file.textOf(column)}, …)` }];
  }
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const method = callee.name.text;
  if (method === 'where' || method === 'andWhere') return builderLookup(call, callee, file);
  const receiver = unwrap(callee.expression);
  const path = memberPath(receiver);
  if (!path) return [];
  const receiverText = file.textOf(receiver);
  const label = `${file.textOf(callee)}()`;
  if (ROW_FINDERS.has(method) || REPOSITORY_LOOKUP.test(method)) {
    const row = keyColumnValue(first, file);
    if (row) return namedForSessions(path, receiverText, true) ? [{ node: call, key: row, label }] : [];
  }
  if (isLiteral(first) || !collectionNamed(path, receiverText)) return [];
  if (READ_METHODS.has(method) || (REPOSITORY_LOOKUP.test(method) && !ROW_FINDERS.has(method)))
    return [{ node: call, key: first, label }];
  return [];
}

/** `db.get('SELECT … FROM sessions WHERE token = ?', [key])`, or the key interpolated into the statement. */
function sqlLookups(call: ts.CallExpression, file: FileContext): SessionLookup[] {
  const first = unwrap(call.arguments[0]);
  if (ts.isTemplateExpression(first)) return sqlTemplateLookups(call, first);
  const sql = stringValue(resolveValue(first, file).node as ts.Expression);
  if (sql === undefined || !sessionTable(SQL_SESSION_SELECT.exec(sql)?.[1])) return [];
  const label = `${calleeName(call) ?? 'the query'}('SELECT … FROM ${SQL_SESSION_SELECT.exec(sql)![1]} …')`;
  return call.arguments.slice(1).flatMap((argument) => {
    const inner = unwrap(argument);
    const keys = ts.isArrayLiteralExpression(inner) ? [...inner.elements] : [inner];
    return keys.filter((key) => !isLiteral(key)).map((key) => ({ node: call, key, label }));
  });
}

function sqlTemplateLookups(node: ts.Node, template: ts.TemplateLiteral): SessionLookup[] {
  if (!ts.isTemplateExpression(template)) return [];
  const text = template.head.text + template.templateSpans.map((span) => ` ? ${span.literal.text}`).join('');
  const table = SQL_SESSION_SELECT.exec(text)?.[1];
  if (!sessionTable(table)) return [];
  return template.templateSpans.map((span) => ({
    node,
    key: span.expression,
    label: `SELECT … FROM ${table}`,
  }));
}

/** `knex('sessions').where({ token })`, `.where('token', value)`, Kysely's `.where('token', '=', value)`. */
function builderLookup(
  call: ts.CallExpression,
  callee: ts.PropertyAccessExpression,
  file: FileContext,
): SessionLookup[] {
  let table: string | undefined;
  for (let current = unwrap(callee.expression); ts.isCallExpression(current) && !table; ) {
    const name = stringValue(current.arguments[0]);
    if (name !== undefined && SESSION_TABLE_NAME.test(name)) table = name;
    const inner = unwrap(current.expression);
    if (!ts.isPropertyAccessExpression(inner)) break;
    current = unwrap(inner.expression);
  }
  if (!sessionTable(table)) return [];
  const args = call.arguments;
  const column = stringValue(args[0]);
  const key =
    column === undefined
      ? keyColumnValue(args[0], file)
      : KEY_COLUMN.test(column)
        ? args[args.length === 3 ? 2 : 1]
        : undefined;
  return key && !isLiteral(key) ? [{ node: call, key, label: `${table} .${callee.name.text}()` }] : [];
}

function sessionTable(name: string | undefined): boolean {
  return name !== undefined && /session/i.test(name) && !OTHER_SESSIONS.test(name);
}

/** A Map, object or repository named for sessions (not the request's session object). */
function collectionNamed(path: string[], text: string): boolean {
  return SESSION_COLLECTION.test(path.at(-1)!) && !OTHER_SESSIONS.test(text);
}

/** Also an ORM model: `prisma.session`, `db.userSession`, mongoose's `Session`. */
function namedForSessions(path: string[], text: string, model: boolean): boolean {
  if (collectionNamed(path, text)) return true;
  if (!model || OTHER_SESSIONS.test(text)) return false;
  const last = path.at(-1)!;
  if (!SESSION_MODEL.test(last)) return false;
  return path.length === 1 ? /^[A-Z]/.test(last) : !REQUEST_NAMES.test(path.at(-2)!);
}

/** The value of a key column in `{ where: { token } }`, `{ token }` or `{ where: { id: hash } }`. */
function keyColumnValue(argument: ts.Expression | undefined, file: FileContext): ts.Expression | undefined {
  if (!argument) return undefined;
  const outer = unwrap(resolveValue(argument, file).node as ts.Expression);
  if (!ts.isObjectLiteralExpression(outer)) return undefined;
  const where = propertyInitializer(outer, 'where');
  const inner = where && unwrap(where);
  const literal = inner && ts.isObjectLiteralExpression(inner) ? inner : outer;
  return objectEntries(literal).find(({ name, value }) => KEY_COLUMN.test(name) && !isLiteral(value))?.value;
}

function isLiteral(expression: ts.Expression): boolean {
  const inner = unwrap(expression);
  return (
    ts.isStringLiteralLike(inner) ||
    ts.isNumericLiteral(inner) ||
    ts.isObjectLiteralExpression(inner) ||
    isFunctionLike(inner)
  );
}

function isWrite(access: ts.ElementAccessExpression): boolean {
  const parent = access.parent;
  if (ts.isDeleteExpression(parent)) return true;
  return (
    ts.isBinaryExpression(parent) &&
    parent.left === access &&
    parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
    parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment
  );
}

// ---- one call away ------------------------------------------------------------------------------------

interface ParameterKeyedLookup {
  index: number;
  lookup: SessionLookup;
  /** From the parameter to the lookup's key. */
  inner: TaintPath;
}

const keyedByParameter = new WeakMap<ts.Node, ParameterKeyedLookup[]>();

/** The session lookups of a function keyed by one of its parameters (directly, or through a hash). */
function parameterKeyedLookups(fn: ts.FunctionLikeDeclaration, file: FileContext): ParameterKeyedLookup[] {
  const cached = keyedByParameter.get(fn);
  if (cached) return cached;
  const result: ParameterKeyedLookup[] = [];
  keyedByParameter.set(fn, result);
  if (!fn.body) return result;
  for (const lookup of sessionLookupsIn(fn.body, file)) {
    for (const path of parameterTaint.sourcesOf(lookup.key, file).paths) {
      const parameter = path.steps[0].node;
      if (ts.isParameter(parameter) && parameter.parent === fn)
        result.push({ index: fn.parameters.indexOf(parameter), lookup, inner: path });
    }
  }
  return result;
}

// ---- the query string as a source ---------------------------------------------------------------------

/** The file the current question is about: a helper module without models is judged by its models. */
let queryModels: readonly Model[] = [];

function queryPath(expression: ts.Expression, file: FileContext): TaintPath | undefined {
  return queryTaint.sourcesOf(expression, file).paths.find((path) => path.source.kind === 'query');
}

/**
 * Request input from the query string: what the models call URL input, except path parameters (a
 * `/sessions/:id` route names a resource), and a parameter named for the query string that another
 * module fills (immich's guard passes `request.query` to its auth service as `queryParams`).
 */
const queryTaint = new TaintEngine({
  isSource(node, file) {
    // At the use (`queryParams.sessionKey`), so that the finding names the value read.
    if (ts.isIdentifier(node) && QUERY_PARAMETER.test(node.text)) {
      const declaration = findDeclaration(node);
      if (
        declaration &&
        (ts.isParameter(declaration) || ts.isBindingElement(declaration)) &&
        isQueryParameter(declaration)
      )
        return { label: node.text, kind: 'query' };
    }
    const models = file.models.some((model) => model.requestInput) ? file.models : queryModels;
    for (const model of models) {
      const input = model.requestInput?.(node, file);
      if (!input) continue;
      return { label: input.label, kind: input.kind === 'url' && !isPathInput(node) ? 'query' : input.kind };
    }
    return undefined;
  },
  passThrough: (call, file) => hashed(call) ?? modelPassThrough(call, file),
});

/** Parameters as sources, to find the lookups a function keys by what its caller passes. */
const parameterTaint = new TaintEngine({
  isSource(node) {
    if (!ts.isParameter(node)) return undefined;
    const fn = node.parent;
    return { label: node.name.getText(), kind: `parameter ${fn.parameters.indexOf(node)}` };
  },
  passThrough: (call, file) => hashed(call) ?? modelPassThrough(call, file),
});

function modelPassThrough(call: ts.CallExpression | ts.NewExpression, file: FileContext): ts.Expression[] | undefined {
  for (const model of file.models) {
    const passed = model.taintPassThrough?.(call, file);
    if (passed) return passed;
  }
  return undefined;
}

/** A hash of a value keys what the value would: `hashSha256(token)`, `createHash('sha256').update(t).digest()`. */
function hashed(call: ts.CallExpression | ts.NewExpression): ts.Expression[] | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const name = calleeName(call) ?? '';
  if (name === 'digest') {
    for (let current = unwrap(call.expression); ; ) {
      if (ts.isPropertyAccessExpression(current)) current = unwrap(current.expression);
      else if (ts.isCallExpression(current)) {
        if (calleeName(current) === 'update') return [...current.arguments];
        current = unwrap(current.expression);
      } else return undefined;
    }
  }
  return /hash|sha_?\d+|hmac|digest/i.test(name) && call.arguments.length > 0 ? [...call.arguments] : undefined;
}

function isQueryParameter(node: ts.ParameterDeclaration | ts.BindingElement): boolean {
  if (!ts.isIdentifier(node.name) || !QUERY_PARAMETER.test(node.name.text)) return false;
  if (ts.isParameter(node)) return isFunctionLike(node.parent);
  let holder: ts.Node = node.parent.parent;
  while (ts.isBindingElement(holder)) holder = holder.parent.parent;
  return ts.isParameter(holder);
}

function isPathInput(node: ts.Node): boolean {
  if (ts.isParameter(node)) {
    const decorator = parameterDecorator(node);
    return decorator === 'Param' || decorator === 'Params' || PATH_INPUTS.has(node.name.getText());
  }
  if (ts.isBindingElement(node)) {
    const key = node.propertyName ?? (ts.isIdentifier(node.name) ? node.name : undefined);
    return PATH_INPUTS.has(propertyNameText(key) ?? '');
  }
  if (ts.isCallExpression(node)) return PATH_INPUTS.has(calleeName(node) ?? '');
  return PATH_INPUTS.has(accessedName(node) ?? '');
}
