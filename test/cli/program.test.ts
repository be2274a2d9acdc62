import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliDeps } from '../../src/cli/program.js';
import { exitCodeFor, runCli } from '../../src/cli/program.js';
import type { ScanOptions } from '../../src/engine/options.js';
import { renderDjangoSessionBackend } from '../../src/init/django-dynamodb-session.js';
import { renderDynamoDbStore } from '../../src/init/dynamodb-store.js';
import { sessionTableParams } from '../../src/init/session-table.js';
import { defineRuleMeta } from '../../src/rule.js';
import type { Finding, Notification, ScanResult, Severity } from '../../src/types.js';

const metas = [
  defineRuleMeta({
    id: 'insecure-session-cookie',
    meta: {
      title: 'Session cookie sent without Secure',
      description: 'A cookie without Secure leaks over plain HTTP.',
      severity: 'warning',
      precision: 'high',
      securitySeverity: 5.3,
      cwe: [614],
      frameworks: ['express-session'],
      messages: { insecure: 'cookie is not secure' },
    },
  }),
  defineRuleMeta({
    id: 'hardcoded-session-secret',
    meta: {
      title: 'Session secret is hard-coded',
      description: 'A secret in source lets anyone forge session cookies.',
      severity: 'error',
      precision: 'very-high',
      securitySeverity: 7.5,
      cwe: [798, 321],
      frameworks: ['express-session'],
      messages: { hardcoded: 'secret is hard-coded' },
    },
  }),
];

function finding(severity: Severity, suppressed = false): Finding {
  return {
    ruleId: 'hardcoded-session-secret',
    messageId: 'hardcoded',
    severity,
    message: 'secret is hard-coded',
    location: { path: 'app.ts', region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 5 } },
    related: [],
    fixes: [],
    suppression: suppressed ? { kind: 'inSource', justification: 'test' } : undefined,
    lineHash: 'x',
    snippet: 'app',
  };
}

function result(findings: Finding[] = [], notifications: Notification[] = []): ScanResult {
  return {
    tool: { name: 'fixate', version: '0.0.0', informationUri: 'https://example.invalid' },
    roots: ['.'],
    rules: [],
    findings,
    notifications,
    stats: {
      filesDiscovered: 3,
      filesScanned: 3,
      filesSkipped: notifications.filter((n) => n.skipped).length,
      filesPrefiltered: 0,
      testFindingsLeftOut: 0,
      suppressed: findings.filter((f) => f.suppression).length,
      bySeverity: { error: 0, warning: 0, note: 0 },
    },
    durationMs: 1234,
  };
}

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'fixate-cli-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

interface RunOptions {
  scanResult?: ScanResult | (() => Promise<ScanResult>);
  env?: Record<string, string>;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  deps?: Partial<CliDeps>;
  /** Milliseconds the clock advances each time the CLI reads it (default 0: a scan that takes no time). */
  tick?: number;
}

async function run(args: string[], options: RunOptions = {}) {
  let stdout = '';
  let stderr = '';
  let clock = 0;
  const scanResult = options.scanResult ?? result();
  const scan = vi.fn(async (scanOptions: ScanOptions) => {
    scanOptions.onProgress?.(1, 2, 'analysing');
    scanOptions.onProgress?.(2, 2, 'analysing');
    return typeof scanResult === 'function' ? scanResult() : scanResult;
  });
  const renderText = vi.fn(
    (r: ScanResult, o: { color: boolean }) => `TEXT color=${o.color} findings=${r.findings.length}\n`,
  );
  const deps: CliDeps = {
    scan,
    ruleMetas: async () => metas,
    readRuleReadme: async (id) => `# ${id}\n\nREADME`,
    reporters: async () => ({
      renderText,
      renderJson: (r) => JSON.stringify({ findings: r.findings.length }),
      renderSarif: (_r, o) => `SARIF category=${o.category ?? '-'}`,
      renderGithub: (r) => `GITHUB findings=${r.findings.length}`,
      renderHtml: (r) => `<!DOCTYPE html>findings=${r.findings.length}`,
    }),
    sarifMerger: () => import('../../src/reporters/sarif-merge.js'),
    ...options.deps,
  };
  const code = await runCli(
    args,
    {
      stdout: { write: (s: string) => (stdout += s), isTTY: options.stdoutTTY ?? false },
      stderr: { write: (s: string) => (stderr += s), isTTY: options.stderrTTY ?? false },
      env: options.env ?? {},
      cwd,
      now: () => (clock += options.tick ?? 0),
    },
    deps,
  );
  return { code, stdout, stderr, scan, renderText };
}

