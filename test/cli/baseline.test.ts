import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBaseline, createBaseline, parseBaseline } from '../../src/baseline/baseline.js';
import type { Finding, ScanResult } from '../../src/types.js';
import { APP_TS, cli, commit, LOGIN_TS, PACKAGE_JSON, resultOf, tempRepo, writeFiles } from './temp-project.js';

function sarifOf(dir: string): Sarif.Result[] {
  return (JSON.parse(readFileSync(path.join(dir, 'out.sarif'), 'utf8')) as Sarif.Log).runs[0].results ?? [];
}

const states = (results: Sarif.Result[]) =>
  results.map((r) => `${r.baselineState} ${r.ruleId} ${r.locations?.[0].physicalLocation?.artifactLocation?.uri}`);

describe('baselines on a real git history', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempRepo('baseline', { 'package.json': PACKAGE_JSON, 'src/app.ts': APP_TS, 'src/login.ts': LOGIN_TS });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the current findings, and a scan against it is clean', async () => {
    const recorded = await cli(dir, ['baseline']);
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stderr).toContain('fixate: wrote .fixate-baseline.json (2 findings)');
    const entries = parseBaseline(readFileSync(path.join(dir, '.fixate-baseline.json'), 'utf8'), 'baseline');
    expect(entries.map((e) => `${e.path}:${e.line} ${e.ruleId}`)).toEqual([
      'src/app.ts:5 hardcoded-session-secret',
      'src/login.ts:6 missing-session-regeneration',
    ]);
    commit(dir, 'baseline');

    const scan = await cli(dir, ['--baseline', '.fixate-baseline.json', '--no-color']);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stdout).toMatch(/^No findings\.$/m);
    expect(scan.stdout).toMatch(/^Baseline \.fixate-baseline\.json: 2 known findings left out\.$/m);
  });

  it('reports an added finding alone, and fails on it', async () => {
    writeFiles(dir, { 'src/admin.ts': LOGIN_TS.replace("'/login'", "'/admin/login'") });
    commit(dir, 'add an admin login');
    const scan = await cli(dir, ['--baseline', '.fixate-baseline.json', '--sarif-output', 'out.sarif', '--no-color']);
    expect(scan.code).toBe(1);
    expect(scan.stdout).toContain('src/admin.ts:6:3');
    expect(scan.stdout).not.toContain('src/login.ts:');
    expect(scan.stdout).toMatch(/^1 finding: 1 error, 0 warnings, 0 notes\.$/m);
    expect(states(sarifOf(dir))).toEqual([
      'new missing-session-regeneration src/admin.ts',
      'unchanged hardcoded-session-secret src/app.ts',
      'unchanged missing-session-regeneration src/login.ts',
    ]);
  });

  it('keeps known findings known when the code around them moves', async () => {
    const moved = LOGIN_TS.split('\n');
    // The helper moves above the route and a header comment pushes everything down.
    const helper = moved.splice(9, 3);
    const shifted = [
      '// Login routes.',
      '// Rate limiting lives in the proxy.',
      '',
      ...moved.slice(0, 2),
      ...helper,
      '',
      ...moved.slice(2),
    ];
    writeFiles(dir, { 'src/login.ts': shifted.join('\n') });
    commit(dir, 'move code');
    const scan = await cli(dir, ['--baseline', '.fixate-baseline.json', '--sarif-output', 'out.sarif', '--no-color']);
    expect(scan.code).toBe(1);
    expect(states(sarifOf(dir))).toEqual([
      'new missing-session-regeneration src/admin.ts',
      'unchanged hardcoded-session-secret src/app.ts',
      'unchanged missing-session-regeneration src/login.ts',
    ]);
    const login = sarifOf(dir).find((r) => r.locations?.[0].physicalLocation?.artifactLocation?.uri === 'src/login.ts');
    expect(login?.locations?.[0].physicalLocation?.region?.startLine).toBe(13);
  });

  it('marks a fixed finding absent', async () => {
    writeFiles(dir, {
      'src/app.ts': APP_TS.replace("'keyboard cat'", 'process.env.SESSION_SECRET!'),
      'src/admin.ts': '',
    });
    commit(dir, 'fix the secret, drop the admin login');
    const scan = await cli(dir, ['--baseline', '.fixate-baseline.json', '--sarif-output', 'out.sarif', '--no-color']);
    expect(scan.code, scan.stdout).toBe(0);
    expect(scan.stdout).toMatch(/^Baseline \.fixate-baseline\.json: 1 known finding left out, 1 no longer found\.$/m);
    const results = sarifOf(dir);
    expect(states(results)).toEqual([
      'unchanged missing-session-regeneration src/login.ts',
      'absent hardcoded-session-secret src/app.ts',
    ]);
    expect(results[1]).toMatchObject({ kind: 'pass', level: 'none', suppressions: [{ kind: 'external' }] });
  });

  it('reads the baseline from the config file, relative to it', async () => {
    writeFiles(dir, { 'src/admin.ts': LOGIN_TS, 'fixate.config.json': '{ "baseline": ".fixate-baseline.json" }' });
    const scan = await cli(path.join(dir, 'src'), ['--config', '../fixate.config.json', '--format', 'json']);
    expect(scan.code).toBe(1);
    const report = JSON.parse(scan.stdout);
    expect(report.findings.map((f: Finding) => [f.location.path, f.baselineState])).toEqual([['src/admin.ts', 'new']]);
    expect(report.baseline).toEqual({ file: '../.fixate-baseline.json', unchanged: 1, absent: 1 });
  });

  it('is a usage error when the baseline is missing or is not one', async () => {
    const missing = await cli(dir, ['--baseline', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      '--baseline nope.json not found; create it with `fixate baseline --output nope.json`',
    );
    writeFileSync(path.join(dir, 'bad.json'), '{"version": 2, "findings": []}');
    const bad = await cli(dir, ['--baseline', 'bad.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json: not a fixate baseline ("version" must be 1)');
  });
});

