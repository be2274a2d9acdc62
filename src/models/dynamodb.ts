import { ts } from 'ts-morph';
import { moduleReferenceOf } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import { accessedName, enclosingFunction, isFunctionLike, propertyNameText, unwrap } from '../analysis/syntax.js';
import {
  environmentVariableName,
  type Located,
  type ObjectView,
  objectView,
  resolveValue,
  staticValue,
} from '../analysis/values.js';
import type {
  DynamoFileFacts,
  DynamoIndexAddition,
  DynamoOperation,
  DynamoSessionStoreConfig,
  DynamoTableDefinition,
  DynamoTableRef,
} from './dynamodb-concepts.js';
import type { FileContext } from './model.js';

/*
 * DynamoDB concepts shared by the SDK, CDK and session-store models, and the per-file summary rules
 * (and the taint engine) build on. The models recognise single constructs; `dynamoFacts(file)` walks a
 * file once, asks every enabled model, and joins the answers (which tables hold sessions, their key
 * attribute names).
 */

export type {
  DynamoSdk,
  DynamoOperationKind,
  DynamoTableRef,
  DynamoOperation,
  DynamoKeyDefinition,
  DynamoIndexDefinition,
  DynamoTableDefinition,
  DynamoSessionStoreConfig,
  DynamoIndexAddition,
  DynamoFileFacts,
} from './dynamodb-concepts.js';

/** Attribute names that hold a session id. */
export const SESSION_KEY_NAME = /^(sid|sess(ion)?[_-]?(id|key)|session|sessionid)$/i;
/** Attribute names that hold an expiry timestamp. */
export const EXPIRY_NAME =
  /^(expires?|expires?_?(at|on)|expire_?date|expir(y|ation)(_?(time|date))?|ttl|exp|valid_?until)$/i;
/** Attribute names that hold a user identifier (index keys, partition keys). */
export const USER_ID_NAME = /^(user(_?id)?|uid|account(_?id)?|owner(_?id)?|email|username|principal(_?id)?|sub)$/i;
const SESSION_WORD = /sess/i;

/** Follows `a.b.c` through object literals bound to consts (`config.tables.sessions`). */
export function resolveMember(expression: ts.Expression, file: FileContext, depth = 0): Located<ts.Node> {
  const resolved = resolveValue(expression, file);
  const node = resolved.node;
  if (depth < 8 && ts.isPropertyAccessExpression(node) && environmentVariableName(node) === undefined) {
    const name = accessedName(node);
    const base = objectView(node.expression, resolved.file);
    const property = name ? base?.properties.get(name) : undefined;
    if (property?.value) return resolveMember(property.value, property.file, depth + 1);
  }
  return resolved;
}

/** A table reference from a `TableName`-like expression. */
export function tableRef(expression: ts.Expression | undefined, file: FileContext): DynamoTableRef {
  if (!expression) return { identity: '(none)' };
  const ref: DynamoTableRef = { expression, identity: '' };
  const visit = (candidate: ts.Expression, candidateFile: FileContext, depth: number) => {
    const resolved = resolveMember(candidate, candidateFile);
    const node = resolved.node as ts.Expression;
    const value = staticValue(node, resolved.file);
    if (value?.kind === 'string') ref.name ??= value.value;
    const envVar = environmentVariableName(node);
    if (envVar) ref.envVar ??= envVar;
    if (
      depth < 3 &&
      ts.isBinaryExpression(node) &&
      [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(node.operatorToken.kind)
    ) {
      visit(node.left, resolved.file, depth + 1);
      visit(node.right, resolved.file, depth + 1);
    }
  };
  visit(expression, file, 0);
  ref.identity = ref.envVar
    ? `env:${ref.envVar}`
    : ref.name !== undefined
      ? `name:${ref.name}`
      : `expr:${expression.getText().replace(/\s+/g, '')}`;
  return ref;
}

/** `{ S: x }` / `{ N: x }` (low-level attribute values) → x; `marshall(obj)` → obj. */
export function attributeValueExpression(expression: ts.Expression, file: FileContext): Located {
  const view = objectView(expression, file);
  if (view && view.properties.size === 1) {
    const [only] = view.properties.values();
    if (/^(S|N|B|BOOL|SS|NS|M|L)$/.test(only.name) && only.value) return { node: only.value, file: only.file };
  }
  return { node: expression, file };
}

/** An item/key object, looking through `marshall({...})` from @aws-sdk/util-dynamodb. */
export function attributeMapView(expression: ts.Expression | undefined, file: FileContext): ObjectView | undefined {
  if (!expression) return undefined;
  const resolved = resolveValue(expression, file);
  const node = resolved.node;
  if (ts.isCallExpression(node) && node.arguments.length >= 1) {
    const reference = moduleReferenceOf(node.expression);
    if (reference?.module.endsWith('util-dynamodb') && reference.path.at(-1) === 'marshall') {
      return objectView(node.arguments[0], resolved.file);
    }
  }
  return objectView(node as ts.Expression, resolved.file);
}

/** Replaces `#name` placeholders in an expression string by their ExpressionAttributeNames values. */
export function resolveExpressionNames(text: string | undefined, params: ObjectView | undefined): string | undefined {
  if (text === undefined) return undefined;
  const namesProperty = params?.properties.get('ExpressionAttributeNames');
  const names = namesProperty?.value ? objectView(namesProperty.value, namesProperty.file) : undefined;
  return text.replace(/#[A-Za-z0-9_]+/g, (placeholder) => {
    const property = names?.properties.get(placeholder);
    const value = property ? staticValue(property.value, property.file) : undefined;
    return value?.kind === 'string' ? value.value : placeholder;
  });
}

