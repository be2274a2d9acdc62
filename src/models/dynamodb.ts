import { ts } from '#typescript';
import { calledFunction } from '../analysis/call-targets.js';
import { importedModulesInText, isRelativeSpecifier, moduleReferenceOf } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import {
  accessedName,
  enclosingFunction,
  isFunctionLike,
  ownName,
  propertyNameText,
  unwrap,
} from '../analysis/syntax.js';
import {
  environmentVariableName,
  type Located,
  type ObjectView,
  objectView,
  resolveValue,
  staticValue,
} from '../analysis/values.js';
import {
  type DynamoFileFacts,
  type DynamoIndexAddition,
  type DynamoOperation,
  type DynamoSessionStoreConfig,
  type DynamoTableDefinition,
  type DynamoTableRef,
  SESSION_DELETION_METHOD,
} from './dynamodb-concepts.js';
import { keyPrefix, prefixRole, storeContractOf } from './dynamodb-roles.js';
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
export { SESSION_DELETION_METHOD } from './dynamodb-concepts.js';

/** Attribute names that hold a session id or a session token. */
export const SESSION_KEY_NAME = /^(sid|sess(ion)?[_-]?(id|key|token)|session|sessionid|(auth|access)?[_-]?token)$/i;
/** Attribute names that hold an expiry timestamp. */
export const EXPIRY_NAME =
  /^(expires?|expires?_?(at|on)|expire_?(date|time)|expir(y|ation)(_?(time|date))?|ttl|\w+_ttl|ttl_\w+|exp|valid_?until)$/i;
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

/**
 * Whether a key value names another entity rather than a session by its id: a literal prefix that
 * names neither a session nor a token (`'user#' + userId`, `BOOKING#…`), as single-table designs key
 * their other items.
 */
export function isDerivedKey(value: Located | undefined): boolean {
  return prefixRole(keyPrefix(value)) === 'other';
}

/** The first key attribute of an operation (its partition key, as far as the source shows). */
export function primaryKeyOf(operation: DynamoOperation): [string, Located] | undefined {
  const [first] = operation.keyAttributes;
  return first;
}

const factsCache = new WeakMap<FileContext, DynamoFileFacts>();
/** Files whose facts are being computed (a wrapper reached again through its own callers). */
const inProgress = new Set<FileContext>();

function emptyFacts(): DynamoFileFacts {
  return { operations: [], allOperations: [], tables: [], stores: [], keyNames: new Map(), expiryNames: new Map() };
}

/**
 * Every DynamoDB request, table definition and session store configuration in a file, as the enabled
 * models see them, with session-table evidence joined across them. Calls of the project's own
 * wrappers (`this.tables.read(table, pk)`, `db.put(params)`, in this file or an imported one) are
 * requests too: the wrapper's request with its parameters replaced by the call's arguments.
 * Computed once per file (one iterative walk), so several rules can ask.
 */
export function dynamoFacts(file: FileContext): DynamoFileFacts {
  const cached = factsCache.get(file);
  if (cached) return cached;
  // Every construct the models recognise names a DynamoDB module or class in the file's own text, in a
  // local module it imports (a wrapper), or in a file importing it (which hands a wrapper its client).
  const mentions = (other: FileContext) => /dynamo/i.test(other.text);
  if (inProgress.has(file) || !(mentions(file) || importsDynamoModule(file) || file.importers.some(mentions))) {
    const empty = emptyFacts();
    if (!inProgress.has(file)) factsCache.set(file, empty);
    return empty;
  }
  inProgress.add(file);
  try {
    const facts = computeFacts(file);
    factsCache.set(file, facts);
    return facts;
  } finally {
    inProgress.delete(file);
  }
}

/**
 * Whether a relative import of the file leads (within two hops) to a module that mentions DynamoDB.
 * Asked of every file with a session-id sink, so it reads the imported modules' text and never
 * parses them.
 */