describe('applyBaseline', () => {
  const finding = (path: string, line: number, lineHash: string, ruleId = 'r'): Finding => ({
    ruleId,
    messageId: 'm',
    severity: 'error',
    message: `${ruleId} at ${path}:${line}`,
    location: { path, region: { startLine: line, startColumn: 1, endLine: line, endColumn: 2 } },
    related: [],
    fixes: [],
    lineHash,
    snippet: 'x',
  });
  const result = (findings: Finding[]): ScanResult =>
    resultOf(findings, {
      roots: ['src'],
      rules: [{ id: 'r' } as ScanResult['rules'][number]],
      notifications: [{ level: 'warning', code: 'binary', message: 'm', path: 'src/skipped.ts', skipped: true }],
    });

  it('matches the full hash first, then the hash without its occurrence count', () => {
    // An identical line added above a known one renumbers it (`abc:1` becomes `abc:2`).
    const base = createBaseline(result([finding('src/a.ts', 3, 'abc:1')])).findings;
    const now = applyBaseline(result([finding('src/a.ts', 1, 'abc:1'), finding('src/a.ts', 4, 'abc:2')]), base, {
      file: 'b.json',
    });
    expect(now.findings.map((f) => f.location.region.startLine)).toEqual([4]);
    expect(now.baseline?.unchanged.map((f) => f.location.region.startLine)).toEqual([1]);
    expect(now.stats.bySeverity.error).toBe(1);
  });

  it('calls entries absent only where the scan reported: its roots, its rules, files not skipped', () => {
    const base = createBaseline(
      result([
        finding('src/gone.ts', 1, 'a:1'),
        finding('src/skipped.ts', 1, 'b:1'),
        finding('lib/elsewhere.ts', 1, 'c:1'),
        finding('src/other-rule.ts', 1, 'd:1', 'other'),
      ]),
    ).findings;
    const now = applyBaseline(result([]), base, { file: 'b.json' });
    expect(now.baseline?.absent.map((e) => e.path)).toEqual(['src/gone.ts']);
    expect(applyBaseline(result([]), base, { file: 'b.json', reportedOn: () => false }).baseline?.absent).toEqual([]);
  });

  it('leaves suppressed findings as they are', () => {
    const suppressed = {
      ...finding('src/a.ts', 1, 'a:1'),
      suppression: { kind: 'inSource' as const, justification: 'j' },
    };
    const now = applyBaseline(result([suppressed]), [], { file: 'b.json' });
    expect(now.findings).toEqual([suppressed]);
    expect(createBaseline(result([suppressed])).findings).toEqual([]);
  });
});
