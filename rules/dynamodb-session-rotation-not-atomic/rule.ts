import {
  type DynamoOperation,
  defineRule,
  dynamoFacts,
  enclosingFunction,
  enclosingStatement,
  type FixDescriptor,
  findDeclaration,
  insertFirstProperty,
  isDerivedKey,
  primaryKeyOf,
  type RuleContext,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

const KEYED = new Set(['get', 'delete', 'update', 'query']);

export default defineRule(meta, (ctx) => ({
  onEnd() {
    const facts = dynamoFacts(ctx.file);
    const byFunction = new Map<ts.Node, DynamoOperation[]>();
    for (const operation of facts.allOperations) {
      if (!operation.isSessionTable) continue;
      const fn = enclosingFunction(operation.call);
      if (!fn) continue;
      byFunction.set(fn, [...(byFunction.get(fn) ?? []), operation]);
    }
    for (const operations of byFunction.values()) checkFunction(ctx, operations);
  },
}));

function keyText(operation: DynamoOperation): string | undefined {
  const key = primaryKeyOf(operation);
  if (!key) return undefined;
  return (key[1].via ?? key[1].node).getText().replace(/\s+/g, '');
}

function checkFunction(ctx: RuleContext, operations: DynamoOperation[]): void {
  for (const put of operations) {
    if (put.kind !== 'put' || isDerivedKey(primaryKeyOf(put)?.[1])) continue;
    const putKey = keyText(put);
    const old = operations.filter((other) => {
      if (other === put || !KEYED.has(other.kind) || other.table.identity !== put.table.identity) return false;
      // Both issued by one wrapper call: the wrapper itself is judged where it is written.
      if (other.wrapped && put.wrapped && other.call === put.call) return false;
      const key = primaryKeyOf(other);
      if (!key || isDerivedKey(key[1])) return false;
      // With the put's key unseen, only a delete says "another item": a get may be a read-modify-write.
      return putKey === undefined ? other.kind === 'delete' : keyText(other) !== putKey;
    });
    if (old.length === 0) continue;
    const deletes = old.filter((other) => other.kind === 'delete');
    const keyName = primaryKeyOf(put)?.[0] ?? primaryKeyOf(deletes[0] ?? old[0])?.[0];
    const atomic = put.transaction?.kind === 'transactWrite' && deletes.some((d) => d.transaction === put.transaction);
    if (atomic) {
      if (!hasNotExists(put, keyName)) {
        const literal = put.params?.literal;
        const fixable = literal && inFile(ctx, literal) && !put.params?.properties.has('ConditionExpression');
        const names = put.params?.properties.has('ExpressionAttributeNames');
        ctx.report({
          target: put.paramsExpression ?? put.call,
          messageId: 'putNotConditional',
          data: { key: keyName ?? '<partition key>' },
          fixes:
            fixable && keyName && !names
              ? [
                  {
                    suggestionId: 'addNotExists',
                    data: { key: keyName },
                    edits: [
                      insertFirstProperty(
                        literal,
                        `ConditionExpression: ${quote(ctx, 'attribute_not_exists(#pk)')}, ExpressionAttributeNames: { ${quote(ctx, '#pk')}: ${quote(ctx, keyName)} }`,
                      ),
                    ],
                  },
                ]
              : [],
        });
      }
      continue;
    }
    const separate = deletes.find((d) => d.transaction === undefined) ?? deletes[0];
    const reference = separate ?? old[0];
    const oldKeyValue = primaryKeyOf(reference)?.[1];
    const oldKey = (oldKeyValue?.via ?? oldKeyValue?.node)?.getText() ?? '?';
    const fix = separate && keyName ? transactionFix(ctx, put, separate, keyName) : undefined;
    ctx.report({
      target: put.transaction ? (put.paramsExpression ?? put.call) : put.call,
      messageId: separate ? 'separateDelete' : 'neverDeleted',
      data: { oldKey },
      related: [
        {
          target: reference.call,
          message: separate ? 'the old key is deleted here, separately' : 'the old key is read here and kept',
        },
      ],
      fixes: fix ? [fix] : [],
    });
  }
}

function hasNotExists(put: DynamoOperation, keyName: string | undefined): boolean {
  const condition = put.resolvedCondition ?? '';
  for (const match of condition.matchAll(/attribute_not_exists\s*\(\s*([^)\s]+)\s*\)/g)) {
    if (keyName === undefined || match[1] === keyName) return true;
  }
  return false;
}

