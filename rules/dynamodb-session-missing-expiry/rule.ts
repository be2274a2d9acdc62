import {
  comparesExpiry,
  type DynamoFileFacts,
  type DynamoOperation,
  defineRule,
  dynamoFacts,
  EXPIRY_NAME,
  enclosingFunction,
  enclosingStatement,
  epochTime,
  expiryMayBeAbsent,
  type FixDescriptor,
  insertFirstProperty,
  inSessionDeletion,
  isDerivedKey,
  judgedInWrapper,
  keyPrefix,
  type Located,
  prefixRole,
  primaryKeyOf,
  type RuleContext,
  resultIsUsed,
  SESSION_KEY_NAME,
  ts,
  unwrap,
  wrapperFunctions,
} from '../../src/api.js';
import meta from './meta.js';

export default defineRule(meta, (ctx) => ({
  onEnd() {
    const facts = dynamoFacts(ctx.file);
    const unguarded = facts.allOperations.filter((operation) => isUnguardedRead(ctx, operation));
    for (const operation of facts.allOperations) {
      if (!operation.isSessionTable || judgedInWrapper(operation) || isDerivedKey(primaryKeyOf(operation)?.[1]))
        continue;
      if (operation.kind === 'put') checkPut(ctx, operation);
      if (operation.kind === 'update') checkUpdate(ctx, operation, unguarded);
    }
    for (const read of unguarded) {
      ctx.report({ target: read.call, messageId: 'unguardedRead', fixes: guardFix(ctx, read, facts) });
    }
    for (const table of facts.tables) {
      if (!table.isSessionTable || table.kind === 'create-table' || table.timeToLiveAttribute) continue;
      if (!table.props?.complete || table.props.literal.getSourceFile() !== ctx.file.sourceFile) continue;
      const attribute = [...(facts.expiryNames.get(table.table.identity) ?? [])][0] ?? 'expires';
      ctx.report({
        target: table.node,
        messageId: 'cdkNoTtl',
        fixes: [
          {
            suggestionId: 'addTtl',
            data: { attribute },
            edits: [insertFirstProperty(table.props.literal, `timeToLiveAttribute: '${attribute}'`)],
          },
        ],
      });
    }
  },
}));

function isUnguardedRead(ctx: RuleContext, operation: DynamoOperation): boolean {
  if (operation.kind !== 'get' && operation.kind !== 'query') return false;
  if (!operation.isSessionTable || judgedInWrapper(operation) || operation.expiryCheckedBy) return false;
  if (isDerivedKey(primaryKeyOf(operation)?.[1]) || !resultIsUsed(operation)) return false;
  // A read in `destroy()`/`deleteSession()` only decides whether to delete: no session reaches the app.
  if (inSessionDeletion(operation.call)) return false;
  // A query on an index by another attribute (`shop = :shop`) lists items; it does not resolve a session id.
  if (operation.indexName !== undefined && !isSessionKeyed(operation)) return false;
  if (operation.resolvedFilter?.split(/[^A-Za-z0-9_]+/).some((word) => EXPIRY_NAME.test(word))) return false;
  const fn = enclosingFunction(operation.call);
  if (!fn) return false;
  // The check may live in the wrapper the read goes through (`readLive(sid)` compares `expires`).
  const checked = [{ node: fn, file: ctx.file }, ...wrapperFunctions(operation)];
  return !checked.some((candidate) => comparesExpiry(candidate.node, candidate.file));
}

/** Whether a read is keyed by the session id itself (a session attribute name or a session/token prefix). */
function isSessionKeyed(operation: DynamoOperation): boolean {
  return [...operation.keyAttributes].some(
    ([name, value]) => SESSION_KEY_NAME.test(name) || ['session', 'token'].includes(prefixRole(keyPrefix(value)) ?? ''),
  );
}

function checkPut(ctx: RuleContext, put: DynamoOperation): void {
  const item = put.item;
  if (!item) return;
  const expiry = [...item.properties.values()].filter((property) => EXPIRY_NAME.test(property.name));
  if (expiry.length === 0) {
    if (item.complete)
      ctx.report({
        target: item.literal.getSourceFile() === ctx.file.sourceFile ? item.literal : put.call,
        messageId: 'noExpiry',
      });
    return;
  }
  reportConditionalExpiry(
    ctx,
    put,
    expiry.map((property) => ({
      name: property.name,
      value: property.value && { node: property.value, file: property.file },
    })),
  );
  for (const property of expiry) {
    if (!property.value) continue;
    const value = lookThroughAttributeValue(property.value);
    checkMilliseconds(ctx, property.name, { node: value, file: property.file }, property.property);
  }
}

function checkUpdate(ctx: RuleContext, update: DynamoOperation, unguarded: DynamoOperation[]): void {
  reportConditionalExpiry(
    ctx,
    update,
    [...(update.updatedAttributes ?? [])]
      .filter(([attribute]) => EXPIRY_NAME.test(attribute))
      .map(([name, value]) => ({ name, value })),
  );
  for (const [attribute, value] of update.updatedAttributes ?? []) {
    if (!EXPIRY_NAME.test(attribute) || !value) continue;
    const node = lookThroughAttributeValue(value.node as ts.Expression);
    if (checkMilliseconds(ctx, attribute, { node, file: value.file }, value.node)) continue;
    const time = epochTime(node, value.file);
    const readsSameTable = unguarded.filter((read) => read.table.identity === update.table.identity);
    if (time?.clock && !time.offset && readsSameTable.length > 0) {
      ctx.report({
        target: update.call,
        messageId: 'expiryOnlyLogout',
        data: { attribute },
        related: readsSameTable.map((read) => ({ target: read.call, message: 'this read does not check expiry' })),
      });
    }
  }
}