describe('version and help', () => {
  it('prints the package version without loading anything', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const ruleMetas = vi.fn();
    const r = await run(['--version'], { deps: { ruleMetas } });
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(r.scan).not.toHaveBeenCalled();
    expect(ruleMetas).not.toHaveBeenCalled();
  });

  it('prints help on stdout and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: fixate \[options\] \[command\] \[paths\.\.\.\]/);
    expect(r.stdout).toContain('--sarif-output <file>');
    expect(r.stderr).toBe('');
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--format', 'xml'], /argument 'xml' is invalid/],
    [['--fail-on', 'critical'], /argument 'critical' is invalid/],
    [['--max-file-size', 'big'], /expected a positive number/],
    [['--file-time-budget', '1.5'], /expected a positive whole number/],
    [['--output'], /argument missing/],
    [['explain'], /missing required argument 'rule-id'/],
    [['init', 'redis-store'], /'redis-store' is invalid/],
  ])('%j', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.scan).not.toHaveBeenCalled();
  });

  it('lists the valid ids for an unknown --rule or --disable-rule', async () => {
    let r = await run(['--rule', 'insecure-session-cookie,no-such-rule']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'fixate: unknown rule id in --rule "no-such-rule"; valid ids: hardcoded-session-secret, insecure-session-cookie\n',
    );
    r = await run(['--disable-rule', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown rule id in --disable-rule "nope"; valid ids: /);
    expect(r.scan).not.toHaveBeenCalled();
  });

  it('names a missing --tsconfig', async () => {
    const r = await run(['--tsconfig', 'configs/tsconfig.app.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fixate: --tsconfig configs/tsconfig.app.json not found\n');
    expect(r.scan).not.toHaveBeenCalled();
  });

  it('names a missing scan path', async () => {
    const r = await run(['src']);
    expect(r).toMatchObject({ code: 2, stderr: 'fixate: path not found: src\n' });
  });

  it('reports a bad config with the file and key, and prints no report', async () => {
    writeFileSync(path.join(cwd, 'fixate.config.json'), JSON.stringify({ failOn: 'sometimes' }));
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fixate: fixate\.config\.json: "failOn" must be one of/);
    expect(r.stdout).toBe('');
  });

  it('a valid package.json whose "fixate" key is invalid is a config error', async () => {
    writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'app', fixate: { strict: 'yes' } }));
    const r = await run([]);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'fixate: package.json: "fixate.strict" must be true or false\n',
    });
    expect(r.scan).not.toHaveBeenCalled();
  });

  it('reports an uncaught error as an internal error, with the stack only under --debug', async () => {
    const scanResult = async (): Promise<ScanResult> => {
      throw new Error('boom');
    };
    let r = await run([], { scanResult });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fixate: internal error: boom\nfixate: run again with --debug for the stack trace\n');
    r = await run(['--debug'], { scanResult });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fixate: internal error: Error: boom\n\s+at /);
  });
});

