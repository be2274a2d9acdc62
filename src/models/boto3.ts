import type { PythonModel } from './python-model.js';

/**
 * boto3's DynamoDB APIs: `boto3.resource('dynamodb').Table(name)` and `boto3.client('dynamodb')`.
 * See docs/domain.md, "Django sessions" (boto3).
 */
export const boto3 = {
  id: 'boto3',
  packages: ['boto3', 'aioboto3'],
  // `TableName` too: a client handed in (aiobotocore, a test double) need not name the service anywhere.
  keywords: ['dynamodb', 'boto3', 'tablename'],

  /** Factories whose first argument names the service: `boto3.resource('dynamodb')`, `session.client(...)`. */
  serviceFactories: new Set(['resource', 'client']),
  service: 'dynamodb',
  /** `resource.Table(name)` */
  tableFactory: 'Table',

  /** Operations by method name; the same names on a Table and a client. */
  reads: new Set(['get_item']),
  queries: new Set(['query', 'scan']),
  puts: new Set(['put_item']),
  deletes: new Set(['delete_item']),
  updates: new Set(['update_item']),
  transactionalWrite: 'transact_write_items',
  createTable: 'create_table',
  updateTable: 'update_table',
  /** Every operation above, for a cheap first test of a call. */
  operations: new Set([
    'get_item',
    'query',
    'scan',
    'put_item',
    'delete_item',
    'update_item',
    'transact_write_items',
    'create_table',
    'update_table',
  ]),
  consistentReadParameter: 'ConsistentRead',
  /**
   * A low-level client's request shape, DynamoDB's alone: an item request with `TableName=` whose
   * `Key`/`Item` gives every value as a typed attribute value (`{'S': sid}`, `{'N': '1'}`). A receiver
   * making one (or a table-management call with DynamoDB's own parameter) is a DynamoDB client, also
   * when it was handed in (`self._client = client`, an aiobotocore client).
   */
  itemOperations: new Set(['get_item', 'put_item', 'update_item', 'delete_item']),
  attributeValueTypes: new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']),
  clientShapes: new Map([
    ['create_table', 'KeySchema'],
    ['update_time_to_live', 'TimeToLiveSpecification'],
  ]),
  /**
   * Session backend methods (Django's `SessionBase.exists`) that read an item only to learn whether a
   * freshly generated key is taken: the read authenticates nobody, so neither its consistency nor an
   * expiry check matters. (`delete()` is not one for consistency: a stale miss there can skip deleting
   * a session that was just written; the missing-expiry rule skips it with the other session deletions,
   * `inSessionDeletion`.)
   */
  existenceChecks: /^(exists|_?key_exists)$/,
  /** Keyword arguments: the item, the key and the table name. */
  itemParameter: 'Item',
  keyParameter: 'Key',
  tableNameParameter: 'TableName',
  indexesParameter: 'GlobalSecondaryIndexes',
  indexUpdatesParameter: 'GlobalSecondaryIndexUpdates',
} satisfies PythonModel & Record<string, unknown>;
