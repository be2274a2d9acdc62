import {
  type DynamoOperation,
  defineRule,
  dynamoFacts,
  insertFirstProperty,
  isDerivedKey,
  judgedInWrapper,
  optionDefault,
  primaryKeyOf,
  type RuleContext,
  replaceNode,
  resultIsUsed,
  staticValue,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

export default defineRule(meta, (ctx) => ({
  onEnd() {
    for (const read of dynamoFacts(ctx.file).allOperations) {
      if (read.kind !== 'get' && read.kind !== 'query') continue;
      if (!read.isSessionTable || read.consistentRead === true) continue;
      if (judgedInWrapper(read)) continue;
      // Global secondary indexes do not support consistent reads at all.
      if (read.indexName !== undefined || !read.params?.complete) continue;
      if (isDerivedKey(primaryKeyOf(read)?.[1]) || !resultIsUsed(read)) continue;
      if (read.consistentRead === 'dynamic') {
        reportConfigurable(ctx, read);
        continue;
      }
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

/**
 * `ConsistentRead: this.consistent` where the store's option defaults to false or is simply absent
 * (`{ useStronglyConsistentReads = false } = options`): every read is eventually consistent unless
 * the user opts in. A value not traced to the store's configuration stays unjudged.
 */
function reportConfigurable(ctx: RuleContext, read: DynamoOperation): void {
  const property = read.params?.properties.get('ConsistentRead');
  if (!property?.value || read.wrapped) return;
  const found = optionDefault(property.value, property.file);
  if (!found?.fromConstructor) return;
  const value = found.value ? staticValue(found.value.node as ts.Expression, found.value.file) : undefined;
  if (value?.kind === 'boolean' && value.value) return;
  if (found.value && value === undefined) return;
  const fallback = value?.kind === 'boolean' ? 'false' : value?.kind === 'null' ? 'null' : 'undefined';
  ctx.report({
    target: read.call,
    messageId: 'eventuallyConsistentByDefault',
    data: {
      expression: property.value.getText(),
      option: found.option ? ` (option \`${found.option}\`)` : '',
      fallback,
    },
  });
}
