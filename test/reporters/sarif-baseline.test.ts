import { describe, expect, it } from 'vitest';
import { applyBaseline, createBaseline } from '../../src/baseline/baseline.js';
import { renderSarif, toSarifLog } from '../../src/reporters/sarif.js';
import {
  multitoolResults,
  multitoolRuns,
  sarifSchemaErrors,
  seriousMultitoolResults,
} from '../support/sarif-validation.js';
import { sampleResult } from './sample-result.js';

/** The sample scan against a baseline holding one of its findings and one that is gone. */
function compared() {
  const scan = sampleResult();
  const recorded = createBaseline(scan).findings;
  const gone = { ...recorded[0], lineHash: 'ffff:1', codeHash: 'gone', message: 'an old finding' };
  return applyBaseline(scan, [recorded[1], gone], { file: '.fixate-baseline.json' });
}

describe('SARIF with a baseline', () => {
  it('marks every result new, unchanged or absent', () => {
    const scan = compared();
    const results = toSarifLog(scan).runs[0].results ?? [];
    const states = results.map((r) => r.baselineState);
    expect(states.filter((s) => s === 'unchanged')).toHaveLength(1);
    expect(states.filter((s) => s === 'absent')).toHaveLength(1);
    expect(states.filter((s) => s === 'new')).toHaveLength(scan.findings.filter((f) => !f.suppression).length);
    expect(results.every((r) => r.baselineState !== undefined || (r.suppressions ?? []).length > 0)).toBe(true);
  });

  it('is valid by the SARIF schema and the multitool', async () => {
    const sarif = renderSarif(compared());
    expect(sarifSchemaErrors(JSON.parse(sarif))).toEqual([]);
    if (!multitoolRuns) return;
    // An absent result's code is gone, so it has no snippet to quote (SARIF2010/2011 are notes).
    const absent = JSON.parse(sarif).runs[0].results.findIndex(
      (r: { baselineState: string }) => r.baselineState === 'absent',
    );
    const serious = seriousMultitoolResults(await multitoolResults(sarif)).filter(
      (line) => !/^note SARIF201[01]:/.test(line) || !line.includes(`results[${absent}].locations[0]`),
    );
    expect(serious).toEqual([]);
  }, 60_000);
});
