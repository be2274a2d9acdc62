/**
 * fixate's public API. Tests and integrations call `scan()` directly; the CLI is a thin shell over it.
 */
import { loadRules } from '../rules/index.js';
import { scanWithRules } from './engine/scan.js';
import type { ScanOptions } from './engine/options.js';
import type { Rule } from './rule.js';
import type { ScanResult } from './types.js';

export async function scan(options: ScanOptions & { ruleSet?: Rule[] }): Promise<ScanResult> {
  return scanWithRules(options, options.ruleSet ?? (await loadRules()));
}

export { ruleMetas, loadRules } from '../rules/index.js';
export { UsageError } from './engine/discover.js';
export type { ScanOptions } from './engine/options.js';
export { defineRule, defineRuleMeta } from './rule.js';
export type { Rule, RuleContext, RuleMeta, ReportDescriptor } from './rule.js';
export type * from './types.js';
