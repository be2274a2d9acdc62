import type { ts } from 'ts-morph';
import type { FileContext } from '../analysis/file-context.js';
import type { Located, ObjectView, PropertyView } from '../analysis/values.js';

/*
 * DynamoDB concepts (types, and name conventions shared with the Python models) used by the SDK, CDK
 * and session-store models and by `Model`'s DynamoDB hooks; the recognisers and `dynamoFacts(file)`
 * are in dynamodb.ts.
 */

export type DynamoSdk = 'v2' | 'v3' | 'lib';

/**
 * Session store methods that end a session, in every language fixate reads: express-session's and
 * koa-session's `destroy`, Django's `SessionBase.delete`, Auth.js's and Shopify's `deleteSession(s)`,
 * `delete_session`. A read in one only decides whether (or what) to delete and never hands session
 * data to the application, so an expiry check there would change nothing (deleting an expired item is
 * fine). Its consistency still matters: a stale miss skips the delete and the session survives logout.
 */
export const SESSION_DELETION_METHOD = /^(delete|destroy|remove|revoke)_?(sessions?)?$/i;

export type DynamoOperationKind =
  | 'put'
  | 'get'
  | 'update'
  | 'delete'
  | 'query'
  | 'conditionCheck'
  | 'transactWrite'
  | 'batchWrite'
  | 'createTable'
  | 'updateTtl';

/** The table an operation or definition names. */
export interface DynamoTableRef {
  /** The static table name, when it resolves to a literal (through consts and config objects). */
  name?: string;
  /** The expression as written (`TableName: X`), absent when the table is implicit. */
  expression?: ts.Expression;
  /** `process.env.X` (possibly behind `??`/`||` with a literal default). */
  envVar?: string;
  /** Identity for "same table": `name:x`, `env:X`, else the expression's text. */
  identity: string;
}

/**
 * One DynamoDB request found in the source. Attribute values are the expressions the program passes
 * (low-level `{ S: x }` wrappers and `marshall({...})` are looked through), so a taint or flow analysis
 * can treat `keyAttributes` values as sinks.
 */
export interface DynamoOperation {
  /** Id of the model that recognised it. */
  model: string;
  kind: DynamoOperationKind;
  /** The call that performs the request: `client.send(cmd)`, `doc.put(params)`, `db.putItem(params)`. */
  call: ts.CallExpression;
  /** v3/lib: the command construction (`new PutCommand({...})`), which may be declared elsewhere. */
  command?: ts.NewExpression;
  sdk: DynamoSdk;
  /** Low-level API: attribute values are typed (`{ S: '…' }`), not plain JS values. */
  lowLevel: boolean;
  /** The request parameters (for transaction items: that item's `Put`/`Delete`/… object). */
  params?: ObjectView;
  /** The params expression as passed (an object literal or an identifier), for fixes. */
  paramsExpression?: ts.Expression;
  table: DynamoTableRef;
  /**
   * Key attribute name → value expression. From `Key` (get/update/delete), or for puts the item's
   * attributes that are known key attributes of the table (see `dynamoFacts`).
   */
  keyAttributes: Map<string, Located>;
  /** Put: the item's attributes (looked through marshalling). */
  item?: ObjectView;
  /** Update: attributes assigned by `SET a = :v` → the value expression of `:v`, when visible. */
  updatedAttributes?: Map<string, Located | undefined>;
  /** The raw ConditionExpression / KeyConditionExpression / FilterExpression strings, when static. */
  conditionExpression?: string;
  keyConditionExpression?: string;
  filterExpression?: string;
  updateExpression?: string;
  /** Expression texts with `#name` placeholders replaced by ExpressionAttributeNames values. */
  resolvedCondition?: string;
  resolvedFilter?: string;
  /** `ConsistentRead`: true/false when static, 'dynamic' when computed, undefined when absent. */
  consistentRead?: boolean | 'dynamic';
  /** The index a query reads (`IndexName`): its static name, or `(dynamic)` when computed. */
  indexName?: string;
  /** transactWrite / batchWrite: the contained requests (each with `transaction` pointing back). */
  items?: DynamoOperation[];
  /** Set on requests inside a transactWrite or batchWrite. */
  transaction?: DynamoOperation;
  /** Filled in by `dynamoFacts`: whether the table holds sessions, and why. */
  isSessionTable: boolean;
  sessionEvidence?: string;
  /**
   * Set by `dynamoFacts` when the operation runs in a session store whose library checks expiry
   * itself after the read (an Auth.js adapter, a Shopify session storage): the library named.
   */
  expiryCheckedBy?: string;
  /**
   * For a call of a project's own wrapper (`this.tables.read(table, pk)`, `db.put(params)`): the
   * request the wrapper issues and the wrapper function. The operation's table, keys, item and
   * updated attributes are the wrapper's, with the wrapper's parameters replaced by this call's
   * arguments.
   */
  wrapped?: { operation: DynamoOperation; fn: ts.FunctionLikeDeclaration; file: FileContext };
  /** Maps a value inside the wrapper to this call's argument when it is one of the wrapper's parameters. */
  bind?(value: Located): Located | undefined;
  /** The model's reading of the same request with other params (a wrapper's caller passing them whole). */
  redescribe?(params: ts.Expression, file: FileContext): DynamoOperation;
}

export interface DynamoKeyDefinition {
  name?: string;
  node: ts.Node;
}

export interface DynamoIndexDefinition {
  indexName?: string;
  partitionKey?: DynamoKeyDefinition;
  node: ts.Node;
}

/** A table definition: CDK `Table`/`TableV2`, or a CreateTable request. */
export interface DynamoTableDefinition {
  model: string;
  kind: 'cdk-table' | 'cdk-table-v2' | 'create-table';
  node: ts.NewExpression | ts.CallExpression;
  /** CDK construct id (`new Table(this, 'Sessions', …)`). */
  constructId?: string;
  table: DynamoTableRef;
  props?: ObjectView;
  partitionKey?: DynamoKeyDefinition;
  sortKey?: DynamoKeyDefinition;
  /** CDK `timeToLiveAttribute` (CreateTable has none: TTL is a separate UpdateTimeToLive). */
  timeToLiveAttribute?: PropertyView;
  globalSecondaryIndexes: DynamoIndexDefinition[];
  isSessionTable: boolean;
  sessionEvidence?: string;
}

/** A session store library configured against a DynamoDB table (connect-dynamodb, dynamodb-store). */
export interface DynamoSessionStoreConfig {
  model: string;
  node: ts.NewExpression | ts.CallExpression;
  options?: ObjectView;
  table: DynamoTableRef;
  hashKey?: string;
}

/** `addGlobalSecondaryIndex(props)` on a CDK table: the table's construction and the index. */
export interface DynamoIndexAddition {
  model: string;
  call: ts.CallExpression;
  tableNode?: ts.NewExpression;
  index: DynamoIndexDefinition;
}

export interface DynamoFileFacts {
  /** Top-level requests in source order (transaction members are in `items`). */
  operations: DynamoOperation[];
  /** Every request including transaction and batch members. */
  allOperations: DynamoOperation[];
  tables: DynamoTableDefinition[];
  stores: DynamoSessionStoreConfig[];
  /** Known key attribute names by table identity (from Keys, KeySchemas, CDK keys, store configs). */
  keyNames: Map<string, Set<string>>;
  /** Expiry attribute names written to each table (by identity). */
  expiryNames: Map<string, Set<string>>;
}
