import {
  boto3,
  cdkTable,
  comparesExpiry,
  definePythonRule,
  dynamoRequest,
  enclosingFunction,
  functionName,
  inExistenceCheck,
  isExpiryAttribute,
  itemAttributes,
  keywordArgument,
  notEpochSeconds,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/**
 * boto3 on a session table: a `put_item` whose literal Item has no expiry attribute, or one that is
 * not epoch seconds (an ISO date never expires anything); a `get_item` in a function that never
 * compares an expiry with now after the read. CDK for Python: a session table without
 * `time_to_live_attribute`.
 */
export default definePythonRule(meta, (ctx) => ({
  call(call) {
    const table = cdkTable(call, ctx.file);
    if (table?.sessionTable && !table.timeToLive) {
      ctx.report({ target: call, messageId: 'cdkNoTtl' });
      return;
    }
    const request = dynamoRequest(call, ctx.file);
    if (!request?.sessionTable) return;
    if (boto3.puts.has(request.operation) && request.item) {
      // Attribute names written through constants and settings count by what they resolve to or are called.
      const expiry = itemAttributes(keywordArgument(call, boto3.itemParameter)).find(isExpiryAttribute);
      if (!expiry) {
        ctx.report({ target: call, messageId: 'noExpiry' });
        return;
      }
      const kind = notEpochSeconds(expiry.value);
      if (kind) {
        ctx.report({
          target: expiry.value,
          messageId: 'notEpochSeconds',
          data: { attribute: expiry.name ?? expiry.key.text, kind },
        });
      }
      return;
    }
    if (boto3.reads.has(request.operation)) {
      const fn = enclosingFunction(call);
      // A read to delete the item (`delete()`) does not hand a session out either.
      if (!fn || inExistenceCheck(call) || functionName(fn) === 'delete' || comparesExpiry(fn, call)) return;
      ctx.report({ target: call, messageId: 'unguardedReadPython' });
    }
  },
}));
