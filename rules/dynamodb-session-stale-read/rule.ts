import {
  defineRule,
  dynamoFacts,
  insertFirstProperty,
  isDerivedKey,
  judgedInWrapper,
  primaryKeyOf,
  replaceNode,
  resultIsUsed,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

export default defineRule(meta, (ctx) => ({
  onEnd() {
    for (const read of dynamoFacts(ctx.file).allOperations) {
      if (read.kind !== 'get' && read.kind !== 'query') continue;
      if (!read.isSessionTable || read.consistentRead === true || read.consistentRead === 'dynamic') continue;
      if (judgedInWrapper(read)) continue;
      // Global secondary indexes do not support consistent reads at all.
      if (read.indexName !== undefined || !read.params?.complete) continue;
      if (isDerivedKey(primaryKeyOf(read)?.[1]) || !resultIsUsed(read)) continue;
      const literal = read.paramsExpression && unwrap(read.paramsExpression);
      const inFile =
        literal && ts.isObjectLiteralExpression(literal) && literal.getSourceFile() === ctx.file.sourceFile;
      const existing = read.params.properties.get('ConsistentRead');
      const edit =
        existing?.value && existing.file === ctx.file
          ? replaceNode(existing.value, 'true')
          : inFile
            ? insertFirstProperty(literal, 'ConsistentRead: true')
            : undefined;
      ctx.report({
        target: read.call,
        messageId: 'eventuallyConsistent',
        data: { current: existing ? 'false' : 'not set' },
        fixes: edit ? [{ suggestionId: 'consistentRead', edits: [edit] }] : [],
      });
    }
  },
}));