/** `SET a = :v, #b = :w REMOVE c` → attribute → value placeholder, for the SET clause. */
export function parseUpdateSet(text: string): Map<string, string> {
  const assignments = new Map<string, string>();
  const set = /\bSET\b([\s\S]*?)(?=\b(REMOVE|ADD|DELETE)\b|$)/i.exec(text);
  if (!set) return assignments;
  for (const part of set[1].split(',')) {
    const match = /^\s*([#A-Za-z0-9_.]+)\s*=\s*(.+?)\s*$/.exec(part);
    if (match) assignments.set(match[1], match[2]);
  }
  return assignments;
}

/** The static string of a params property (`ConditionExpression: '…'`). */
export function stringProperty(params: ObjectView | undefined, name: string): string | undefined {
  const property = params?.properties.get(name);
  if (!property?.value) return undefined;
  const value = staticValue(property.value, property.file);
  return value?.kind === 'string' ? value.value : undefined;
}

/** Whether an enclosing class extends a session `Store` (express-session, connect, …). */
export function enclosingSessionStoreClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  let current: ts.Node | undefined = node.parent;
  while (current) {
    if (ts.isClassDeclaration(current) || ts.isClassExpression(current)) {
      for (const clause of current.heritageClauses ?? []) {
        if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
        for (const type of clause.types) {
          const reference = moduleReferenceOf(type.expression);
          const last = reference?.path.at(-1) ?? accessedNameOrIdentifier(unwrap(type.expression));
          if (last === 'Store') return current;
        }
      }
    }
    current = current.parent;
  }
  return undefined;
}

function accessedNameOrIdentifier(expression: ts.Expression): string | undefined {
  if (!ts.isIdentifier(expression)) return accessedName(expression);
  // `const Store = session.Store; class S extends Store {}`
  const declaration = findDeclaration(expression);
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const initializer = unwrap(declaration.initializer);
    return moduleReferenceOf(initializer)?.path.at(-1) ?? accessedName(initializer) ?? expression.text;
  }
  return expression.text;
}

/**
 * Whether a key value names a derived item rather than a session by its id: a literal prefix that
 * is not a session prefix (`'user#' + userId`), as single-table designs key index items.
 */
export function isDerivedKey(value: Located | undefined): boolean {
  if (!value) return false;
  const node = unwrap(value.node);
  let prefix: string | undefined;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = staticValue(node.left, value.file);
    if (left?.kind === 'string') prefix = left.value;
  } else if (ts.isTemplateExpression(node)) {
    prefix = node.head.text;
  }
  return prefix !== undefined && prefix !== '' && !SESSION_WORD.test(prefix);
}

/** The first key attribute of an operation (its partition key, as far as the source shows). */
export function primaryKeyOf(operation: DynamoOperation): [string, Located] | undefined {
  const [first] = operation.keyAttributes;
  return first;
}

const factsCache = new WeakMap<FileContext, DynamoFileFacts>();

/**
 * Every DynamoDB request, table definition and session store configuration in a file, as the enabled
 * models see them, with session-table evidence joined across them. Computed once per file (one
 * iterative walk), so several rules can ask.
 */
