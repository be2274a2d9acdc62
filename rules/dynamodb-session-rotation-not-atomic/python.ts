import {
  argumentsOf,
  boto3,
  definePythonRule,
  descendantsOfType,
  type DynamoRequest,
  dynamoRequest,
  enclosingFunction,
  field,
  indentationOf,
  isCallStatement,
  keywordArgument,
  type PythonFileContext,
  receiverOf,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/**
 * boto3: in one function, a `put_item` of a session item and a separate `delete_item` of a session
 * key (the write-up's `rotate_session_key`). `transact_write_items` is one request and is not judged.
 */
export default definePythonRule(meta, (ctx) => ({
  function_definition(fn) {
    const requests = descendantsOfType(fn, 'call')
      .filter((call) => enclosingFunction(call)?.id === fn.id)
      .map((call) => dynamoRequest(call, ctx.file))
      .filter((request): request is DynamoRequest => request?.sessionTable === true);
    const put = requests.find((request) => boto3.puts.has(request.operation));
    const deletion = requests.find((request) => boto3.deletes.has(request.operation));
    if (!put || !deletion) return;
    const keyAttribute = [...(deletion.key?.keys() ?? [])][0];
    const oldKey = keyAttribute ? deletion.key!.get(keyAttribute)!.text : 'the old key';
    const fix = keyAttribute ? transactionFix(put, deletion, keyAttribute, ctx.file) : undefined;
    ctx.report({
      target: put.call,
      messageId: 'separateDeletePython',
      data: { oldKey },
      related: [{ target: deletion.call, message: 'the old key is deleted here, in a separate request' }],
      fixes: fix ? [fix] : [],
    });
  },
}));

/**
 * Replaces `put_item(...)` + `delete_item(...)` (statements of their own, put first, on one table or
 * client, with nothing but the item / key and table name) by one `transact_write_items`: the Put
 * conditioned on `attribute_not_exists(<key>)`, the Delete of the old key; through a resource Table,
 * on `table.meta.client`.
 */
function transactionFix(put: DynamoRequest, deletion: DynamoRequest, keyAttribute: string, file: PythonFileContext) {
  const receiver = receiverOf(put.call);
  if (!receiver || receiver.text !== receiverOf(deletion.call)?.text) return undefined;
  if (!isCallStatement(put.call) || !isCallStatement(deletion.call) || deletion.call.startIndex < put.call.startIndex) {
    return undefined;
  }
  const expected = (call: DynamoRequest, names: string[]) =>
    argumentsOf(call.call).every((argument) => names.includes(field(argument, 'name')?.text ?? ''));
  const item = keywordArgument(put.call, boto3.itemParameter);
  const key = keywordArgument(deletion.call, boto3.keyParameter);
  if (!item || !key) return undefined;
  const indent = indentationOf(put.call.parent!, file);
  const condition = `'ConditionExpression': 'attribute_not_exists(${keyAttribute})'`;
  let statement: string;
  if (put.via === 'client') {
    const putTable = keywordArgument(put.call, boto3.tableNameParameter);
    const deleteTable = keywordArgument(deletion.call, boto3.tableNameParameter);
    if (!putTable || !deleteTable || !expected(put, ['TableName', 'Item']) || !expected(deletion, ['TableName', 'Key'])) {
      return undefined;
    }
    statement = [
      `${receiver.text}.transact_write_items(TransactItems=[`,
      `    {'Put': {'TableName': ${putTable.text}, 'Item': ${item.text}, ${condition}}},`,
      `    {'Delete': {'TableName': ${deleteTable.text}, 'Key': ${key.text}}},`,
      '])',
    ].join(`\n${indent}`);
  } else if (put.via === 'table') {
    if (!expected(put, ['Item']) || !expected(deletion, ['Key'])) return undefined;
    // A resource's client serialises plain Python values itself (boto3 registers its transformation
    // on `meta.client`), so the item and key are passed as written.
    statement = [
      `${receiver.text}.meta.client.transact_write_items(TransactItems=[`,
      `    {'Put': {'TableName': ${receiver.text}.name, 'Item': ${item.text}, ${condition}}},`,
      `    {'Delete': {'TableName': ${receiver.text}.name, 'Key': ${key.text}}},`,
      '])',
    ].join(`\n${indent}`);
  } else {
    return undefined;
  }
  const deleteStatement = deletion.call.parent!;
  // The delete's whole line goes, with the line break before it.
  const deleteLineStart = file.text.lastIndexOf('\n', deleteStatement.startIndex - 1);
  const edits = [
    { start: put.call.startIndex, end: put.call.endIndex, newText: statement },
    { start: deleteLineStart, end: deleteStatement.endIndex, newText: '' },
  ];
  return { suggestionId: 'transactWritePython', data: { key: keyAttribute }, safety: 'unsafe' as const, edits };
}