function importsDynamoModule(file: FileContext): boolean {
  const seen = new Set<string>([file.absPath]);
  const visit = (specifiers: Set<string>, from: string, depth: number): boolean => {
    for (const specifier of specifiers) {
      if (!isRelativeSpecifier(specifier)) continue;
      const source = file.importedSource(specifier, from);
      if (!source || seen.has(source.absPath)) continue;
      seen.add(source.absPath);
      if (/dynamo/i.test(source.text)) return true;
      if (depth < 1 && visit(importedModulesInText(source.text), source.absPath, depth + 1)) return true;
    }
    return false;
  };
  return visit(file.importedModules, file.absPath, 0);
}

function computeFacts(file: FileContext): DynamoFileFacts {
  const operations: DynamoOperation[] = [];
  const tables: DynamoTableDefinition[] = [];
  const stores: DynamoSessionStoreConfig[] = [];
  const indexAdditions: DynamoIndexAddition[] = [];
  const otherCalls: ts.CallExpression[] = [];
  const models = file.models;
  const stack: ts.Node[] = [file.sourceFile];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      let recognised = false;
      for (const model of models) {
        if (ts.isCallExpression(node)) {
          const operation = model.dynamoOperation?.(node, file);
          if (operation) {
            operations.push(operation);
            recognised = true;
          }
          const addition = model.dynamoIndexAddition?.(node, file);
          if (addition) indexAdditions.push(addition);
        }
        const table = model.dynamoTableDefinition?.(node, file);
        if (table) tables.push(table);
        const store = model.dynamoSessionStore?.(node, file);
        if (store) stores.push(store);
      }
      if (!recognised && ts.isCallExpression(node)) otherCalls.push(node);
    }
    const children: ts.Node[] = [];
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  // Wrapper calls: two rounds, so a helper calling a helper in the same file is seen.
  const direct = [...operations];
  const derivedCalls = new Set<ts.CallExpression>();
  for (let round = 0; round < 2; round++) {
    const before = operations.length;
    for (const call of otherCalls) {
      if (derivedCalls.has(call)) continue;
      const derived = wrapperOperations(call, file, operations);
      if (derived.length === 0) continue;
      derivedCalls.add(call);
      operations.push(...derived);
    }
    // Nothing new in this round: the next would find nothing either.
    if (operations.length === before) break;
  }
  if (operations.length > direct.length) operations.sort((a, b) => a.call.pos - b.call.pos);
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
  joinFacts(facts, file);
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Wrappers: a project's own client or repository (`this.tables.read(table, pk)`, `db.put(params)`).
// The wrapper is summarised once per file (the requests each of its functions issues, from the
// wrapper file's own facts) and applied at each call: values that are the wrapper's parameters are
// replaced by the call's arguments.

/** The requests the function a call invokes issues, seen from the call. */
function wrapperOperations(call: ts.CallExpression, file: FileContext, sameFile: DynamoOperation[]): DynamoOperation[] {
  const target = calledFunction(call, file);
  if (!target?.node.body || target.node === enclosingFunction(call)) return [];
  const inner = (target.file === file ? sameFile : dynamoFacts(target.file).operations).filter(
    (operation) => operation.call !== call && contains(target.node, operation.call),
  );
  return inner.map((operation) => bindOperation(operation, target, call, file));
}

function contains(outer: ts.Node, inner: ts.Node): boolean {
  return inner.getSourceFile() === outer.getSourceFile() && inner.pos >= outer.pos && inner.end <= outer.end;
}

