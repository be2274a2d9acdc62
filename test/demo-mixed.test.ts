import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, runBin } from './cli/built.js';
import { itPassesSarifValidation } from './support/sarif-validation.js';

// The README's second demo: the TypeScript demo and the Django project in one report.
const demo = fixture('demo');
const django = fixture('django-dynamodb');
const temp = mkdtempSync(path.join(tmpdir(), 'fixate-mixed-'));
beforeAll(() => ensureBuilt());
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('a scan of TypeScript and Python together', () => {
  it('reports Python findings next to TypeScript ones, with code frames and fix diffs for both', () => {
    const result = runBin([demo, django, '--no-color']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('fixtures/projects/demo/src/login.ts');
    expect(result.stdout).toContain('fixtures/projects/django-dynamodb/seed/writeup_remediation.py');
    expect(result.stdout).toContain('--- a/fixtures/projects/django-dynamodb/accounts/views.py');
    expect(result.stdout).toContain('+    request.session.cycle_key()');
  });

  describe('its SARIF', () => {
    let sarif: string;
    let log: Sarif.Log;
    beforeAll(() => {
      sarif = runBin([demo, django, '--format', 'sarif']).stdout;
      log = JSON.parse(sarif);
    });

    it('has results in both languages, each with a line fingerprint', () => {
      const results = log.runs[0].results ?? [];
      const uris = results.map((r) => r.locations?.[0].physicalLocation?.artifactLocation?.uri ?? '');
      expect(uris.some((uri) => uri.endsWith('.py'))).toBe(true);
      expect(uris.some((uri) => uri.endsWith('.ts'))).toBe(true);
      const python = results.filter((_, index) => uris[index].endsWith('.py'));
      expect(python.every((r) => /^[0-9a-f]+:\d+$/.test(r.partialFingerprints?.primaryLocationLineHash ?? ''))).toBe(
        true,
      );
      expect(python.some((r) => (r.fixes ?? []).length > 0)).toBe(true);
    });

    itPassesSarifValidation(() => sarif);
  });

  it('a baseline of the Python findings silences them and nothing else', () => {
    const baseline = path.join(temp, 'baseline.json');
    expect(runBin(['baseline', django, '-o', baseline]).code).toBe(0);
    const after = JSON.parse(runBin([demo, django, '--format', 'json', '--baseline', baseline]).stdout) as {
      findings: { location: { path: string } }[];
    };
    expect(after.findings.length).toBeGreaterThan(0);
    expect(after.findings.filter((f) => f.location.path.endsWith('.py'))).toEqual([]);
  });
});