export function dynamoFacts(file: FileContext): DynamoFileFacts {
  const cached = factsCache.get(file);
  if (cached) return cached;
  // Every construct the models recognise names a DynamoDB module or class in the file's own text.
  if (!/dynamo/i.test(file.text)) {
    const empty: DynamoFileFacts = {
      operations: [],
      allOperations: [],
      tables: [],
      stores: [],
      keyNames: new Map(),
      expiryNames: new Map(),
    };
    factsCache.set(file, empty);
    return empty;
  }
  const operations: DynamoOperation[] = [];
  const tables: DynamoTableDefinition[] = [];
  const stores: DynamoSessionStoreConfig[] = [];
  const indexAdditions: DynamoIndexAddition[] = [];
  const models = file.models;
  const stack: ts.Node[] = [file.sourceFile];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      for (const model of models) {
        if (ts.isCallExpression(node)) {
          const operation = model.dynamoOperation?.(node, file);
          if (operation) operations.push(operation);
          const addition = model.dynamoIndexAddition?.(node, file);
          if (addition) indexAdditions.push(addition);
        }
        const table = model.dynamoTableDefinition?.(node, file);
        if (table) tables.push(table);
        const store = model.dynamoSessionStore?.(node, file);
        if (store) stores.push(store);
      }
    }
    const children: ts.Node[] = [];
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  for (const addition of indexAdditions) {
    const table = tables.find((candidate) => candidate.node === addition.tableNode);
    table?.globalSecondaryIndexes.push(addition.index);
  }
  const allOperations = operations.flatMap((operation) => [operation, ...(operation.items ?? [])]);
  const facts: DynamoFileFacts = {
    operations,
    allOperations,
    tables,
    stores,
    keyNames: new Map(),
    expiryNames: new Map(),
  };
  joinFacts(facts);
  factsCache.set(file, facts);
  return facts;
}

function addTo(map: Map<string, Set<string>>, identity: string, name: string | undefined): void {
  if (name === undefined) return;
  let set = map.get(identity);
  if (!set) {
    set = new Set();
    map.set(identity, set);
  }
  set.add(name);
}

function joinFacts(facts: DynamoFileFacts): void {
  const sessionTables = new Map<string, string>();
  const markTable = (identity: string, reason: string) => {
    if (identity !== '(none)' && !sessionTables.has(identity)) sessionTables.set(identity, reason);
  };
  for (const store of facts.stores) {
    markTable(store.table.identity, `configured as a ${store.model} session table`);
    addTo(facts.keyNames, store.table.identity, store.hashKey);
  }
  for (const table of facts.tables) {
    addTo(facts.keyNames, table.table.identity, table.partitionKey?.name);
    addTo(facts.keyNames, table.table.identity, table.sortKey?.name);
    const evidence = tableNameEvidence(table.table) ?? constructIdEvidence(table.constructId);
    if (evidence) markTable(table.table.identity, evidence);
    if (table.partitionKey?.name && SESSION_KEY_NAME.test(table.partitionKey.name)) {
      markTable(table.table.identity, `partition key \`${table.partitionKey.name}\``);
    }
  }
  for (const operation of facts.allOperations) {
    const identity = operation.table.identity;
    if (operation.kind !== 'put')
      for (const name of operation.keyAttributes.keys()) addTo(facts.keyNames, identity, name);
    const evidence =
      tableNameEvidence(operation.table) ??
      [...operation.keyAttributes.keys()]
        .filter((name) => SESSION_KEY_NAME.test(name))
        .map((name) => `key attribute \`${name}\``)[0] ??
      (enclosingSessionStoreClass(operation.call) ? 'used by a session Store subclass' : undefined);
    if (evidence) markTable(identity, evidence);
  }
  // Puts: key attributes are the item's attributes the table is known to be keyed by.
  for (const operation of facts.allOperations) {
    if (operation.kind !== 'put' || !operation.item) continue;
    const known = facts.keyNames.get(operation.table.identity);
    for (const [name, property] of operation.item.properties) {
      const isKey = known ? known.has(name) : SESSION_KEY_NAME.test(name);
      if (isKey && property.value) {
        operation.keyAttributes.set(name, {
          ...attributeValueExpression(property.value, property.file),
          via: property.via,
        });
      }
    }
    for (const name of operation.item.properties.keys()) {
      if (EXPIRY_NAME.test(name)) addTo(facts.expiryNames, operation.table.identity, name);
    }
    if (!sessionTables.has(operation.table.identity)) {
      const sessionKey = [...operation.keyAttributes.keys()].find((name) => SESSION_KEY_NAME.test(name));
      if (sessionKey) markTable(operation.table.identity, `key attribute \`${sessionKey}\``);
    }
  }
  for (const operation of facts.allOperations) {
    for (const name of operation.updatedAttributes?.keys() ?? []) {
      if (EXPIRY_NAME.test(name)) addTo(facts.expiryNames, operation.table.identity, name);
    }
    const reason = sessionTables.get(operation.table.identity);
    operation.isSessionTable = reason !== undefined;
    operation.sessionEvidence = reason;
  }
  for (const table of facts.tables) {
    const reason = sessionTables.get(table.table.identity);
    table.isSessionTable = reason !== undefined;
    table.sessionEvidence = reason;
  }
}

