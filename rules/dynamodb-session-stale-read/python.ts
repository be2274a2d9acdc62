import {
  booleanLiteral,
  boto3,
  definePythonRule,
  dynamoRequest,
  inExistenceCheck,
  keywordArgument,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/** boto3: a `get_item` on a session table without `ConsistentRead=True` (a computed value is not judged). */
export default definePythonRule(meta, (ctx) => ({
  call(call) {
    const request = dynamoRequest(call, ctx.file);
    if (!request?.sessionTable || !boto3.reads.has(request.operation)) return;
    // A key-collision check (`exists()`) authenticates nothing: a stale answer only retries a fresh key.
    if (inExistenceCheck(call)) return;
    const consistent = keywordArgument(call, boto3.consistentReadParameter);
    if (consistent && booleanLiteral(consistent) !== false) return;
    const list = call.childForFieldName('arguments');
    const fixes = [];
    if (!consistent && list) {
      // Before the closing parenthesis, after a trailing comma if there is one.
      const close = list.endIndex - 1;
      const before = ctx.file.text.slice(list.startIndex + 1, close).trimEnd();
      fixes.push({
        suggestionId: 'consistentReadPython',
        edits: [{ start: close, end: close, newText: before.endsWith(',') ? ' ConsistentRead=True' : ', ConsistentRead=True' }],
      });
    } else if (consistent) {
      fixes.push({
        suggestionId: 'consistentReadPython',
        edits: [{ start: consistent.startIndex, end: consistent.endIndex, newText: 'True' }],
      });
    }
    ctx.report({
      target: call,
      messageId: 'eventuallyConsistent',
      data: { current: consistent ? 'False' : 'not set' },
      fixes,
    });
  },
}));
