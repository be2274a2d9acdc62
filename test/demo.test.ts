import type * as Sarif from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, runBin } from './cli/built.js';
import { itPassesSarifValidation } from './support/sarif-validation.js';

const demo = fixture('demo');
beforeAll(() => ensureBuilt());

describe('fixate on the bundled demo project (the README quick start)', () => {
  it('prints findings with code frames and fix diffs, and exits 1', () => {
    const result = runBin([demo, '--no-color']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/> +\d+ \|/);
    expect(result.stdout).toMatch(/\n +\| +\^+/);
    expect(result.stdout).toContain('--- a/fixtures/projects/demo/src/login.ts');
    for (const rule of [
      'missing-session-regeneration',
      'client-controlled-session-id',
      'session-id-in-url',
      'predictable-session-id',
      'session-not-invalidated-on-logout',
      'hardcoded-session-secret',
      'insecure-session-cookie',
      'dynamodb-session-rotation-not-atomic',
      'dynamodb-session-missing-expiry',
      'dynamodb-session-stale-read',
    ]) {
      expect(result.stdout, rule).toContain(`  ${rule}\n`);
    }
  });

  it('gives byte-identical reports on two runs, in every format', () => {
    for (const format of ['text', 'json', 'sarif', 'html']) {
      const first = runBin([demo, '--format', format, '--no-color']);
      const second = runBin([demo, '--format', format, '--no-color']);
      expect(second.stdout, format).toBe(first.stdout);
      expect(first.stdout.length).toBeGreaterThan(1000);
    }
  });

  describe('its SARIF', () => {
    let sarif: string;
    let log: Sarif.Log;
    beforeAll(() => {
      sarif = runBin([demo, '--format', 'sarif']).stdout;
      log = JSON.parse(sarif);
    });

    itPassesSarifValidation(() => sarif);

    it('carries code flows, fixes, related locations and fingerprints', () => {
      const results = log.runs[0].results ?? [];
      const flow = results.find((r) => r.ruleId === 'client-controlled-session-id');
      expect(flow?.codeFlows?.[0].threadFlows[0].locations.length).toBeGreaterThan(1);
      expect(results.filter((r) => (r.fixes ?? []).length > 0).length).toBeGreaterThan(5);
      expect(results.every((r) => /^[0-9a-f]+:\d+$/.test(r.partialFingerprints?.primaryLocationLineHash ?? ''))).toBe(
        true,
      );
      expect(
        results.find((r) => r.ruleId === 'missing-session-regeneration')?.relatedLocations?.length,
      ).toBeGreaterThan(0);
      for (const result of results) {
        expect(result.locations?.[0].physicalLocation?.artifactLocation?.uri).toMatch(
          /^fixtures\/projects\/demo\/src\//,
        );
      }
    });
  });
});