/** The argument a wrapper parameter (or a member of a destructured or object parameter) receives at a call. */
function argumentFor(
  value: Located,
  fn: ts.FunctionLikeDeclaration,
  call: ts.CallExpression,
  callerFile: FileContext,
  depth = 0,
): Located | undefined {
  if (depth > 4) return undefined;
  const node = unwrap(value.node);
  if (ts.isPropertyAccessExpression(node)) {
    const base = argumentFor({ node: node.expression, file: value.file }, fn, call, callerFile, depth + 1);
    const property = base ? objectView(base.node, base.file)?.properties.get(node.name.text) : undefined;
    return property?.value ? { node: property.value, file: property.file } : undefined;
  }
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = findDeclaration(node);
  if (!declaration) return undefined;
  if (ts.isParameter(declaration) && declaration.parent === fn) {
    const argument = call.arguments[fn.parameters.indexOf(declaration)];
    return argument && !ts.isSpreadElement(argument) ? { node: argument, file: callerFile } : undefined;
  }
  // `get({ tableName, key })`: a member of an object parameter.
  if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent)) {
    const parameter = declaration.parent.parent;
    if (!ts.isParameter(parameter) || parameter.parent !== fn || declaration.dotDotDotToken) return undefined;
    const argument = call.arguments[fn.parameters.indexOf(parameter)];
    const key = declaration.propertyName ?? declaration.name;
    const name = ts.isIdentifier(key) ? key.text : propertyNameText(key as ts.PropertyName);
    const property = argument && name ? objectView(argument, callerFile)?.properties.get(name) : undefined;
    if (property?.value) return { node: property.value, file: property.file };
    return declaration.initializer ? { node: declaration.initializer, file: value.file } : undefined;
  }
  // `const key = { pk }` inside the wrapper.
  if (ts.isVariableDeclaration(declaration) && declaration.initializer && contains(fn, declaration)) {
    return argumentFor({ node: declaration.initializer, file: value.file }, fn, call, callerFile, depth + 1);
  }
  return undefined;
}

/** The wrapper's request as issued by this call. */
function bindOperation(
  operation: DynamoOperation,
  target: Located<ts.FunctionLikeDeclaration>,
  call: ts.CallExpression,
  callerFile: FileContext,
  parent?: DynamoOperation,
): DynamoOperation {
  const fn = target.node;
  const bind = (value: Located) => argumentFor(value, fn, call, callerFile);
  const wrapped = { operation, fn, file: target.file };
  // `db.put(params)`: the caller passes the whole request.
  const paramsFile = operation.params?.file;
  const wholeParams =
    operation.paramsExpression && operation.redescribe
      ? bind({ node: operation.paramsExpression, file: paramsFile ?? callerFile })
      : undefined;
  if (wholeParams && !parent) {
    const described = operation.redescribe!(wholeParams.node, wholeParams.file);
    const derived: DynamoOperation = { ...described, call, wrapped, bind };
    derived.items = described.items?.map((item) => ({ ...item, call, transaction: derived }));
    return derived;
  }
  const derived: DynamoOperation = {
    ...operation,
    call,
    wrapped,
    bind,
    keyAttributes: new Map(),
    isSessionTable: false,
    sessionEvidence: undefined,
    transaction: parent,
  };
  const tableValue = operation.table.expression && bindIn(operation.table.expression, operation, bind);
  if (tableValue) derived.table = tableRef(tableValue.node, tableValue.file);
  const keyProperty = operation.params?.properties.get('Key');
  const wholeKey = keyProperty?.value ? bind({ node: keyProperty.value, file: keyProperty.file }) : undefined;
  const keyView = wholeKey ? attributeMapView(wholeKey.node, wholeKey.file) : undefined;
  if (keyView) {
    for (const [name, property] of keyView.properties) {
      if (property.value) derived.keyAttributes.set(name, attributeValueExpression(property.value, property.file));
    }
  } else {
    for (const [name, value] of operation.keyAttributes) derived.keyAttributes.set(name, bind(value) ?? value);
  }
  const itemProperty = operation.params?.properties.get('Item');
  const wholeItem = itemProperty?.value ? bind({ node: itemProperty.value, file: itemProperty.file }) : undefined;
  if (wholeItem) derived.item = attributeMapView(wholeItem.node, wholeItem.file);
  if (operation.updatedAttributes) {
    const names = operation.params?.properties.get('ExpressionAttributeNames');
    const namesView = names?.value ? objectView(names.value, names.file) : undefined;
    derived.updatedAttributes = new Map();
    for (const [name, value] of operation.updatedAttributes) {
      let attribute = name;
      const placeholder = name.startsWith('#') ? namesView?.properties.get(name) : undefined;
      const bound = placeholder?.value ? bind({ node: placeholder.value, file: placeholder.file }) : undefined;
      const text = bound ? staticValue(bound.node, bound.file) : undefined;
      if (text?.kind === 'string') attribute = text.value;
      derived.updatedAttributes.set(attribute, value ? (bind(value) ?? value) : undefined);
    }
  }
  const consistent = operation.params?.properties.get('ConsistentRead');
  const boundConsistent = consistent?.value ? bind({ node: consistent.value, file: consistent.file }) : undefined;
  if (boundConsistent) {
    const value = staticValue(boundConsistent.node, boundConsistent.file);
    derived.consistentRead = value?.kind === 'boolean' ? value.value : 'dynamic';
  }
  derived.items = operation.items?.map((item) => bindOperation(item, target, call, callerFile, derived));
  return derived;
}

