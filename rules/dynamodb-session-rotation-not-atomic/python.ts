import {
  boto3,
  definePythonRule,
  descendantsOfType,
  type DynamoRequest,
  dynamoRequest,
  enclosingFunction,
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
    const oldKey = [...(deletion.key?.values() ?? [])][0]?.text ?? 'the old key';
    ctx.report({
      target: put.call,
      messageId: 'separateDeletePython',
      data: { oldKey },
      related: [{ target: deletion.call, message: 'the old key is deleted here, in a separate request' }],
    });
  },
}));
