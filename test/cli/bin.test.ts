import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, fixture, repoRoot, runBin } from './built.js';

let temp: string;
beforeAll(() => {
  ensureBuilt();
  temp = mkdtempSync(path.join(tmpdir(), 'fixate-bin-'));
});
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

describe('the built binary', () => {
  it('prints the version', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(runBin(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('does not load the TypeScript compiler for --version or rules', () => {
    // A preload that reports, at exit, whether ts-morph or typescript entered the CommonJS cache
    // (ESM imports of CommonJS packages land there too). Structural, so no timing assertion.
    const probe = path.join(temp, 'probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => {
        const heavy = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](ts-morph|typescript)[\\\\/]/.test(f));
        process.stderr.write('heavy=' + heavy.length + '\\n');
      });`,
    );
    for (const args of [['--version'], ['rules']]) {
      const r = runBin(args, { env: { NODE_OPTIONS: `--require ${probe}` } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('heavy=0');
    }
  });

  it('lists the rules', () => {
    const r = runBin(['rules']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+SEVERITY\s+PRECISION\s+CWE\s+TITLE\n/);
    expect(r.stdout).toMatch(/^hardcoded-session-secret\s+error\s/m);
    expect(r.stdout).toMatch(/^insecure-session-cookie\s/m);
  });

  it('explains a rule', () => {
    const r = runBin(['explain', 'hardcoded-session-secret']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# /);
  });

  it('exits 0 on a clean project', () => {
    const r = runBin(['.'], { cwd: fixture('cli-clean') });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^fixate: scanned \d+ files? in \d+\.\d\ds$/m);
  });

  it('exits 1 on a vulnerable project and reports both rules', () => {
    const r = runBin(['.', '--format', 'json'], { cwd: fixture('cli-vulnerable') });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(r.stdout).toContain('hardcoded-session-secret');
    expect(r.stdout).toContain('insecure-session-cookie');
    expect(report).toBeTypeOf('object');
  });

  it('writes SARIF alongside the console report', () => {
    const sarif = path.join(temp, 'out/report.sarif');
    const r = runBin(['.', '--quiet', '--sarif-output', sarif], { cwd: fixture('cli-vulnerable') });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('hardcoded-session-secret');
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.length).toBeGreaterThan(0);
  });

  it('exits 2 on a bad flag', () => {
    const r = runBin(['--frmat', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown option '--frmat'/);
  });

  it('exits 2 on a bad config, naming the file and key', () => {
    const config = path.join(temp, 'bad.json');
    writeFileSync(config, JSON.stringify({ failOn: 'loud' }));
    const r = runBin(['.', '--config', config], { cwd: fixture('cli-clean') });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${config}: "failOn" must be one of`);
  });

  it('exits 2 on a missing --tsconfig, naming the path', () => {
    const r = runBin(['.', '--tsconfig', 'tsconfig.missing.json'], { cwd: fixture('cli-clean') });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fixate: --tsconfig tsconfig.missing.json not found\n');
  });

  it('is started through a two-line bin', () => {
    expect(readFileSync(binPath, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
