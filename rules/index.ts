import type { Rule, RuleMetaDefinition } from '../src/rule.js';
import hardcodedSessionSecret from './hardcoded-session-secret/meta.js';
import insecureSessionCookie from './insecure-session-cookie/meta.js';

/**
 * Rule metadata, cheap to load (no TypeScript compiler): enough for `fixate rules`, `explain` and the
 * SARIF rule table. Implementations are imported on demand by `loadRules()`.
 */
export const ruleMetas: RuleMetaDefinition[] = [hardcodedSessionSecret, insecureSessionCookie];

const implementations: Record<string, () => Promise<{ default: Rule }>> = {
  'hardcoded-session-secret': () => import('./hardcoded-session-secret/rule.js'),
  'insecure-session-cookie': () => import('./insecure-session-cookie/rule.js'),
};

export async function loadRules(): Promise<Rule[]> {
  return Promise.all(
    ruleMetas.map(async (meta) => {
      const load = implementations[meta.id];
      if (!load) throw new Error(`rule ${meta.id} has metadata but no implementation in rules/index.ts`);
      return (await load()).default;
    }),
  );
}
