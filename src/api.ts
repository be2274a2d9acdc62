/**
 * The API rules are written against. Rules import from here only; when a rule needs more, widen this
 * file on purpose rather than reaching into the engine.
 */
export { ts } from '#typescript';
export { moduleReferenceOf, refersTo, type ModuleReference } from './analysis/imports.js';
export { findDeclaration } from './analysis/scope.js';
export * from './analysis/syntax.js';
export {
  enclosingWriteOf,
  environmentVariableName,
  findExport,
  type Located,
  memberValues,
  nestedView,
  type ObjectView,
  type OptionDefault,
  objectView,
  objectViews,
  optionDefault,
  possibleValues,
  propertyAtPath,
  type PropertyView,
  resolveValue,
  type StaticValue,
  staticValue,
} from './analysis/values.js';
export { compareVersions, formatVersion, inHalfOpenRange, parseVersion } from './analysis/semver.js';
export type { DependencyVersion } from './analysis/file-context.js';
export { insertFirstProperty, replaceNode } from './fix/object-edits.js';
export type { EnvironmentDefault, FileContext, Model, SecretSite, SessionOptionsSite } from './models/model.js';
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
  classMethod,
  comparesExpiry,
  dynamoFacts,
  EXPIRY_NAME,
  type EpochTime,
  enclosingStatement,
  epochTime,
  expiryMayBeAbsent,
  inSessionDeletion,
  mentionsExpiry,
  resultIsUsed,
  innermostOperation,
  isDerivedKey,
  judgedInWrapper,
  primaryKeyOf,
  SESSION_KEY_NAME,
  USER_ID_NAME,
  wrapperFunctions,
} from './models/dynamodb.js';
export { keyPrefix, prefixRole } from './models/dynamodb-roles.js';
export {
  defineRule,
  defineRuleMeta,
  type FixDescriptor,
  type ReportDescriptor,
  type RuleContext,
  type RuleListeners,
} from './rule.js';
// Session lifecycle: flow ("rotated before this write on every path"), handlers, model concepts.
export {
  type Dominance,
  dominance,
  type EventPredicate,
  exitsWithout,
  happensOnExit,
  type PathOptions,
} from './analysis/flow.js';
export { type Presence, presenceWhen } from './analysis/conditions.js';
export { callExpressions, callsOf } from './analysis/call-sites.js';
export { calledFunction } from './analysis/call-targets.js';
export { isPackageEntryPoint } from './analysis/package-entry.js';
export {
  describeRoute,
  functionOf,
  nestRoute,
  type RouteRegistration,
  receivingFunction,
  routeRegistrations,
} from './analysis/handlers.js';
export {
  completesRotation,
  credentialCheckAt,
  type HelperSummary,
  helperOf,
  helperRotationEvidence,
  invalidationAt,
  isLogoutHandler,
  isRotationPromise,
  keyRemovalAt,
  LOGOUT_PATH,
  logoutName,
  loginCallAt,
  loginOriginOf,
  loginStepOf,
  receivesRequest,
  rotationAt,
  sessionObjectOf,
  sessionPrincipalOf,
  sessionLibraryAbsent,
  sessionsAreStateless,
  sessionWritesAt,
  summarize,
} from './analysis/session-concepts.js';
export { isIdentityKey, isNonIdentityKey } from './analysis/identity-keys.js';
export type { LoginOrigin } from './analysis/login-evidence.js';
export type {
  LoginCall,
  LoginVerdict,
  RotationFixTemplate,
  SessionInvalidation,
  SessionKeyRemoval,
  SessionObject,
  SessionRotation,
  SessionWrite,
} from './models/session-lifecycle.js';
// Logout concepts and identifier generators (session-not-invalidated-on-logout, predictable-session-id).
export { decoratorsOf } from './analysis/handlers.js';
export type {
  CookieClearing,
  InvalidationFixContext,
  InvalidationFixTemplate,
  LogoutCall,
} from './models/session-logout.js';
export {
  hashCall,
  strongGenerator,
  type WeakGenerator,
  type WeakGeneratorKind,
  weakGenerator,
} from './models/weak-randomness.js';
// Session-id taint: the engine and the model concepts it is fed with.
export {
  describeFlow,
  flowSteps,
  functionLabel,
  returnedExpressions,
  type SourceInfo,
  TaintEngine,
  type TaintPath,
  type TaintResult,
} from './analysis/taint.js';
export {
  collectSessionIdSites,
  modelAnswersAt,
  ModelTaint,
  type SessionIdSinkUse,
  sessionIdSinkUses,
  randomIdExpression,
  readsRequestCookie,
  requestInputTaint,
  SESSION_COOKIE_NAME,
  sessionIdTaint,
} from './models/session-id.js';
// Sessions by role: issue, bind and resolve of hand-rolled session credentials; config defaults.
export {
  type ConfigStoreDefault,
  configStoreDefault,
  configStoreValue,
  type ConfiguredDefault,
  configuredDefault,
} from './analysis/session/config-defaults.js';
export {
  type CredentialEvidence,
  credentialEvidence,
  evidenceRelated,
  handRolledStoreSinks,
  type HandRolledStore,
  handRolledStores,
  helperCookieWrites,
  issueLabel,
  type RoleSite,
  sessionTokenSourcesOf,
  storeDeletionFix,
  type UrlTokenExchange,
  urlTokenExchange,
} from './analysis/session/roles.js';
export { type UrlSessionLookup, urlSessionLookups } from './analysis/session/url-session-lookups.js';
export { isTokenIssue, isWholeRequestCollection } from './models/session-id-concepts.js';
export type {
  CookieWrite,
  CookieWriteDefaults,
  CredentialIssue,
  TokenIssue,
  RequestInput,
  RequestInputKind,
  SessionIdSink,
  SessionIdSinkKind,
  UrlSink,
} from './models/session-id.js';
