import { ts } from '#typescript';
import { resolveReceiver } from '../analysis/call-targets.js';
import { type ModuleReference, moduleReferenceOf } from '../analysis/imports.js';
import { accessedName, unwrap } from '../analysis/syntax.js';
import { type ObjectView, objectView, resolveValue, staticValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import {
  type DynamoIndexDefinition,
  type DynamoKeyDefinition,
  type DynamoTableDefinition,
  stringProperty,
  tableRef,
} from './dynamodb.js';
import type { Model } from './model.js';

/*
 * AWS CDK DynamoDB tables: `new dynamodb.Table(scope, id, props)` and `new dynamodb.TableV2(...)` from
 * `aws-cdk-lib/aws-dynamodb` (also `aws-cdk-lib`'s `aws_dynamodb` namespace and CDK v1's
 * `@aws-cdk/aws-dynamodb`). Props per the aws-cdk-lib API reference: `partitionKey`/`sortKey`
 * `{ name, type }`, `tableName`, `timeToLiveAttribute`, and for TableV2 `globalSecondaryIndexes`;
 * `table.addGlobalSecondaryIndex({ indexName, partitionKey })` works on both.
 */

const MODEL_ID = 'aws-cdk-lib';
const TABLE_MODULES = ['aws-cdk-lib/aws-dynamodb', '@aws-cdk/aws-dynamodb'];

function tableConstruct(reference: ModuleReference | undefined): 'cdk-table' | 'cdk-table-v2' | undefined {
  if (!reference) return undefined;
  let path = reference.path[0] === 'default' ? reference.path.slice(1) : reference.path;
  if (reference.module === 'aws-cdk-lib') {
    if (path[0] !== 'aws_dynamodb') return undefined;
    path = path.slice(1);
  } else if (!TABLE_MODULES.includes(reference.module)) {
    return undefined;
  }
  if (path.length !== 1) return undefined;
  if (path[0] === 'Table') return 'cdk-table';
  if (path[0] === 'TableV2') return 'cdk-table-v2';
  return undefined;
}

function keyDefinition(view: ObjectView | undefined, name: string): DynamoKeyDefinition | undefined {
  const property = view?.properties.get(name);
  if (!property?.value) return undefined;
  const key = objectView(property.value, property.file);
  return { name: stringProperty(key, 'name'), node: property.property };
}

function indexDefinition(expression: ts.Expression, file: FileContext): DynamoIndexDefinition {
  const view = objectView(expression, file);
  return {
    indexName: stringProperty(view, 'indexName'),
    partitionKey: keyDefinition(view, 'partitionKey'),
    node: expression,
  };
}

function recognizeTable(node: ts.NewExpression, file: FileContext): DynamoTableDefinition | undefined {
  const kind = tableConstruct(moduleReferenceOf(node.expression));
  if (!kind) return undefined;
  const [, idArgument, propsArgument] = node.arguments ?? [];
  const props = propsArgument ? objectView(propsArgument, file) : undefined;
  const id = idArgument ? staticValue(idArgument, file) : undefined;
  const constructId = id?.kind === 'string' ? id.value : undefined;
  const tableName = props?.properties.get('tableName');
  const table = tableName?.value
    ? tableRef(tableName.value, tableName.file)
    : { identity: `cdk:${constructId ?? node.pos}` };
  const globalSecondaryIndexes: DynamoIndexDefinition[] = [];
  const indexes = props?.properties.get('globalSecondaryIndexes');
  const array = indexes?.value ? resolveValue(indexes.value, indexes.file) : undefined;
  if (array && ts.isArrayLiteralExpression(array.node)) {
    for (const element of array.node.elements) globalSecondaryIndexes.push(indexDefinition(element, array.file));
  }
  return {
    model: MODEL_ID,
    kind,
    node,
    constructId,
    table,
    props,
    partitionKey: keyDefinition(props, 'partitionKey'),
    sortKey: keyDefinition(props, 'sortKey'),
    timeToLiveAttribute: props?.properties.get('timeToLiveAttribute'),
    globalSecondaryIndexes,
    isSessionTable: false,
  };
}

/** AWS CDK `Table` / `TableV2` constructs and their global secondary indexes. */
export const awsCdkDynamoDb: Model = {
  id: MODEL_ID,
  packages: ['aws-cdk-lib', 'aws-cdk-lib/aws-dynamodb', '@aws-cdk/aws-dynamodb'],
  keywords: ['dynamodb'],
  dynamoTableDefinition(node, file) {
    return ts.isNewExpression(node) ? recognizeTable(node, file) : undefined;
  },
  dynamoIndexAddition(call, file) {
    if (accessedName(unwrap(call.expression)) !== 'addGlobalSecondaryIndex' || call.arguments.length < 1)
      return undefined;
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const tableNode = resolveReceiver(callee.expression, file)
      .map((candidate) => candidate.node)
      .find(
        (candidate): candidate is ts.NewExpression =>
          ts.isNewExpression(candidate) && !!recognizeTable(candidate, file),
      );
    if (!tableNode) return undefined;
    return { model: MODEL_ID, call, tableNode, index: indexDefinition(call.arguments[0], file) };
  },
};
