import type { ScanResult } from '../../src/types.js';

/** What a user sees of each finding: two scans that must agree are compared on this. */
export function visibleFindings(result: ScanResult) {
  return result.findings.map((f) => ({
    rule: f.ruleId,
    path: f.location.path,
    region: f.location.region,
    message: f.message,
    fixes: f.fixes.map((fix) => fix.diff),
  }));
}