/** The request a chain of wrappers finally issues (the operation itself when it is not a wrapper call). */
export function innermostOperation(operation: DynamoOperation): DynamoOperation {
  let current = operation;
  while (current.wrapped) current = current.wrapped.operation;
  return current;
}

/** The file of the request a chain of wrappers finally issues (undefined when it is the operation itself). */
function innermostFile(operation: DynamoOperation): FileContext | undefined {
  let file: FileContext | undefined;
  for (let current = operation.wrapped; current; current = current.operation.wrapped) file = current.file;
  return file;
}

/**
 * Whether a wrapper call only repeats a request already judged inside the wrapper (its own request is
 * on a session table there): rules report it there, not at every caller.
 */
export function judgedInWrapper(operation: DynamoOperation): boolean {
  return operation.wrapped?.operation.isSessionTable === true;
}

/** The wrapper functions a call goes through, outermost first, with their files. */
export function wrapperFunctions(operation: DynamoOperation): Located<ts.FunctionLikeDeclaration>[] {
  const found: Located<ts.FunctionLikeDeclaration>[] = [];
  for (let current = operation.wrapped; current; current = current.operation.wrapped) {
    found.push({ node: current.fn, file: current.file });
  }
  return found;
}

function bindIn(expression: ts.Expression, operation: DynamoOperation, bind: (value: Located) => Located | undefined) {
  const file = operation.params?.properties.get('TableName')?.file ?? operation.params?.file;
  return file ? bind({ node: expression, file }) : undefined;
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

/** Key and item evidence that an operation's item is a session (see dynamodb-roles.ts). */
function keyEvidence(operation: DynamoOperation): string | undefined {
  for (const [name, value] of operation.keyAttributes) {
    if (SESSION_KEY_NAME.test(name)) return `key attribute \`${name}\``;
    const prefix = keyPrefix(value);
    const role = prefixRole(prefix);
    if (role === 'session') return `items keyed \`${prefix}…\``;
    if (role === 'token' && carriesSessionData(operation))
      return `items keyed \`${prefix}…\` carry a user or an expiry`;
  }
  return undefined;
}

/** A written item with a user id or an expiry (what a session token's item holds). */
function carriesSessionData(operation: DynamoOperation): boolean {
  const names = [...(operation.item?.properties.keys() ?? []), ...(operation.updatedAttributes?.keys() ?? [])];
  return names.some((name) => USER_ID_NAME.test(name) || EXPIRY_NAME.test(name));
}

function joinFacts(facts: DynamoFileFacts, file: FileContext): void {
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
  // Puts: key attributes are the item's attributes the table is known to be keyed by.
  const keyedPuts = () => {
    for (const operation of facts.allOperations) {
      if (operation.kind !== 'put' || !operation.item) continue;
      const known = facts.keyNames.get(operation.table.identity);
      for (const [name, property] of operation.item.properties) {
        const isKey = known ? known.has(name) : SESSION_KEY_NAME.test(name);
        if (isKey && property.value && !operation.keyAttributes.has(name)) {
          const value = { ...attributeValueExpression(property.value, property.file), via: property.via };
          operation.keyAttributes.set(name, operation.bind?.(value) ?? value);
        }
      }
    }
  };
  for (const operation of facts.allOperations) {
    const identity = operation.table.identity;
    if (operation.kind !== 'put')
      for (const name of operation.keyAttributes.keys()) addTo(facts.keyNames, identity, name);
  }
  keyedPuts();
  for (const operation of facts.allOperations) {
    const identity = operation.table.identity;
    // The store is the one around the request the wrappers finally issue, in that request's file.
    const contract = storeContractOf(innermostOperation(operation).call, innermostFile(operation) ?? file);
    if (contract?.expiryCheckedBy) operation.expiryCheckedBy = contract.expiryCheckedBy;
    const evidence = tableNameEvidence(operation.table) ?? keyEvidence(operation) ?? contract?.evidence;
    if (evidence) markTable(identity, evidence);
    for (const name of [...(operation.item?.properties.keys() ?? []), ...(operation.updatedAttributes?.keys() ?? [])]) {
      if (EXPIRY_NAME.test(name)) addTo(facts.expiryNames, identity, name);
    }
  }
  for (const operation of facts.allOperations) {
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

/**
 * Whether `node` runs in a session store method that ends the session (`destroy`, `deleteSession`; see
 * SESSION_DELETION_METHOD), also inside an unnamed callback of one (`destroy(sid, cb) { doc.get(p, (e,
 * r) => …) }`).
 */
export function inSessionDeletion(node: ts.Node): boolean {
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    const name = ownName(fn);
    if (name) return SESSION_DELETION_METHOD.test(propertyNameText(name) ?? '');
  }
  return false;
}

/**
 * Where an expiry value can leave the item without one: a conditional with a `null`/`undefined`
 * branch (`expires ? toSeconds(expires) : null`), a short circuit (`expires && toSeconds(expires)`,
 * which yields the falsy `expires`), or a `??`/`||` fallback to such a value; followed through consts.
 * express-session's default cookie has no `expires`, so such a store writes every item without a TTL.
 * A default lifetime in the other branch (`expires ? toSeconds(expires) : now + DAY`) expires on every
 * path.
 */
export function expiryMayBeAbsent(expression: ts.Expression, file: FileContext, depth = 0): Located | undefined {
  if (depth > 8) return undefined;
  const node = unwrap(expression);
  if (ts.isConditionalExpression(node)) {
    if (isNoValue(node.whenTrue, file) || isNoValue(node.whenFalse, file)) return { node, file };
    return expiryMayBeAbsent(node.whenTrue, file, depth + 1) ?? expiryMayBeAbsent(node.whenFalse, file, depth + 1);
  }
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.AmpersandAmpersandToken) return { node, file };
    if (operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.BarBarToken) {
      return isNoValue(node.right, file) ? { node, file } : expiryMayBeAbsent(node.right, file, depth + 1);
    }
    return undefined;
  }
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
    const resolved = resolveValue(node, file);
    return resolved.node !== node && ts.isExpression(resolved.node)
      ? expiryMayBeAbsent(resolved.node, resolved.file, depth + 1)
      : undefined;
  }
  return undefined;
}

