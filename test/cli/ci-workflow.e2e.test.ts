import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JsonReport } from '../../src/reporters/json.js';
import { ensureBuilt, runBin } from './built.js';
import { APP_TS, commit, LOGIN_TS, PACKAGE_JSON, tempRepo, writeFiles } from './temp-project.js';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempRepo('ci-e2e', { 'package.json': PACKAGE_JSON, 'src/app.ts': APP_TS });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('baseline, a new vulnerable login, --changed-since with the baseline, --fix, a clean re-scan', () => {
  // 1. Adopt fixate on a codebase with a known finding: record it and scan against it.
  const baseline = runBin(['baseline', '--output', '.fixate-baseline.json'], { cwd: dir });
  expect(baseline.code, baseline.stderr).toBe(0);
  commit(dir, 'fixate baseline');
  const clean = runBin(['--baseline', '.fixate-baseline.json', '--no-color'], { cwd: dir });
  expect(clean.code, clean.stdout).toBe(0);
  expect(clean.stdout).toContain('Baseline .fixate-baseline.json: 1 known finding left out.');

  // 2. A pull request adds a login that keeps the session id.
  writeFiles(dir, { 'src/login.ts': LOGIN_TS });

  // 3. The changed files against the baseline: exactly that one finding.
  const changed = runBin(['--changed-since', 'HEAD', '--baseline', '.fixate-baseline.json', '--format', 'json'], {
    cwd: dir,
  });
  expect(changed.code, changed.stderr).toBe(1);
  const report = JSON.parse(changed.stdout) as JsonReport;
  expect(
    report.findings.map((f) => `${f.location.path}:${f.location.region.startLine} ${f.ruleId} ${f.baselineState}`),
  ).toEqual(['src/login.ts:6 missing-session-regeneration new']);

  // 4. --fix applies its safe fix.
  const fixed = runBin(['--changed-since', 'HEAD', '--baseline', '.fixate-baseline.json', '--fix', '--no-color'], {
    cwd: dir,
  });
  expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
  expect(fixed.stderr).toContain('fixate: fixed src/login.ts');
  expect(fixed.stderr).toContain('fixate: applied 1 fix to 1 file in 1 pass; 0 findings remain after the re-scan');
  expect(readFileSync(path.join(dir, 'src/login.ts'), 'utf8')).toContain('req.session.regenerate(');

  // 5. The full re-scan is clean against the baseline.
  const rescan = runBin(['--baseline', '.fixate-baseline.json', '--no-color'], { cwd: dir });
  expect(rescan.code, rescan.stdout).toBe(0);
  expect(rescan.stdout).toMatch(/^No findings\.$/m);
});
