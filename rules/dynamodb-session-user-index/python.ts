import {
  boto3,
  calledName,
  cdkIndexAddition,
  cdkTable,
  definePythonRule,
  dictionaryLike,
  dynamoRequest,
  keywordArgument,
  namedChildren,
  type PythonNode,
  stringValue,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

const USER_ATTRIBUTE = /^(user|owner|account|member)_?id$|^(uid|sub|email|username|user)$/i;

/**
 * boto3 `create_table` / `update_table` of a session table whose partition key, or a global
 * secondary index's partition key, is a user identifier.
 */
export default definePythonRule(meta, (ctx) => {
  const hashKeyOf = (keySchema: PythonNode | undefined): { name: string; node: PythonNode } | undefined => {
    if (keySchema?.type !== 'list') return undefined;
    for (const element of namedChildren(keySchema)) {
      const entry = dictionaryLike(element);
      const name = stringValue(entry?.get('AttributeName'));
      if (name && stringValue(entry?.get('KeyType')) === 'HASH') return { name, node: element };
    }
    return undefined;
  };
  const indexes = (list: PythonNode | undefined, unwrap?: string): PythonNode[] =>
    list?.type === 'list'
      ? namedChildren(list).flatMap((element) => {
          const entry = unwrap ? dictionaryLike(element)?.get(unwrap) : element;
          return entry ? [entry] : [];
        })
      : [];
  const userKey = (key: { name: string } | undefined) => key !== undefined && USER_ATTRIBUTE.test(key.name);
  /** CDK for Python: the table construct's keys and indexes, and indexes added to it later. */
  const checkCdk = (call: PythonNode): boolean => {
    const table = cdkTable(call, ctx.file);
    const addition = table ? undefined : cdkIndexAddition(call, ctx.file);
    if (!table && !addition) return false;
    if (table?.sessionTable && table.partitionKey && userKey(table.partitionKey)) {
      ctx.report({ target: table.partitionKey.node, messageId: 'userPartitionKey', data: { attribute: table.partitionKey.name } });
    }
    const indexes = table?.sessionTable ? table.indexes : addition?.table.sessionTable ? [addition.index] : [];
    for (const index of indexes) {
      if (!index.partitionKey || !userKey(index.partitionKey)) continue;
      ctx.report({ target: index.node, messageId: 'userIndex', data: { index: index.name, attribute: index.partitionKey.name } });
    }
    return true;
  };
  return {
    call(call) {
      if (checkCdk(call)) return;
      const name = calledName(call);
      if (name !== boto3.createTable && name !== boto3.updateTable) return;
      const request = dynamoRequest(call, ctx.file);
      if (!request?.sessionTable) return;
      const tableKey = hashKeyOf(keywordArgument(call, 'KeySchema'));
      if (tableKey && USER_ATTRIBUTE.test(tableKey.name)) {
        ctx.report({ target: tableKey.node, messageId: 'userPartitionKey', data: { attribute: tableKey.name } });
      }
      const all = [
        ...indexes(keywordArgument(call, boto3.indexesParameter)),
        ...indexes(keywordArgument(call, boto3.indexUpdatesParameter), 'Create'),
      ];
      for (const index of all) {
        const entry = dictionaryLike(index);
        const key = hashKeyOf(entry?.get('KeySchema'));
        if (!key || !USER_ATTRIBUTE.test(key.name)) continue;
        ctx.report({
          target: index,
          messageId: 'userIndex',
          data: { index: stringValue(entry?.get('IndexName')) ?? 'index', attribute: key.name },
        });
      }
    },
  };
});
