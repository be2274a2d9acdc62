import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  multitoolResults,
  multitoolRuns,
  sarifSchemaErrors,
  seriousMultitoolResults,
} from '../support/sarif-validation.js';
import { ensureBuilt, fixture, runBin } from './built.js';

/** Only test code has findings here: a supertest suite with a throwaway session. */
let onlyTests: string;
beforeAll(() => {
  ensureBuilt();
  onlyTests = mkdtempSync(path.join(tmpdir(), 'fixate-only-tests-'));
  writeFileSync(
    path.join(onlyTests, 'package.json'),
    JSON.stringify({ name: 'only-tests', dependencies: { express: '^4.21.2', 'express-session': '^1.18.1' } }),
  );
  mkdirSync(path.join(onlyTests, 'src'));
  writeFileSync(
    path.join(onlyTests, 'src/app.test.ts'),
    [
      "import express from 'express';",
      "import session from 'express-session';",
      '',
      'const app = express();',
      "app.use(session({ secret: 'throwaway', cookie: { secure: false } }));",
      '',
    ].join('\n'),
  );
});
afterAll(() => {
  rmSync(onlyTests, { recursive: true, force: true });
});

const project = fixture('test-code');

describe('findings in test code, by default', () => {
  it('are left out of the text report, which says how many in one summary line', () => {
    const r = runBin(['.', '--no-color'], { cwd: project });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^3 findings: 3 errors, 0 warnings, 0 notes\.$/m);
    expect(r.stdout).toMatch(/^Test code: 17 findings left out \(--include-tests reports them as notes\)\.$/m);
    expect(r.stdout).not.toContain('src/invoices.spec.ts');
    expect(r.stdout).not.toContain('(test code)');
  });

  it('do not change the exit code', () => {
    const r = runBin(['.', '--fail-on', 'note', '--no-color'], { cwd: onlyTests });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('No findings.');
    expect(r.stdout).toContain('Test code: 2 findings left out');
  });

  it('are counted in JSON stats', () => {
    const r = runBin(['.', '--format', 'json'], { cwd: onlyTests });
    const report = JSON.parse(r.stdout);
    expect(report.findings).toEqual([]);
    expect(report.stats.testFindingsLeftOut).toBe(2);
  });

  it('are counted in a SARIF tool execution notification', () => {
    const r = runBin(['.', '--format', 'sarif'], { cwd: onlyTests });
    const log = JSON.parse(r.stdout) as Sarif.Log;
    expect(log.runs[0].results).toEqual([]);
    const notes = log.runs[0].invocations?.[0].toolExecutionNotifications ?? [];
    const leftOut = notes.find((n) => n.descriptor?.id === 'test-code-left-out');
    expect(leftOut).toMatchObject({ level: 'note', properties: { skipped: false } });
    expect(leftOut?.message.text).toMatch(/^2 findings in test code left out of this report; .*--include-tests/);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });
});

describe('with --include-tests', () => {
  it('reports them as notes marked "(test code)", which fail only --fail-on note', () => {
    const r = runBin(['.', '--include-tests', '--no-color'], { cwd: onlyTests });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^src\/app\.test\.ts:5:\d+ {2}note {2}hardcoded-session-secret {2}\(test code\)$/m);
    expect(r.stdout).toMatch(/^2 findings: 0 errors, 0 warnings, 2 notes\.$/m);
    expect(r.stdout).not.toContain('Test code:');
    expect(runBin(['.', '--include-tests', '--fail-on', 'note'], { cwd: onlyTests }).code).toBe(1);
  });

  it('the config key includeTests does the same', () => {
    writeFileSync(path.join(onlyTests, 'fixate.config.json'), JSON.stringify({ includeTests: true }));
    try {
      const report = JSON.parse(runBin(['.', '--format', 'json'], { cwd: onlyTests }).stdout);
      expect(report.stats.testFindingsLeftOut).toBe(0);
      expect(report.findings.map((f: { severity: string; testCode?: boolean }) => [f.severity, f.testCode])).toEqual([
        ['note', true],
        ['note', true],
      ]);
    } finally {
      rmSync(path.join(onlyTests, 'fixate.config.json'));
    }
  });

  describe('its SARIF', () => {
    let sarif: string;
    let log: Sarif.Log;
    beforeAll(() => {
      sarif = runBin(['.', '--include-tests', '--format', 'sarif'], { cwd: project }).stdout;
      log = JSON.parse(sarif);
    });

    it('tags test-code results "test" and leaves production results untagged', () => {
      const results = log.runs[0].results ?? [];
      const tagged = results.filter((r) => (r.properties?.tags as string[] | undefined)?.includes('test'));
      expect(tagged).toHaveLength(17);
      expect(tagged.every((r) => r.level === 'note')).toBe(true);
      const untagged = results.filter((r) => !r.properties);
      // Paths are relative to the repository this checkout is.
      const uris = untagged.map((r) => r.locations?.[0].physicalLocation?.artifactLocation?.uri ?? '');
      expect(uris.map((uri) => uri.replace(/^fixtures\/projects\/test-code\//, '')).sort()).toEqual([
        'src/contest-entries.ts',
        'src/testing/seed-session.ts',
        'test/support/demo-app.ts',
      ]);
      const notes = log.runs[0].invocations?.[0].toolExecutionNotifications ?? [];
      expect(notes.some((n) => n.descriptor?.id === 'test-code-left-out')).toBe(false);
    });

    it('validates against the official SARIF 2.1.0 schema', () => {
      expect(sarifSchemaErrors(log)).toEqual([]);
    });

    it.runIf(multitoolRuns)('passes Sarif.Multitool validate --rule-kind "Sarif;Ghas"', async () => {
      expect(seriousMultitoolResults(await multitoolResults(sarif))).toEqual([]);
    });
  });
});
