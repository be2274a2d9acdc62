/**
 * The API Python rules (`rules/<id>/python.ts`) are written against: the Python rule definition, the
 * file interface, syntax helpers and the Python models. A Python rule imports from here and its own
 * meta.ts only, as a TypeScript rule imports src/api.ts.
 */
export type { PythonFileContext } from './file.js';
export type { PythonNode } from './parser.js';
export {
  definePythonRule,
  type PythonListeners,
  type PythonReportDescriptor,
  type PythonRule,
  type PythonRuleContext,
  type PythonTarget,
} from './rule.js';
export * from './syntax.js';
export { boto3 } from '../../models/boto3.js';
export { SESSION_COOKIE_NAME } from '../../models/session-id-concepts.js';
export { django, pythonRandomness } from '../../models/django.js';
export * from './sessions.js';
export * from './settings.js';
export * from './dynamodb.js';