function inFile(ctx: RuleContext, node: ts.Node): boolean {
  return node.getSourceFile() === ctx.file.sourceFile;
}

function quote(ctx: RuleContext, text: string): string {
  const double = /^import[^\n]*from\s*"/m.test(ctx.file.text) || /require\("/.test(ctx.file.text);
  return double ? JSON.stringify(text) : `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Indentation of the line a position is on. */
function lineIndent(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** A property's text, re-indented from its original line indentation to `indent`. */
function reindented(ctx: RuleContext, node: ts.Node, indent: string): string {
  const start = node.getStart(ctx.file.sourceFile);
  const original = lineIndent(ctx.file.text, start);
  return ctx.file.text
    .slice(start, node.getEnd())
    .split('\n')
    .map((line, index) => (index > 0 && line.startsWith(original) ? indent + line.slice(original.length) : line))
    .join('\n');
}

/** The request's properties as lines, plus the conditional-write properties. */
function requestBody(ctx: RuleContext, operation: DynamoOperation, condition: string, keyName: string, indent: string) {
  const expression = operation.paramsExpression ? unwrap(operation.paramsExpression) : undefined;
  const lines =
    expression && ts.isObjectLiteralExpression(expression)
      ? expression.properties.map((property) => `${indent}${reindented(ctx, property, indent)},`)
      : [`${indent}...${operation.paramsExpression?.getText()},`];
  lines.push(`${indent}ConditionExpression: ${quote(ctx, condition)},`);
  lines.push(`${indent}ExpressionAttributeNames: { ${quote(ctx, '#pk')}: ${quote(ctx, keyName)} },`);
  return lines;
}

/** Identifiers the delete's params use must be declared before the put (the merged write runs there). */
function declaredBefore(operation: DynamoOperation, position: number): boolean {
  let ok = true;
  const visit = (node: ts.Node): void => {
    if (!ok) return;
    if (ts.isIdentifier(node) && !(ts.isPropertyAssignment(node.parent) && node.parent.name === node)) {
      const declaration = findDeclaration(node);
      if (declaration && declaration.getSourceFile() === node.getSourceFile() && declaration.getStart() > position) {
        ok = false;
      }
    }
    ts.forEachChild(node, visit);
  };
  if (operation.paramsExpression) visit(operation.paramsExpression);
  return ok;
}

/**
 * Merges a separate put and delete into one transaction: the put's request becomes the transaction
 * (same client, same `await`), the delete statement is removed, and the transaction command is
 * imported when the put's command was.
 */
function transactionFix(
  ctx: RuleContext,
  put: DynamoOperation,
  remove: DynamoOperation,
  keyName: string,
): FixDescriptor | undefined {
  if (put.transaction || remove.transaction || put.sdk !== remove.sdk || put.lowLevel !== remove.lowLevel) return;
  if (put.wrapped || remove.wrapped) return;
  for (const operation of [put, remove]) {
    if (!inFile(ctx, operation.call) || !operation.params?.complete) return;
    if (operation.params.properties.has('ConditionExpression')) return;
    if (operation.params.properties.has('ExpressionAttributeNames')) return;
    if (operation.command && unwrap(operation.call.arguments[0]) !== operation.command) return;
  }
  const putStatement = enclosingStatement(put.call);
  const deleteStatement = enclosingStatement(remove.call);
  if (!putStatement || !deleteStatement || !ts.isExpressionStatement(deleteStatement)) return;
  if (putStatement.parent !== deleteStatement.parent) return;
  if (!declaredBefore(remove, putStatement.getStart())) return;
  const text = ctx.file.text;
  const base = lineIndent(text, (put.command ?? put.call).getStart());
  const step = /\n( +|\t)\S/.exec(text)?.[1].startsWith('\t') ? '\t' : '  ';
  const i1 = base + step;
  const i2 = i1 + step;
  const i3 = i2 + step;
  const i4 = i3 + step;
  const body = [
    '{',
    `${i1}TransactItems: [`,
    `${i2}{`,
    `${i3}Put: {`,
    ...requestBody(ctx, put, 'attribute_not_exists(#pk)', keyName, i4),
    `${i3}},`,
    `${i2}},`,
    `${i2}{`,
    `${i3}Delete: {`,
    ...requestBody(ctx, remove, 'attribute_exists(#pk)', keyName, i4),
    `${i3}},`,
    `${i2}},`,
    `${i1}],`,
    `${base}}`,
  ].join('\n');

  const edits: FixDescriptor['edits'] = [];
  let command: string;
  if (put.command) {
    command = put.sdk === 'lib' ? 'TransactWriteCommand' : 'TransactWriteItemsCommand';
    const module = put.sdk === 'lib' ? '@aws-sdk/lib-dynamodb' : '@aws-sdk/client-dynamodb';
    const callee = unwrap(put.command.expression);
    let reference = command;
    if (ts.isPropertyAccessExpression(callee)) {
      reference = `${callee.expression.getText()}.${command}`;
    } else {
      const importEdit = importEditFor(ctx, module, command);
      if (importEdit === undefined) return;
      if (importEdit) edits.push(importEdit);
    }
    edits.push({ start: put.command.getStart(), end: put.command.getEnd(), newText: `new ${reference}(${body})` });
  } else {
    const callee = unwrap(put.call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return;
    command = put.lowLevel ? 'transactWriteItems' : 'transactWrite';
    edits.push({
      start: put.call.getStart(),
      end: put.call.getEnd(),
      newText: `${callee.expression.getText()}.${command}(${body})`,
    });
  }
  const removal = removeStatement(text, deleteStatement);
  // When the delete statement encloses the put (found by fuzzing: a put nested inside the delete's
  // callback), the two edits would overlap and no single textual rewrite is right: offer no fix.
  if (edits.some((edit) => edit.start < removal.end && removal.start < edit.end)) return;
  edits.push(removal);
  return { suggestionId: 'transactWrite', data: { command, key: keyName }, safety: 'unsafe', edits };
}

/** Removes a statement (and the comment lines right above it) with its lines when alone on them. */
function removeStatement(text: string, statement: ts.Statement) {
  let start = statement.getStart();
  let end = statement.getEnd();
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end);
  if (
    /^[ \t]*$/.test(text.slice(lineStart, start)) &&
    /^[ \t]*$/.test(text.slice(end, lineEnd < 0 ? undefined : lineEnd))
  ) {
    start = lineStart;
    end = lineEnd < 0 ? text.length : lineEnd + 1;
    // A comment on its own lines right above describes the removed call ("delete the old key").
    for (const comment of (ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []).reverse()) {
      const commentLineStart = text.lastIndexOf('\n', comment.pos - 1) + 1;
      const between = text.slice(comment.end, start);
      if (!/^[ \t]*\n$/.test(between) || !/^[ \t]*$/.test(text.slice(commentLineStart, comment.pos))) break;
      start = commentLineStart;
    }
  }
  return { start, end, newText: '' };
}

/**
 * An edit importing `name` from `module` next to the file's existing named import (or destructured
 * require); null when already imported; undefined when there is nowhere sensible to add it.
 */
function importEditFor(ctx: RuleContext, module: string, name: string) {
  for (const statement of ctx.file.sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (statement.moduleSpecifier.text !== module || statement.importClause?.isTypeOnly) continue;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings)) continue;
      if (bindings.elements.some((element) => element.name.text === name)) return null;
      const last = bindings.elements.at(-1);
      if (!last) continue;
      return { start: last.getEnd(), end: last.getEnd(), newText: `, ${name}` };
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const initializer = declaration.initializer && unwrap(declaration.initializer);
        if (
          !initializer ||
          !ts.isCallExpression(initializer) ||
          !ts.isIdentifier(initializer.expression) ||
          initializer.expression.text !== 'require' ||
          !ts.isObjectBindingPattern(declaration.name)
        ) {
          continue;
        }
        const argument = initializer.arguments[0];
        if (!argument || !ts.isStringLiteral(argument) || argument.text !== module) continue;
        const elements = declaration.name.elements;
        if (elements.some((element) => ts.isIdentifier(element.name) && element.name.text === name)) return null;
        const last = elements.at(-1);
        if (!last) continue;
        return { start: last.getEnd(), end: last.getEnd(), newText: `, ${name}` };
      }
    }
  }
  return undefined;
}
