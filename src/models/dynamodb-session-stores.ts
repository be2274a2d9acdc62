import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { unwrap } from '../analysis/syntax.js';
import { objectView, resolveValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import { type DynamoSessionStoreConfig, stringProperty, tableRef } from './dynamodb.js';
import type { Model } from './model.js';

/*
 * express-session stores backed by DynamoDB, recognised so their tables count as session tables.
 * - connect-dynamodb: `const DynamoDBStore = require('connect-dynamodb')(session)`, then
 *   `new DynamoDBStore({ table = 'sessions', hashKey = 'id', prefix = 'sess:' })` (its README).
 *   3.x uses SDK v3, writes `expires` in epoch seconds and checks it on get; TTL enablement is yours.
 * - dynamodb-store: `new DynamoDBStore({ table: { name = 'sessions', hashKey = 'sessionId' } })`;
 *   built on the end-of-support SDK v2.
 */

/** The class a store factory call returns: `require('connect-dynamodb')(session)`. */
function isConnectDynamoDbClass(expression: ts.Expression, file: FileContext): boolean {
  const resolved = resolveValue(expression, file).node;
  if (!ts.isCallExpression(resolved)) return false;
  return refersTo(moduleReferenceOf(resolved.expression), 'connect-dynamodb');
}

function storeOptions(node: ts.NewExpression, file: FileContext) {
  const argument = node.arguments?.[0];
  return argument ? objectView(argument, file) : undefined;
}

const connectDynamoDb: Model = {
  id: 'connect-dynamodb',
  packages: ['connect-dynamodb'],
  keywords: ['dynamodb'],
  dynamoSessionStore(node, file): DynamoSessionStoreConfig | undefined {
    if (!ts.isNewExpression(node) || !isConnectDynamoDbClass(unwrap(node.expression), file)) return undefined;
    const options = storeOptions(node, file);
    const table = options?.properties.get('table');
    return {
      model: 'connect-dynamodb',
      node,
      options,
      table: table?.value ? tableRef(table.value, table.file) : { name: 'sessions', identity: 'name:sessions' },
      hashKey: stringProperty(options, 'hashKey') ?? 'id',
    };
  },
};

const dynamodbStore: Model = {
  id: 'dynamodb-store',
  packages: ['dynamodb-store'],
  keywords: ['dynamodb'],
  dynamoSessionStore(node, file): DynamoSessionStoreConfig | undefined {
    if (!ts.isNewExpression(node) || !refersTo(moduleReferenceOf(node.expression), 'dynamodb-store')) return undefined;
    const options = storeOptions(node, file);
    const tableProperty = options?.properties.get('table');
    const tableOptions = tableProperty?.value ? objectView(tableProperty.value, tableProperty.file) : undefined;
    const name = tableOptions?.properties.get('name');
    return {
      model: 'dynamodb-store',
      node,
      options,
      table: name?.value ? tableRef(name.value, name.file) : { name: 'sessions', identity: 'name:sessions' },
      hashKey: stringProperty(tableOptions, 'hashKey') ?? 'sessionId',
    };
  },
};

export const dynamoDbSessionStores: Model[] = [connectDynamoDb, dynamodbStore];
