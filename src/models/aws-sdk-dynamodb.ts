import { ts } from '#typescript';
import { resolveReceiver } from '../analysis/call-targets.js';
import { type ModuleReference, moduleReferenceOf } from '../analysis/imports.js';
import { memoPerFile } from '../analysis/node-memo.js';
import { accessedName, propertyNameText, unwrap } from '../analysis/syntax.js';
import { type Located, type ObjectView, objectView, resolveValue, staticValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import {
  attributeMapView,
  attributeValueExpression,
  type DynamoKeyDefinition,
  type DynamoOperation,
  type DynamoOperationKind,
  type DynamoSdk,
  type DynamoTableDefinition,
  parseUpdateSet,
  resolveExpressionNames,
  stringProperty,
  tableRef,
} from './dynamodb.js';
import type { Model } from './model.js';

/*
 * AWS SDK DynamoDB clients:
 * - v2 (`aws-sdk`): `new AWS.DynamoDB.DocumentClient()` put/get/update/delete/query/transactWrite/
 *   batchWrite (usually followed by `.promise()`), and the low-level `new AWS.DynamoDB()` putItem/…;
 * - v3 (`@aws-sdk/client-dynamodb`): `client.send(new PutItemCommand({...}))` and the aggregated
 *   `new DynamoDB({})` client's putItem/… methods (low-level, typed attribute values);
 * - `@aws-sdk/lib-dynamodb`: `client.send(new PutCommand({...}))` and `DynamoDBDocument` methods
 *   (plain JS values, same method names as the v2 DocumentClient).
 * Requests are recognised by the command class or the client construction; when a client comes from
 * somewhere the file does not show (a parameter, an injected property), a v2/lib method call is
 * accepted only if its params visibly have `TableName`, which is the request's shape, not a name guess.
 */

const V3_COMMANDS: Record<string, DynamoOperationKind> = {
  PutItemCommand: 'put',
  GetItemCommand: 'get',
  UpdateItemCommand: 'update',
  DeleteItemCommand: 'delete',
  QueryCommand: 'query',
  TransactWriteItemsCommand: 'transactWrite',
  BatchWriteItemCommand: 'batchWrite',
  CreateTableCommand: 'createTable',
  UpdateTimeToLiveCommand: 'updateTtl',
};

const LIB_COMMANDS: Record<string, DynamoOperationKind> = {
  PutCommand: 'put',
  GetCommand: 'get',
  UpdateCommand: 'update',
  DeleteCommand: 'delete',
  QueryCommand: 'query',
  TransactWriteCommand: 'transactWrite',
  BatchWriteCommand: 'batchWrite',
};

const DOCUMENT_METHODS: Record<string, DynamoOperationKind> = {
  put: 'put',
  get: 'get',
  update: 'update',
  delete: 'delete',
  query: 'query',
  transactWrite: 'transactWrite',
  batchWrite: 'batchWrite',
};

const LOW_LEVEL_METHODS: Record<string, DynamoOperationKind> = {
  putItem: 'put',
  getItem: 'get',
  updateItem: 'update',
  deleteItem: 'delete',
  query: 'query',
  transactWriteItems: 'transactWrite',
  batchWriteItem: 'batchWrite',
  createTable: 'createTable',
  updateTimeToLive: 'updateTtl',
};

const MODEL_ID = 'aws-sdk-dynamodb';
const V2_MODULES = ['aws-sdk', 'aws-sdk/clients/dynamodb', 'aws-sdk/global'];
const V3_MODULE = '@aws-sdk/client-dynamodb';
const LIB_MODULE = '@aws-sdk/lib-dynamodb';

interface ClientKind {
  sdk: DynamoSdk;
  document: boolean;
}

/** The export a reference names, ignoring the CommonJS `default` hop. */
function exportName(reference: ModuleReference | undefined): string | undefined {
  if (!reference) return undefined;
  const path = reference.path[0] === 'default' ? reference.path.slice(1) : reference.path;
  return path.length === 1 ? path[0] : undefined;
}

/** `new PutCommand(...)` / `new PutItemCommand(...)`: the kind and SDK of a command construction. */
export function dynamoCommandOf(node: ts.Node): { kind: DynamoOperationKind; sdk: DynamoSdk } | undefined {
  if (!ts.isNewExpression(node)) return undefined;
  const reference = moduleReferenceOf(node.expression);
  const name = exportName(reference);
  if (!reference || !name) return undefined;
  if (reference.module === V3_MODULE && V3_COMMANDS[name]) return { kind: V3_COMMANDS[name], sdk: 'v3' };
  if (reference.module === LIB_MODULE && LIB_COMMANDS[name]) return { kind: LIB_COMMANDS[name], sdk: 'lib' };
  return undefined;
}

/** What kind of client a construction makes, if it is a DynamoDB client. */
function clientKindOfConstruction(node: ts.Node): ClientKind | undefined {
  if (ts.isNewExpression(node)) {
    const reference = moduleReferenceOf(node.expression);
    if (!reference) return undefined;
    const path = reference.path[0] === 'default' ? reference.path.slice(1) : reference.path;
    if (V2_MODULES.includes(reference.module)) {
      if (path.at(-1) === 'DocumentClient') return { sdk: 'v2', document: true };
      if (path.at(-1) === 'DynamoDB' || (reference.module === 'aws-sdk/clients/dynamodb' && path.length === 0)) {
        return { sdk: 'v2', document: false };
      }
    }
    if (reference.module === V3_MODULE && path.join('.') === 'DynamoDB') return { sdk: 'v3', document: false };
    if (reference.module === LIB_MODULE && path.join('.') === 'DynamoDBDocument') return { sdk: 'lib', document: true };
    return undefined;
  }
  if (ts.isCallExpression(node) && accessedName(unwrap(node.expression)) === 'from') {
    const callee = unwrap(node.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const reference = moduleReferenceOf(callee.expression);
    if (reference?.module === LIB_MODULE && exportName(reference) === 'DynamoDBDocument') {
      return { sdk: 'lib', document: true };
    }
  }
  return undefined;
}

function clientKindOf(receiver: ts.Expression, file: FileContext): ClientKind | undefined {
  for (const candidate of resolveReceiver(receiver, file)) {
    const kind = clientKindOfConstruction(candidate.node);
    if (kind) return kind;
  }
  return undefined;
}

/**
 * The SDK a file most likely uses when the client itself cannot be seen: its own imports, else those
 * of the files importing it (a wrapper handed its client by the module that constructs it).
 */
function sdkFromImports(file: FileContext, depth = 0): DynamoSdk | undefined {
  const modules = file.importedModules;
  if (modules.has(LIB_MODULE)) return 'lib';
  if (V2_MODULES.some((module) => modules.has(module))) return 'v2';
  if (modules.has(V3_MODULE)) return 'v3';
  if (depth > 0) return undefined;
  for (const importer of file.importers) {
    const sdk = sdkFromImports(importer, depth + 1);
    if (sdk) return sdk;
  }
  return undefined;
}

/** Recognises the DynamoDB request a call performs (cached per call node). */
export const recognizeDynamoOperation = memoPerFile(
  (call: ts.CallExpression, file: FileContext): DynamoOperation | undefined => recognize(call, file),
);

function recognize(call: ts.CallExpression, file: FileContext): DynamoOperation | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return undefined;
  const method = accessedName(callee);
  if (!method) return undefined;
  const argument = call.arguments[0];
  if (method === 'send') {
    if (!argument) return undefined;
    const resolved = resolveValue(argument, file);
    const command = dynamoCommandOf(resolved.node);
    if (!command || !ts.isNewExpression(resolved.node)) return undefined;
    const commandNode = resolved.node;
    return buildOperation({
      kind: command.kind,
      call,
      command: commandNode,
      sdk: command.sdk,
      lowLevel: command.sdk === 'v3',
      paramsExpression: commandNode.arguments?.[0],
      file: resolved.file,
    });
  }
  const documentKind = DOCUMENT_METHODS[method];
  const lowLevelKind = LOW_LEVEL_METHODS[method];
  if (!documentKind && !lowLevelKind) return undefined;
  const client = clientKindOf(callee.expression, file);
  if (client) {
    const kind = client.document ? documentKind : lowLevelKind;
    if (!kind) return undefined;
    return buildOperation({
      kind,
      call,
      sdk: client.sdk,
      lowLevel: !client.document,
      paramsExpression: argument,
      file,
    });
  }
  // Unknown client: accept only a visible DynamoDB request shape.
  if (!argument) return undefined;
  const params = objectView(argument, file);
  if (!params?.properties.has('TableName') && !params?.properties.has('TransactItems')) return undefined;
  if (!params.properties.has('TableName') && documentKind !== 'transactWrite' && lowLevelKind !== 'transactWrite') {
    return undefined;
  }
  const sdk = sdkFromImports(file);
  if (!sdk) return undefined;
  const lowLevel = !documentKind;
  return buildOperation({
    kind: (documentKind ?? lowLevelKind)!,
    call,
    sdk,
    lowLevel,
    paramsExpression: argument,
    file,
  });
}

interface OperationInput {
  kind: DynamoOperationKind;
  call: ts.CallExpression;
  command?: ts.NewExpression;
  sdk: DynamoSdk;
  lowLevel: boolean;
  paramsExpression?: ts.Expression;
  file: FileContext;
}

function buildOperation(input: OperationInput): DynamoOperation {
  const { kind, call, command, sdk, lowLevel, paramsExpression, file } = input;
  const params = paramsExpression ? objectView(paramsExpression, file) : undefined;
  const operation = describeRequest(kind, params, file, {
    model: MODEL_ID,
    call,
    command,
    sdk,
    lowLevel,
    paramsExpression,
  });
  if (kind === 'transactWrite') operation.items = transactItems(operation, params);
  if (kind === 'batchWrite') operation.items = batchItems(operation, params);
  operation.redescribe = (other, otherFile) => buildOperation({ ...input, paramsExpression: other, file: otherFile });
  return operation;
}

/** Fills table, keys, item, expressions and consistency from a request's params. */
function describeRequest(
  kind: DynamoOperationKind,
  params: ObjectView | undefined,
  file: FileContext,
  base: Pick<DynamoOperation, 'model' | 'call' | 'command' | 'sdk' | 'lowLevel' | 'paramsExpression'>,
  tableOverride?: ts.Expression,
): DynamoOperation {
  const tableProperty = params?.properties.get('TableName');
  const operation: DynamoOperation = {
    ...base,
    kind,
    params,
    table: tableRef(tableOverride ?? tableProperty?.value, tableProperty?.file ?? file),
    keyAttributes: new Map(),
    isSessionTable: false,
  };
  const keyProperty = params?.properties.get('Key');
  const keyView = keyProperty?.value ? attributeMapView(keyProperty.value, keyProperty.file) : undefined;
  for (const [name, property] of keyView?.properties ?? []) {
    if (property.value) {
      operation.keyAttributes.set(name, {
        ...attributeValueExpression(property.value, property.file),
        via: property.via,
      });
    }
  }
  if (kind === 'put') {
    const itemProperty = params?.properties.get('Item');
    // `params.Item[ttlKey] = …` after the request was built changed the item (`nested`).
    operation.item =
      itemProperty?.nested ??
      (itemProperty?.value ? attributeMapView(itemProperty.value, itemProperty.file) : undefined);
  }
  operation.conditionExpression = stringProperty(params, 'ConditionExpression');
  operation.resolvedCondition = resolveExpressionNames(operation.conditionExpression, params);
  operation.filterExpression = stringProperty(params, 'FilterExpression');
  operation.resolvedFilter = resolveExpressionNames(operation.filterExpression, params);
  operation.keyConditionExpression = stringProperty(params, 'KeyConditionExpression');
  operation.updateExpression = stringProperty(params, 'UpdateExpression');
  // A computed index name (`this.options.shopIndexName`) still names an index.
  if (params?.properties.has('IndexName')) operation.indexName = stringProperty(params, 'IndexName') ?? '(dynamic)';
  const consistent = params?.properties.get('ConsistentRead');
  if (consistent) {
    const value = staticValue(consistent.value, consistent.file);
    operation.consistentRead = value?.kind === 'boolean' ? value.value : 'dynamic';
  }
  const values = params?.properties.get('ExpressionAttributeValues');
  const valuesView = values?.value ? attributeMapView(values.value, values.file) : undefined;
  const placeholderValue = (placeholder: string): Located | undefined => {
    const property = valuesView?.properties.get(placeholder);
    return property?.value ? attributeValueExpression(property.value, property.file) : undefined;
  };
  if (kind === 'query' && operation.keyConditionExpression) {
    const resolved = resolveExpressionNames(operation.keyConditionExpression, params) ?? '';
    for (const match of resolved.matchAll(/([A-Za-z0-9_.]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) {
      const value = placeholderValue(match[2]);
      if (value) operation.keyAttributes.set(match[1], value);
    }
  }
  if (kind === 'update' && operation.updateExpression) {
    operation.updatedAttributes = new Map();
    for (const [target, source] of parseUpdateSet(operation.updateExpression)) {
      const name = resolveExpressionNames(target, params) ?? target;
      operation.updatedAttributes.set(name, /^:[A-Za-z0-9_]+$/.test(source) ? placeholderValue(source) : undefined);
    }
  }
  if (kind === 'updateTtl') {
    const specification = params?.properties.get('TimeToLiveSpecification');
    const view = specification?.value ? objectView(specification.value, specification.file) : undefined;
    const attribute = stringProperty(view, 'AttributeName');
    if (attribute) operation.updatedAttributes = new Map([[attribute, undefined]]);
  }
  return operation;
}

function transactItems(parent: DynamoOperation, params: ObjectView | undefined): DynamoOperation[] {
  const property = params?.properties.get('TransactItems');
  if (!property?.value) return [];
  const array = resolveValue(property.value, property.file);
  if (!ts.isArrayLiteralExpression(array.node)) return [];
  const items: DynamoOperation[] = [];
  for (const element of array.node.elements) {
    const view = objectView(element, array.file);
    for (const [name, kind] of [
      ['Put', 'put'],
      ['Delete', 'delete'],
      ['Update', 'update'],
      ['ConditionCheck', 'conditionCheck'],
    ] as const) {
      const request = view?.properties.get(name);
      if (!request?.value) continue;
      const requestParams = objectView(request.value, request.file);
      const item = describeRequest(kind, requestParams, request.file, {
        model: parent.model,
        call: parent.call,
        command: parent.command,
        sdk: parent.sdk,
        lowLevel: parent.lowLevel,
        paramsExpression: request.value,
      });
      item.transaction = parent;
      items.push(item);
    }
  }
  return items;
}

function batchItems(parent: DynamoOperation, params: ObjectView | undefined): DynamoOperation[] {
  const property = params?.properties.get('RequestItems');
  const view = property?.value ? objectView(property.value, property.file) : undefined;
  if (!view) return [];
  const items: DynamoOperation[] = [];
  for (const element of view.literal.properties) {
    if (!ts.isPropertyAssignment(element)) continue;
    const tableExpression = ts.isComputedPropertyName(element.name) ? element.name.expression : undefined;
    const array = resolveValue(element.initializer, view.file);
    if (!ts.isArrayLiteralExpression(array.node)) continue;
    for (const request of array.node.elements) {
      const requestView = objectView(request, array.file);
      for (const [name, kind] of [
        ['PutRequest', 'put'],
        ['DeleteRequest', 'delete'],
      ] as const) {
        const inner = requestView?.properties.get(name);
        if (!inner?.value) continue;
        const item = describeRequest(
          kind,
          objectView(inner.value, inner.file),
          inner.file,
          {
            model: parent.model,
            call: parent.call,
            command: parent.command,
            sdk: parent.sdk,
            lowLevel: parent.lowLevel,
            paramsExpression: inner.value,
          },
          tableExpression,
        );
        if (!tableExpression) {
          const name = propertyNameText(element.name);
          item.table = { name, identity: `name:${name}` };
        }
        item.transaction = parent;
        items.push(item);
      }
    }
  }
  return items;
}

/** A CreateTable request as a table definition (key schema and global secondary indexes). */
function createTableDefinition(operation: DynamoOperation): DynamoTableDefinition | undefined {
  if (operation.kind !== 'createTable') return undefined;
  const keys = keySchema(operation.params);
  const indexes = operation.params?.properties.get('GlobalSecondaryIndexes');
  const indexArray = indexes?.value ? resolveValue(indexes.value, indexes.file) : undefined;
  const globalSecondaryIndexes =
    indexArray && ts.isArrayLiteralExpression(indexArray.node)
      ? indexArray.node.elements.map((element) => {
          const view = objectView(element, indexArray.file);
          return { indexName: stringProperty(view, 'IndexName'), partitionKey: keySchema(view).hash, node: element };
        })
      : [];
  return {
    model: MODEL_ID,
    kind: 'create-table',
    node: operation.call,
    table: operation.table,
    props: operation.params,
    partitionKey: keys.hash,
    sortKey: keys.range,
    globalSecondaryIndexes,
    isSessionTable: false,
  };
}

function keySchema(view: ObjectView | undefined): { hash?: DynamoKeyDefinition; range?: DynamoKeyDefinition } {
  const property = view?.properties.get('KeySchema');
  const array = property?.value ? resolveValue(property.value, property.file) : undefined;
  const result: { hash?: DynamoKeyDefinition; range?: DynamoKeyDefinition } = {};
  if (!array || !ts.isArrayLiteralExpression(array.node)) return result;
  for (const element of array.node.elements) {
    const entry = objectView(element, array.file);
    const type = stringProperty(entry, 'KeyType');
    const definition = { name: stringProperty(entry, 'AttributeName'), node: element };
    if (type === 'HASH') result.hash = definition;
    if (type === 'RANGE') result.range = definition;
  }
  return result;
}

/**
 * DynamoDB through the AWS SDK (v2, v3 client, lib-dynamodb). Hooks: `dynamoOperation` for requests,
 * `dynamoTableDefinition` for CreateTable requests. Use `dynamoFacts(file)` (src/models/dynamodb.ts)
 * to get every request of a file with session-table evidence joined in.
 */
export const awsSdkDynamoDb: Model = {
  id: MODEL_ID,
  packages: ['aws-sdk', 'aws-sdk/clients/dynamodb', V3_MODULE, LIB_MODULE, '@aws-sdk/util-dynamodb'],
  keywords: ['dynamo'],
  dynamoOperation: recognizeDynamoOperation,
  dynamoTableDefinition(node, file) {
    if (!ts.isCallExpression(node)) return undefined;
    const operation = recognizeDynamoOperation(node, file);
    return operation ? createTableDefinition(operation) : undefined;
  },
};