function tableNameEvidence(table: DynamoTableRef): string | undefined {
  if (table.name !== undefined && SESSION_WORD.test(table.name)) return `table name \`${table.name}\``;
  if (table.envVar !== undefined && SESSION_WORD.test(table.envVar)) return `table from \`${table.envVar}\``;
  const text = table.expression?.getText();
  if (text !== undefined && SESSION_WORD.test(text)) return `table \`${text}\``;
  return undefined;
}

function constructIdEvidence(id: string | undefined): string | undefined {
  return id !== undefined && SESSION_WORD.test(id) ? `construct id \`${id}\`` : undefined;
}

/** The statement an expression is part of (walking up through awaits, `.promise()` and declarations). */
export function enclosingStatement(node: ts.Node): ts.Statement | undefined {
  let current: ts.Node | undefined = node;
  while (current && !ts.isSourceFile(current)) {
    if (ts.isStatement(current) && !ts.isBlock(current)) return current;
    if (isFunctionLike(current)) return undefined;
    current = current.parent;
  }
  return undefined;
}

/** The function an operation runs in (undefined at module top level). */
export function operationFunction(operation: DynamoOperation): ts.FunctionLikeDeclaration | undefined {
  return enclosingFunction(operation.call);
}

/** Property name of an object literal element, as written (helper for fixes). */
export function elementName(element: ts.ObjectLiteralElementLike): string | undefined {
  return propertyNameText(element.name);
}

/** What an expression computes when it is an epoch timestamp: its unit and whether it reads the clock. */
export interface EpochTime {
  /** Reads the current time (`Date.now()`, `new Date().getTime()`, a helper returning either). */
  clock: boolean;
  unit?: 'ms' | 's';
  /** Adds or subtracts something to the clock reading (a lifetime), rather than being "now". */
  offset: boolean;
}

const ROUNDING = new Set(['floor', 'round', 'ceil', 'trunc']);

/**
 * The unit of an epoch-time expression: `Date.now()` and `getTime()` are milliseconds, a division by
 * 1000 makes seconds, rounding and `String()` keep the unit, `+`/`-` keep the clock's unit. Follows
 * consts and local helper functions with a single returned expression (`nowSeconds()`).
 */
export function epochTime(expression: ts.Expression, file: FileContext, depth = 0): EpochTime | undefined {
  if (depth > 8) return undefined;
  const node = unwrap(expression);
  if (ts.isIdentifier(node)) {
    const resolved = resolveValue(node, file);
    return resolved.node !== node && ts.isExpression(resolved.node)
      ? epochTime(resolved.node, resolved.file, depth + 1)
      : undefined;
  }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.PlusToken) {
    const operand = unwrap(node.operand);
    if (ts.isNewExpression(operand) && ts.isIdentifier(operand.expression) && operand.expression.text === 'Date') {
      return { clock: true, unit: 'ms', offset: false };
    }
    return epochTime(operand, file, depth + 1);
  }
  if (ts.isCallExpression(node)) {
    const callee = unwrap(node.expression);
    const name = ts.isIdentifier(callee) ? callee.text : accessedName(callee);
    const owner =
      ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression.text : undefined;
    if (owner === 'Date' && (name === 'now' || name === 'parse')) return { clock: true, unit: 'ms', offset: false };
    if (ts.isPropertyAccessExpression(callee) && (name === 'getTime' || name === 'valueOf')) {
      return { clock: true, unit: 'ms', offset: false };
    }
    if (ts.isPropertyAccessExpression(callee) && name === 'toString')
      return epochTime(callee.expression, file, depth + 1);
    const first = node.arguments[0];
    if (
      first &&
      ((owner === 'Math' && ROUNDING.has(name ?? '')) || ['Number', 'String', 'parseInt'].includes(name ?? ''))
    ) {
      if (owner === 'Math' || ts.isIdentifier(callee)) return epochTime(first, file, depth + 1);
    }
    if (
      ts.isIdentifier(callee) ||
      (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword)
    ) {
      const returned = singleReturnedExpression(callee);
      if (returned) return epochTime(returned, file, depth + 1);
    }
    return undefined;
  }
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.SlashToken) {
      const left = epochTime(node.left, file, depth + 1);
      const divisor = staticValue(node.right, file);
      if (left?.unit === 'ms' && divisor?.kind === 'number' && divisor.value === 1000) return { ...left, unit: 's' };
      return left ? { ...left, unit: undefined } : undefined;
    }
    if (operator === ts.SyntaxKind.BarToken) return epochTime(node.left, file, depth + 1);
    if (operator === ts.SyntaxKind.PlusToken || operator === ts.SyntaxKind.MinusToken) {
      const left = epochTime(node.left, file, depth + 1);
      const right = epochTime(node.right, file, depth + 1);
      if (!left && !right) return undefined;
      const unit = left?.unit === 'ms' || right?.unit === 'ms' ? 'ms' : (left?.unit ?? right?.unit);
      return { clock: !!(left?.clock || right?.clock), unit, offset: true };
    }
  }
  return undefined;
}

