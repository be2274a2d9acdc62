import type { Rule, RuleMetaDefinition } from '../src/rule.js';
import clientControlledSessionId from './client-controlled-session-id/meta.js';
import dynamodbSessionMissingExpiry from './dynamodb-session-missing-expiry/meta.js';
import dynamodbSessionRotationNotAtomic from './dynamodb-session-rotation-not-atomic/meta.js';
import dynamodbSessionStaleRead from './dynamodb-session-stale-read/meta.js';
import dynamodbSessionUserIndex from './dynamodb-session-user-index/meta.js';
import hardcodedSessionSecret from './hardcoded-session-secret/meta.js';
import insecureSessionCookie from './insecure-session-cookie/meta.js';
import missingSessionRegeneration from './missing-session-regeneration/meta.js';
import predictableSessionId from './predictable-session-id/meta.js';
import sessionIdInUrl from './session-id-in-url/meta.js';
import sessionNotInvalidatedOnLogout from './session-not-invalidated-on-logout/meta.js';

/**
 * Rule metadata, cheap to load (no TypeScript compiler): enough for `fixate rules`, `explain` and the
 * SARIF rule table. Implementations are imported on demand by `loadRules()`.
 */
export const ruleMetas: RuleMetaDefinition[] = [
  clientControlledSessionId,
  dynamodbSessionMissingExpiry,
  dynamodbSessionRotationNotAtomic,
  dynamodbSessionStaleRead,
  dynamodbSessionUserIndex,
  hardcodedSessionSecret,
  insecureSessionCookie,
  missingSessionRegeneration,
  predictableSessionId,
  sessionIdInUrl,
  sessionNotInvalidatedOnLogout,
];

const implementations: Record<string, () => Promise<{ default: Rule }>> = {
  'client-controlled-session-id': () => import('./client-controlled-session-id/rule.js'),
  'dynamodb-session-missing-expiry': () => import('./dynamodb-session-missing-expiry/rule.js'),
  'dynamodb-session-rotation-not-atomic': () => import('./dynamodb-session-rotation-not-atomic/rule.js'),
  'dynamodb-session-stale-read': () => import('./dynamodb-session-stale-read/rule.js'),
  'dynamodb-session-user-index': () => import('./dynamodb-session-user-index/rule.js'),
  'hardcoded-session-secret': () => import('./hardcoded-session-secret/rule.js'),
  'insecure-session-cookie': () => import('./insecure-session-cookie/rule.js'),
  'missing-session-regeneration': () => import('./missing-session-regeneration/rule.js'),
  'predictable-session-id': () => import('./predictable-session-id/rule.js'),
  'session-id-in-url': () => import('./session-id-in-url/rule.js'),
  'session-not-invalidated-on-logout': () => import('./session-not-invalidated-on-logout/rule.js'),
};

/**
 * Python implementations (`rules/<id>/python.ts`), loaded by the engine only when it scans `.py`
 * files, so a TypeScript-only scan never loads them or the tree-sitter parser they run on.
 */
const pythonImplementations: Record<string, () => Promise<{ default: unknown }>> = {
  'dynamodb-session-missing-expiry': () => import('./dynamodb-session-missing-expiry/python.js'),
  'dynamodb-session-rotation-not-atomic': () => import('./dynamodb-session-rotation-not-atomic/python.js'),
  'dynamodb-session-stale-read': () => import('./dynamodb-session-stale-read/python.js'),
  'dynamodb-session-user-index': () => import('./dynamodb-session-user-index/python.js'),
  'client-controlled-session-id': () => import('./client-controlled-session-id/python.js'),
  'hardcoded-session-secret': () => import('./hardcoded-session-secret/python.js'),
  'insecure-session-cookie': () => import('./insecure-session-cookie/python.js'),
  'missing-session-regeneration': () => import('./missing-session-regeneration/python.js'),
  'predictable-session-id': () => import('./predictable-session-id/python.js'),
  'session-id-in-url': () => import('./session-id-in-url/python.js'),
  'session-not-invalidated-on-logout': () => import('./session-not-invalidated-on-logout/python.js'),
};

export async function loadRules(): Promise<Rule[]> {
  return Promise.all(
    ruleMetas.map(async (meta) => {
      const load = implementations[meta.id];
      if (!load) throw new Error(`rule ${meta.id} has metadata but no implementation in rules/index.ts`);
      const rule = (await load()).default;
      const python = pythonImplementations[meta.id];
      return python ? { ...rule, languages: { python: async () => (await python()).default } } : rule;
    }),
  );
}