/**
 * A write whose every expiry attribute can be left empty (`expires ? toSeconds(expires) : null`): when
 * the condition is false the item has no TTL and is never deleted. Reported once per write; an expiry
 * attribute written on every path (a second `ttl`, a default lifetime) makes the item expire.
 */
function reportConditionalExpiry(
  ctx: RuleContext,
  write: DynamoOperation,
  expiries: { name: string; value: Located | undefined }[],
): void {
  if (expiries.length === 0) return;
  const conditions: Located[] = [];
  for (const { value } of expiries) {
    const condition = value && expiryMayBeAbsent(value.node as ts.Expression, value.file);
    if (!condition) return;
    conditions.push(condition);
  }
  ctx.report({
    target: write.call,
    messageId: 'conditionalExpiry',
    data: { attribute: expiries.map((expiry) => expiry.name).join('`, `') },
    related: conditions.map((condition) => ({
      target: condition.node,
      message: 'when this is null or undefined, the item is written without an expiry',
    })),
  });
}

/** `{ N: String(x) }` was already looked through by the model; `String(x)` / `x.toString()` → x. */
function lookThroughAttributeValue(expression: ts.Expression): ts.Expression {
  const node = unwrap(expression);
  if (ts.isCallExpression(node)) {
    const callee = unwrap(node.expression);
    if (ts.isIdentifier(callee) && callee.text === 'String' && node.arguments[0]) return node.arguments[0];
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'toString') return callee.expression;
  }
  return node;
}

function checkMilliseconds(ctx: RuleContext, attribute: string, value: Located, target: ts.Node): boolean {
  const time = epochTime(value.node, value.file);
  if (time?.unit !== 'ms') return false;
  const node = value.node;
  const inFile = node.getSourceFile() === ctx.file.sourceFile;
  const inner =
    ts.isBinaryExpression(node) || ts.isConditionalExpression(node) ? `(${node.getText()})` : node.getText();
  ctx.report({
    target: target.getSourceFile() === ctx.file.sourceFile ? target : node,
    messageId: 'milliseconds',
    data: { attribute },
    fixes: inFile
      ? [
          {
            suggestionId: 'toSeconds',
            // A shorthand property (`{ expires }`) keeps its key: `{ expires: Math.floor(expires / 1000) }`.
            edits: [
              {
                start: node.getStart(),
                end: node.getEnd(),
                newText: ts.isShorthandPropertyAssignment(node.parent)
                  ? `${node.getText()}: Math.floor(${inner} / 1000)`
                  : `Math.floor(${inner} / 1000)`,
              },
            ],
          },
        ]
      : [],
  });
  return true;
}

/**
 * `const { Item } = await …` or `const result = await …` in a function that already returns null or
 * undefined somewhere: insert an expiry guard after the statement. Only for document clients
 * (plain values) and when the file writes a known expiry attribute to this table.
 */
function guardFix(ctx: RuleContext, read: DynamoOperation, facts: DynamoFileFacts): FixDescriptor[] {
  if (read.kind !== 'get' || read.lowLevel || read.wrapped) return [];
  const attribute = [...(facts.expiryNames.get(read.table.identity) ?? [])][0];
  const statement = enclosingStatement(read.call);
  const fn = enclosingFunction(read.call);
  if (!attribute || !statement || !fn || !ts.isVariableStatement(statement)) return [];
  const declaration = statement.declarationList.declarations[0];
  let item: string | undefined;
  if (ts.isIdentifier(declaration.name)) item = `${declaration.name.text}.Item`;
  else if (ts.isObjectBindingPattern(declaration.name)) {
    const element = declaration.name.elements.find(
      (e) => (e.propertyName ? e.propertyName.getText() : e.name.getText()) === 'Item' && ts.isIdentifier(e.name),
    );
    if (element) item = element.name.getText();
  }
  if (!item) return [];
  let absent: string | undefined;
  const visit = (node: ts.Node): void => {
    if (absent !== undefined || (node !== fn && ts.isFunctionLike(node))) return;
    if (ts.isReturnStatement(node)) {
      const value = node.expression && unwrap(node.expression);
      if (!value || (ts.isIdentifier(value) && value.text === 'undefined')) absent = 'undefined';
      else if (value.kind === ts.SyntaxKind.NullKeyword) absent = 'null';
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  if (!absent) return [];
  const member = /^[A-Za-z_$][\w$]*$/.test(attribute) ? `.${attribute}` : `['${attribute}']`;
  const text = ctx.file.text;
  const lineStart = text.lastIndexOf('\n', statement.getStart() - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const guard = `\n${indent}if (${item} && ${item}${member} <= Math.floor(Date.now() / 1000)) return ${absent};`;
  return [
    {
      suggestionId: 'addGuard',
      data: { item, attribute: member.replace(/^\./, ''), absent },
      safety: 'unsafe',
      edits: [{ start: statement.getEnd(), end: statement.getEnd(), newText: guard }],
    },
  ];
}
