import { defineRule, dynamoFacts, USER_ID_NAME } from '../../src/api.js';
import meta from './meta.js';

export default defineRule(meta, (ctx) => ({
  onEnd() {
    for (const table of dynamoFacts(ctx.file).tables) {
      if (!table.isSessionTable) continue;
      const partitionKey = table.partitionKey;
      if (partitionKey?.name && USER_ID_NAME.test(partitionKey.name)) {
        ctx.report({
          target: partitionKey.node,
          messageId: 'userPartitionKey',
          data: { attribute: partitionKey.name },
        });
      }
      for (const index of table.globalSecondaryIndexes) {
        const name = index.partitionKey?.name;
        if (!name || !USER_ID_NAME.test(name)) continue;
        ctx.report({
          target: index.node,
          messageId: 'userIndex',
          data: { index: index.indexName ?? '(unnamed)', attribute: name },
          related: [{ target: table.node, message: `session table (${table.sessionEvidence})` }],
        });
      }
    }
  },
}));