/** For `f` / `this.f` naming a local function or method whose body is one `return expr`, that expr. */
function singleReturnedExpression(callee: ts.Expression): ts.Expression | undefined {
  let declaration: ts.Node | undefined;
  if (ts.isIdentifier(callee)) {
    declaration = findDeclaration(callee);
    if (declaration && ts.isVariableDeclaration(declaration)) declaration = declaration.initializer;
  } else if (ts.isPropertyAccessExpression(callee)) {
    declaration = classMethod(callee, callee.name.text);
  }
  if (!declaration || !isFunctionLike(declaration) || !declaration.body) return undefined;
  if (!ts.isBlock(declaration.body)) return declaration.body;
  const statements = declaration.body.statements;
  const last = statements.at(-1);
  return statements.length === 1 && last && ts.isReturnStatement(last) ? last.expression : undefined;
}

/** A method of the class enclosing `node`. */
export function classMethod(node: ts.Node, name: string): ts.MethodDeclaration | undefined {
  let current: ts.Node | undefined = node.parent;
  while (current && !ts.isClassDeclaration(current) && !ts.isClassExpression(current)) current = current.parent;
  if (!current) return undefined;
  return current.members.find(
    (member): member is ts.MethodDeclaration =>
      ts.isMethodDeclaration(member) && propertyNameText(member.name) === name && member.body !== undefined,
  );
}

/** Whether an expression mentions an expiry attribute (`item.expires`, `Number(Item.ttl.N)`, `expiresAt`). */
export function mentionsExpiry(expression: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && EXPIRY_NAME.test(node.text)) found = true;
    else if (ts.isStringLiteralLike(node) && EXPIRY_NAME.test(node.text)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

const COMPARISONS = new Set([
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);

/**
 * Whether a function compares an expiry attribute with something (`item.expires <= now`), itself or
 * in a local helper/method it calls (one level: `if (isExpired(item))`).
 */
export function comparesExpiry(fn: ts.Node, depth = 0): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      ts.isBinaryExpression(node) &&
      COMPARISONS.has(node.operatorToken.kind) &&
      (mentionsExpiry(node.left) || mentionsExpiry(node.right))
    ) {
      found = true;
      return;
    }
    if (depth === 0 && ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      let target: ts.Node | undefined;
      if (ts.isIdentifier(callee)) {
        const declaration = findDeclaration(callee);
        target =
          declaration && ts.isVariableDeclaration(declaration) ? declaration.initializer : (declaration as ts.Node);
      } else if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
        target = classMethod(callee, callee.name.text);
      }
      if (target && isFunctionLike(target) && target !== fn && comparesExpiry(target, depth + 1)) {
        found = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/** Whether the request's result is used (not a bare `await client.send(...)` statement). */
export function resultIsUsed(operation: DynamoOperation): boolean {
  const statement = enclosingStatement(operation.call);
  if (!statement || !ts.isExpressionStatement(statement)) return true;
  let expression = unwrap(statement.expression);
  if (ts.isAwaitExpression(expression)) expression = unwrap(expression.expression);
  if (ts.isCallExpression(expression) && accessedName(unwrap(expression.expression)) === 'promise') {
    const inner = unwrap(expression.expression);
    if (ts.isPropertyAccessExpression(inner)) expression = unwrap(inner.expression);
  }
  return expression !== operation.call;
}
