import {
  argumentsOf,
  booleanLiteral,
  boto3,
  definePythonRule,
  dynamoRequest,
  inExistenceCheck,
  keywordArgument,
  type PythonNode,
  shippedDefault,
  statementOf,
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
    if (consistent && booleanLiteral(consistent) === undefined) {
      // Configuration with a shipped default of False (`bool(kw.get('consistent_read', False))`) reads
      // eventually consistently unless the user opts in; a value with no literal default is not judged.
      const fallback = shippedDefault(consistent);
      if (booleanLiteral(fallback) !== false) return;
      ctx.report({
        target: call,
        messageId: 'eventuallyConsistentByDefault',
        data: { expression: consistent.text, option: originOf(fallback!), fallback: 'False' },
      });
      return;
    }
    if (consistent && booleanLiteral(consistent) !== false) return;
    const list = call.childForFieldName('arguments');
    const fixes = [];
    if (!consistent && list) {
      // Right after the last argument (a trailing comma or a comment may follow it, and a closing
      // parenthesis on a line of its own stays there); in empty parentheses, before the closing one.
      const last = argumentsOf(call).at(-1);
      const at = last ? last.endIndex : list.endIndex - 1;
      fixes.push({
        suggestionId: 'consistentReadPython',
        edits: [{ start: at, end: at, newText: last ? ', ConsistentRead=True' : 'ConsistentRead=True' }],
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

/** Where the default is written, for the message: ` (default in \`self.consistent_read = bool(kw.get(…, False))\`)`. */
function originOf(fallback: PythonNode): string {
  const statement = statementOf(fallback).text.split('\n')[0]!.trim();
  return ` (default in \`${statement.length > 80 ? `${statement.slice(0, 77)}…` : statement}\`, line ${fallback.startPosition.row + 1})`;
}
