import {
  boto3,
  cdkTable,
  comparesExpiry,
  definePythonRule,
  dynamoRequest,
  enclosingFunction,
  expiryMayBeAbsent,
  inExistenceCheck,
  inSessionDeletion,
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
      // Every expiry attribute can be `None` (`ttl if expires else None`): then the item never expires.
      const expiries = itemAttributes(keywordArgument(call, boto3.itemParameter)).filter(isExpiryAttribute);
      const absent = expiries.map((attribute) => expiryMayBeAbsent(attribute.value));
      if (absent.every((condition) => condition !== undefined)) {
        ctx.report({
          target: call,
          messageId: 'conditionalExpiryPython',
          data: { attribute: expiries.map((attribute) => attribute.name ?? attribute.key.text).join('`, `') },
          related: absent.map((condition) => ({
            target: condition!,
            message: 'when this is None, the item is written without an expiry',
          })),
        });
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
      // A read to delete the item (`delete()`, `destroy()`) does not hand a session out either.
      if (!fn || inExistenceCheck(call) || inSessionDeletion(call) || comparesExpiry(fn, call)) return;
      ctx.report({ target: call, messageId: 'unguardedReadPython' });
    }
  },
}));