describe('scanning', () => {
  it('passes the options through and exits 0 when nothing fails', async () => {
    mkdirSync(path.join(cwd, 'src'));
    writeFileSync(path.join(cwd, 'tsconfig.json'), '{}');
    const r = await run([
      'src',
      '--rule',
      'hardcoded-session-secret',
      '--disable-rule',
      'insecure-session-cookie',
      '--include',
      'src/**/*.{ts,js}',
      '--include',
      'lib/**',
      '--exclude',
      '**/*.spec.ts',
      '--tsconfig',
      'tsconfig.json',
      '--max-file-size',
      '64',
      '--file-time-budget',
      '100',
      '--changed-since',
      'origin/main',
      '--include-tests',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('TEXT color=false findings=0\n');
    const options = r.scan.mock.calls[0][0];
    expect(options).toMatchObject({
      paths: ['src'],
      cwd,
      rules: ['hardcoded-session-secret'],
      disableRules: ['insecure-session-cookie'],
      include: ['src/**/*.{ts,js}', 'lib/**'],
      exclude: ['**/*.spec.ts'],
      tsconfig: path.join(cwd, 'tsconfig.json'),
      maxFileSizeKb: 64,
      fileTimeBudgetMs: 100,
      changedSince: 'origin/main',
      includeTests: true,
    });
    expect(options.onProgress).toBeUndefined();
  });

  it('scans . by default with the documented defaults', async () => {
    const r = await run([]);
    expect(r.scan.mock.calls[0][0]).toMatchObject({
      paths: ['.'],
      maxFileSizeKb: 1024,
      fileTimeBudgetMs: 5000,
      includeTests: false,
    });
    expect(r.stderr).toBe('fixate: scanned 3 files in 1.23s\n');
  });

  it.each([
    [[], 'error', 1],
    [[], 'warning', 0],
    [['--fail-on', 'warning'], 'warning', 1],
    [['--fail-on', 'warning'], 'note', 0],
    [['--fail-on', 'note'], 'note', 1],
    [['--fail-on', 'none'], 'error', 0],
    [[], 'suppressed error', 0],
  ] as const)('%j with one %s finding exits %i', async (args, kind, code) => {
    const found = kind === 'suppressed error' ? finding('error', true) : finding(kind);
    const r = await run([...args], { scanResult: result([found]) });
    expect(r.code).toBe(code);
  });

  it('lets CLI flags win over the config, and the config over the defaults', async () => {
    writeFileSync(
      path.join(cwd, 'package.json'),
      JSON.stringify({
        name: 'app',
        fixate: {
          failOn: 'none',
          format: 'json',
          exclude: ['legacy/**'],
          identityKeys: ['tenantId'],
          rules: { 'insecure-session-cookie': 'off' },
        },
      }),
    );
    const findings = [finding('error')];
    let r = await run([], { scanResult: result(findings) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"findings":1}\n');
    expect(r.scan.mock.calls[0][0]).toMatchObject({
      exclude: ['legacy/**'],
      identityKeys: ['tenantId'],
      ruleSettings: { 'insecure-session-cookie': 'off' },
    });
    r = await run(['--fail-on', 'error', '--format', 'text', '--exclude', 'vendor/**'], {
      scanResult: result(findings),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('TEXT color=false findings=1\n');
    expect(r.scan.mock.calls[0][0].exclude).toEqual(['vendor/**']);
  });

  it('scans on with a warning when package.json in cwd is not valid JSON, ignoring its "fixate" key', async () => {
    writeFileSync(path.join(cwd, 'package.json'), '{ "name": "app", "fixate": { "failOn": "none" }, }');
    let r = await run([], { scanResult: result([finding('error')]) });
    // failOn "none" from the broken manifest is not applied: the error finding fails the run.
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('TEXT color=false findings=1\n');
    expect(r.stderr).toMatch(
      /^fixate: warning: package\.json is not valid JSON \(line 1, column 50: [^)]+\); its "fixate" settings were ignored\nfixate: scanned 3 files/,
    );
    expect(r.scan.mock.calls[0][0]).toMatchObject({ exclude: undefined, ruleSettings: undefined });
    r = await run(['--quiet']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('uses --config instead of the files in cwd', async () => {
    writeFileSync(path.join(cwd, 'fixate.config.json'), '{ broken');
    writeFileSync(path.join(cwd, 'ci.json'), JSON.stringify({ format: 'sarif', sarifCategory: 'ci' }));
    const r = await run(['--config', 'ci.json']);
    expect(r).toMatchObject({ code: 0, stdout: 'SARIF category=ci\n' });
  });

  it('writes --output and --sarif-output atomically, creating directories, without colour', async () => {
    const r = await run(
      ['--output', 'reports/deep/fixate.txt', '--sarif-output', 'reports/fixate.sarif', '--sarif-category', 'web'],
      { env: { FORCE_COLOR: '1' }, stdoutTTY: true, scanResult: result([finding('error')]) },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(readFileSync(path.join(cwd, 'reports/deep/fixate.txt'), 'utf8')).toBe('TEXT color=false findings=1\n');
    expect(readFileSync(path.join(cwd, 'reports/fixate.sarif'), 'utf8')).toBe('SARIF category=web\n');
    expect(readdirSync(path.join(cwd, 'reports')).sort()).toEqual(['deep', 'fixate.sarif']);
    expect(r.stderr).toContain('fixate: wrote reports/deep/fixate.txt\nfixate: wrote reports/fixate.sarif\n');
  });

  it('prints the console report as well as --sarif-output', async () => {
    const r = await run(['--sarif-output', 'out.sarif']);
    expect(r.stdout).toBe('TEXT color=false findings=0\n');
    expect(existsSync(path.join(cwd, 'out.sarif'))).toBe(true);
  });

  it('overwrites an existing report file', async () => {
    writeFileSync(path.join(cwd, 'out.json'), 'old');
    const r = await run(['--format', 'json', '--output', 'out.json']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'out.json'), 'utf8')).toBe('{"findings":0}\n');
  });

  it('writes --format html to --output', async () => {
    const r = await run(['--format', 'html', '--output', 'report.html']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(path.join(cwd, 'report.html'), 'utf8')).toBe('<!DOCTYPE html>findings=0\n');
  });

  it.each([['--output'], ['--sarif-output']])('refuses a %s that is a directory before scanning', async (flag) => {
    mkdirSync(path.join(cwd, 'reports'));
    const r = await run([flag, 'reports']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fixate: ${flag} ${path.join(cwd, 'reports')} is a directory; give a file path\n`);
    expect(r.scan).not.toHaveBeenCalled();
  });

  it.each([
    [{}, false, [], false],
    [{}, true, [], true],
    [{}, true, ['--no-color'], false],
    [{ NO_COLOR: '1' }, true, [], false],
    [{ NO_COLOR: '' }, true, [], true],
    [{ FORCE_COLOR: '1' }, false, [], true],
    [{ FORCE_COLOR: '0' }, true, [], false],
    [{ FORCE_COLOR: '1' }, false, ['--no-color'], false],
    [{ TERM: 'dumb' }, true, [], false],
  ])('colour with env %j, stdout TTY %s and %j: %s', async (env, stdoutTTY, args, color) => {
    const r = await run(args, { env, stdoutTTY });
    expect(r.renderText.mock.calls[0][1].color).toBe(color);
  });

  it('shows progress only on a TTY stderr outside CI and without --quiet, for scans over a second', async () => {
    const progress = 'fixate: analysing 1/2 files\x1b[K\rfixate: analysing 2/2 files\x1b[K\r\x1b[K';
    let r = await run([], { stderrTTY: true, tick: 1000 });
    expect(r.stderr).toBe(`\r${progress}fixate: scanned 3 files in 1.23s\n`);
    r = await run([], { stderrTTY: true, tick: 0 });
    expect(r.stderr).toBe('fixate: scanned 3 files in 1.23s\n');
    r = await run([], { stderrTTY: true, tick: 1000, env: { CI: 'true' } });
    expect(r.stderr).not.toContain('analysing');
    r = await run(['--quiet'], { stderrTTY: true, tick: 1000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('TEXT color=false findings=0\n');
  });

  it('lists skipped files on stderr and fails under --strict', async () => {
    const skipped: Notification = {
      level: 'warning',
      code: 'too-large',
      message: 'file is 2048 KiB, over the 1024 KiB limit',
      path: 'dist/bundle.js',
      skipped: true,
    };
    let r = await run([], { scanResult: result([], [skipped]) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'fixate: skipped dist/bundle.js: file is 2048 KiB, over the 1024 KiB limit\nfixate: scanned 3 files in 1.23s\n',
    );
    r = await run(['--strict', '--quiet'], { scanResult: result([finding('error')], [skipped]) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('TEXT color=false findings=1\n');
    expect(r.stderr).toBe('fixate: --strict: 1 file was skipped, so the scan is incomplete\n');
  });
  it.each([
    ['rule-crashed', false],
    ['fix-failed', false],
    ['analysis-failed', true],
  ])('fails under --strict on a %s error (skipped: %s), not without it', async (code, skipped) => {
    const error: Notification = { level: 'error', code, message: `${code} happened`, path: 'app.ts', skipped };
    let r = await run([], { scanResult: result([], [error]) });
    expect(r.code).toBe(0);
    r = await run(['--strict'], { scanResult: result([], [error]) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      skipped
        ? 'fixate: --strict: 1 file was skipped, so the scan is incomplete\n'
        : `fixate: --strict: 1 analysis error occurred (${code}), so the scan is incomplete\n`,
    );
  });

  it('repeats other warnings on stderr only when the report is not console text', async () => {
    const crashed: Notification = {
      level: 'error',
      code: 'rule-crashed',
      message: 'rule x crashed',
      path: 'app.ts',
      skipped: false,
      detail: 'STACK',
    };
    let r = await run([], { scanResult: result([], [crashed]) });
    expect(r.stderr).toBe('fixate: scanned 3 files in 1.23s\n');
    r = await run(['--format', 'json', '--debug'], { scanResult: result([], [crashed]) });
    expect(r.stderr).toBe('fixate: error: app.ts: rule x crashed\nSTACK\nfixate: scanned 3 files in 1.23s\n');
  });
});

describe('exitCodeFor', () => {
  const note = (level: Notification['level'], code: string, skipped = false): Notification => ({
    level,
    code,
    message: code,
    path: 'app.ts',
    skipped,
  });

  it('counts findings at or above --fail-on when the scan is complete or not strict', () => {
    expect(exitCodeFor(result([finding('warning')]), { failOn: 'error', strict: true })).toEqual({ code: 0 });
    expect(exitCodeFor(result([finding('error')]), { failOn: 'error', strict: true })).toEqual({ code: 1 });
    const crashed = result([finding('error')], [note('error', 'rule-crashed')]);
    expect(exitCodeFor(crashed, { failOn: 'error', strict: false })).toEqual({ code: 1 });
  });

  it('under --strict, any skipped file or error-level notification is exit 2; warnings and notes are not', () => {
    const strict = { failOn: 'none', strict: true } as const;
    expect(
      exitCodeFor(result([], [note('warning', 'invalid-manifest'), note('note', 'syntax-errors')]), strict),
    ).toEqual({
      code: 0,
    });
    expect(
      exitCodeFor(
        result([], [note('error', 'rule-crashed'), note('error', 'fix-failed'), note('error', 'rule-crashed')]),
        strict,
      ),
    ).toEqual({
      code: 2,
      strictReason: '3 analysis errors occurred (fix-failed, rule-crashed)',
    });
    expect(
      exitCodeFor(
        result(
          [],
          [note('warning', 'binary', true), note('error', 'analysis-failed', true), note('error', 'fix-failed')],
        ),
        strict,
      ),
    ).toEqual({ code: 2, strictReason: '2 files were skipped and 1 analysis error occurred (fix-failed)' });
  });
});

describe('rules and explain', () => {
  it('prints an aligned table sorted by id', async () => {
    const r = await run(['rules']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'ID                        SEVERITY  PRECISION  CWE              TITLE',
        'hardcoded-session-secret  error     very-high  CWE-798,CWE-321  Session secret is hard-coded',
        'insecure-session-cookie   warning   high       CWE-614          Session cookie sent without Secure',
        '',
      ].join('\n'),
    );
    expect(r.scan).not.toHaveBeenCalled();
  });

  it('prints the rules as JSON', async () => {
    const r = await run(['rules', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((row: { id: string }) => row.id)).toEqual(['hardcoded-session-secret', 'insecure-session-cookie']);
    expect(rows[0]).toMatchObject({ severity: 'error', precision: 'very-high', cwe: [798, 321] });
  });

  it('explains a rule with its README', async () => {
    const r = await run(['explain', 'insecure-session-cookie']);
    expect(r).toMatchObject({ code: 0, stdout: '# insecure-session-cookie\n\nREADME\n', stderr: '' });
  });

  it('lists the valid ids for an unknown rule', async () => {
    const r = await run(['explain', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'fixate: unknown rule id "nope"; valid ids: hardcoded-session-secret, insecure-session-cookie\n',
    );
  });
});

describe('default dependencies', () => {
  it('lists and explains the real rules without a scan', async () => {
    const io = (sink: { text: string }) => ({ write: (s: string) => (sink.text += s), isTTY: false });
    const out = { text: '' };
    const err = { text: '' };
    expect(await runCli(['rules', '--format', 'json'], { stdout: io(out), stderr: io(err), env: {}, cwd })).toBe(0);
    const ids = JSON.parse(out.text).map((row: { id: string }) => row.id);
    expect(ids).toContain('hardcoded-session-secret');
    out.text = '';
    expect(await runCli(['explain', ids[0]], { stdout: io(out), stderr: io(err), env: {}, cwd })).toBe(0);
    expect(out.text).toMatch(/^# /);
    expect(err.text).toBe('');
  });
});

describe('init dynamodb-store', () => {
  const generated = (language: 'ts' | 'js') => renderDynamoDbStore({ language });

  it('writes the TypeScript store under its default name and prints next steps on stderr', async () => {
    const r = await run(['init', 'dynamodb-store']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'dynamodb-session-store.ts'), 'utf8')).toBe(generated('ts'));
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fixate: wrote dynamodb-session-store\.ts\nNext steps:\n/);
    expect(r.stderr).toContain('partition key "sid" (S) and enable TTL on "expires" (epoch seconds)');
  });

  it('writes JavaScript with --js or a .js --out, creating directories', async () => {
    expect((await run(['init', 'dynamodb-store', '--js'])).code).toBe(0);
    expect(readFileSync(path.join(cwd, 'dynamodb-session-store.js'), 'utf8')).toBe(generated('js'));
    expect((await run(['init', 'dynamodb-store', '--out', 'lib/store.mjs'])).code).toBe(0);
    expect(readFileSync(path.join(cwd, 'lib/store.mjs'), 'utf8')).toBe(generated('js'));
  });

  it('refuses to overwrite without --force', async () => {
    writeFileSync(path.join(cwd, 'store.ts'), 'mine');
    let r = await run(['init', 'dynamodb-store', '--out', 'store.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fixate: store.ts already exists; pass --force to overwrite it\n');
    expect(readFileSync(path.join(cwd, 'store.ts'), 'utf8')).toBe('mine');
    r = await run(['init', 'dynamodb-store', '--out', 'store.ts', '--force']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'store.ts'), 'utf8')).toBe(generated('ts'));
  });

  it('refuses an --out that is a directory', async () => {
    mkdirSync(path.join(cwd, 'lib'));
    const r = await run(['init', 'dynamodb-store', '--out', 'lib', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*lib is a directory/);
  });
});

describe('init django-dynamodb-session', () => {
  it('writes the backend under its default name and prints the settings and the table definition on stderr', async () => {
    const r = await run(['init', 'django-dynamodb-session']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'dynamodb_sessions.py'), 'utf8')).toBe(renderDjangoSessionBackend());
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fixate: wrote dynamodb_sessions\.py\nNext steps:\n/);
    expect(r.stderr).toContain("SESSION_ENGINE = 'dynamodb_sessions'");
    expect(r.stderr).toContain('partition key "sid" (S) and enable TTL on "expires" (epoch seconds)');
    // The printed commands carry the CreateTable and UpdateTimeToLive input the end-to-end test creates the table with.
    const params = sessionTableParams('sessions');
    expect(r.stderr).toContain(`aws dynamodb create-table --cli-input-json '${JSON.stringify(params.createTable)}'`);
    expect(r.stderr).toContain(
      `aws dynamodb update-time-to-live --cli-input-json '${JSON.stringify(params.updateTimeToLive)}'`,
    );
  });

  it('names SESSION_ENGINE after the --out path, as a dotted module path', async () => {
    const r = await run(['init', 'django-dynamodb-session', '--out', 'mysite/sessions/backend.py']);
    expect(r.code).toBe(0);
    const written = readFileSync(path.join(cwd, 'mysite/sessions/backend.py'), 'utf8');
    expect(written).toBe(renderDjangoSessionBackend({ module: 'mysite.sessions.backend' }));
    expect(written).toContain("SESSION_ENGINE = 'mysite.sessions.backend'");
    expect(r.stderr).toContain("SESSION_ENGINE = 'mysite.sessions.backend'");
  });

  it('refuses --js, an --out that is not a .py file, and overwriting without --force', async () => {
    let r = await run(['init', 'django-dynamodb-session', '--js']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--js applies to dynamodb-store only/);
    r = await run(['init', 'django-dynamodb-session', '--out', 'sessions.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must end in \.py/);
    writeFileSync(path.join(cwd, 'dynamodb_sessions.py'), 'mine');
    r = await run(['init', 'django-dynamodb-session']);
    expect(r.code).toBe(2);
    expect(readFileSync(path.join(cwd, 'dynamodb_sessions.py'), 'utf8')).toBe('mine');
  });
});
