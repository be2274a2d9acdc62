/**
 * The API rules are written against. Rules import from here only; when a rule needs more, widen this
 * file on purpose rather than reaching into the engine.
 */
export { ts } from 'ts-morph';
export { moduleReferenceOf, refersTo, type ModuleReference } from './analysis/imports.js';
export { findDeclaration } from './analysis/scope.js';
export * from './analysis/syntax.js';
export {
  environmentVariableName,
  findExport,
  type Located,
  type ObjectView,
  objectView,
  type PropertyView,
  resolveValue,
  staticValue,
} from './analysis/values.js';
export { compareVersions, formatVersion, inHalfOpenRange, parseVersion } from './analysis/semver.js';
export type { FileContext } from './engine/file-context.js';
export type { DependencyVersion } from './engine/project-facts.js';
export { insertFirstProperty, replaceNode } from './fix/object-edits.js';
export type { Model, SecretSite, SessionOptionsSite } from './models/model.js';
export {
  type DynamoFileFacts,
  type DynamoIndexDefinition,
  type DynamoKeyDefinition,
  type DynamoOperation,
  type DynamoOperationKind,
  type DynamoSdk,
  type DynamoSessionStoreConfig,
  type DynamoTableDefinition,
  type DynamoTableRef,
  dynamoFacts,
  EXPIRY_NAME,
  enclosingStatement,
  isDerivedKey,
  primaryKeyOf,
  SESSION_KEY_NAME,
  USER_ID_NAME,
} from './models/dynamodb.js';
export {
  defineRule,
  defineRuleMeta,
  type FixDescriptor,
  type ReportDescriptor,
  type RuleContext,
  type RuleListeners,
} from './rule.js';