/** `null`, `undefined`, `void 0`, or a const holding one. */
function isNoValue(expression: ts.Expression, file: FileContext): boolean {
  const node = unwrap(expression);
  if (node.kind === ts.SyntaxKind.NullKeyword || ts.isVoidExpression(node)) return true;
  if (!ts.isIdentifier(node)) return false;
  if (node.text === 'undefined') return true;
  const resolved = resolveValue(node, file).node;
  return resolved !== node && resolved.kind === ts.SyntaxKind.NullKeyword;
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
      const returned = singleReturnedExpression(callee, file);
      if (returned) return epochTime(returned.node, returned.file, depth + 1);
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

/** For `f` / `this.f` naming a function or method (local or imported) whose body is one `return expr`, that expr. */
function singleReturnedExpression(callee: ts.Expression, file: FileContext): Located | undefined {
  let declaration: ts.Node | undefined;
  let declarationFile = file;
  if (ts.isIdentifier(callee)) {
    const resolved = resolveValue(callee, file);
    declaration = resolved.node;
    declarationFile = resolved.file;
  } else if (ts.isPropertyAccessExpression(callee)) {
    declaration = classMethod(callee, callee.name.text);
  }
  if (!declaration || !isFunctionLike(declaration) || !declaration.body) return undefined;
  if (!ts.isBlock(declaration.body)) return { node: declaration.body, file: declarationFile };
  const statements = declaration.body.statements;
  const last = statements.at(-1);
  return statements.length === 1 && last && ts.isReturnStatement(last) && last.expression
    ? { node: last.expression, file: declarationFile }
    : undefined;
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

/** A variable holding the expiry attribute's name (`item[this.ttlKey]`, `item[ttlAttribute]`). */
const EXPIRY_NAME_HOLDER = /^_?(.+?)_?(key|attribute|attr|field|name|column)$/i;

/**
 * Whether an expression mentions an expiry attribute (`item.expires`, `Number(Item.ttl.N)`,
 * `expiresAt`, `Item[this.ttlKey]`).
 */
export function mentionsExpiry(expression: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const holder = ts.isIdentifier(node) ? EXPIRY_NAME_HOLDER.exec(node.text) : null;
    if (ts.isIdentifier(node) && (EXPIRY_NAME.test(node.text) || (holder && EXPIRY_NAME.test(holder[1])))) found = true;
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
 * in a helper it calls (one level): a local or imported function (`isExpired(item)`), a class method
 * or a prototype method (`this.getParsedSession(item)` with `Store.prototype.getParsedSession = …`).
 */
export function comparesExpiry(fn: ts.Node, file?: FileContext, depth = 0): boolean {
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
      const target = helperFunction(node, file);
      if (target && target.node !== fn && comparesExpiry(target.node, target.file, depth + 1)) {
        found = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/** The function a helper call runs: a local or imported function, `this.m` as a class or prototype method. */
function helperFunction(call: ts.CallExpression, file: FileContext | undefined): Located<ts.Node> | undefined {
  const callee = unwrap(call.expression);
  let target: ts.Node | undefined;
  if (ts.isIdentifier(callee)) {
    if (file) {
      const resolved = resolveValue(callee, file);
      if (isFunctionLike(resolved.node)) return resolved;
    }
    const declaration = findDeclaration(callee);
    target = declaration && ts.isVariableDeclaration(declaration) ? declaration.initializer : (declaration as ts.Node);
  } else if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    target = classMethod(callee, callee.name.text) ?? prototypeMethod(callee, callee.name.text);
  }
  // Without the file, only the node matters (same-file helpers need no cross-file resolution).
  return target && isFunctionLike(target) ? { node: target, file: file as FileContext } : undefined;
}

/** `X.prototype.name = function …` in the file of a `this.name` call made inside another `X.prototype` method. */
function prototypeMethod(node: ts.Node, name: string): ts.Node | undefined {
  const sourceFile = node.getSourceFile();
  let methods = prototypeMethods.get(sourceFile);
  if (!methods) {
    methods = new Map();
    // Anywhere in the file: stores are often defined inside a factory (`module.exports = function
    // (connect) { function Store() {}; Store.prototype.get = function … }`, connect-dynamodb).
    const found = methods;
    const visit = (current: ts.Node): void => {
      if (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const left = current.left;
        const owner = ts.isPropertyAccessExpression(left) ? unwrap(left.expression) : undefined;
        const value = unwrap(current.right);
        if (
          owner &&
          ts.isPropertyAccessExpression(owner) &&
          owner.name.text === 'prototype' &&
          isFunctionLike(value) &&
          !found.has((left as ts.PropertyAccessExpression).name.text)
        ) {
          found.set((left as ts.PropertyAccessExpression).name.text, value);
        }
      }
      ts.forEachChild(current, visit);
    };
    visit(sourceFile);
    prototypeMethods.set(sourceFile, methods);
  }
  return methods.get(name);
}

/** `X.prototype.name = function …` assignments of a file, by method name (first one wins). */
const prototypeMethods = new WeakMap<ts.SourceFile, Map<string, ts.Node>>();

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
