/**
 * Hostile input through the built binary: exit codes with skipped files (and --strict), the stderr
 * line per skipped file, SARIF notifications in a written report, usage errors for a broken config
 * or a missing --tsconfig, writes confined to --output/--sarif-output, init's refusal to overwrite,
 * a stack overflow on the main thread's stack, and unreadable files as a user chmod 000 does stop.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, runBin } from '../cli/built.js';
import { hasSetpriv, isRoot, MANIFEST, project, sarifSchemaErrors, VULNERABLE } from './support.js';

const BINARY = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]);
const CLEAN =
  "import session from 'express-session';\napp.use(session({ secret: process.env.S, cookie: { secure: true } }));\n";

beforeAll(() => ensureBuilt(), 180_000);

/** Scans with the two rules whose findings these tests pin, so new rules do not change the counts. */
const PINNED_RULES = ['--rule', 'hardcoded-session-secret,insecure-session-cookie'];
const scanBin = (args: string[], options: Parameters<typeof runBin>[1] = {}) =>
  runBin([...args, ...PINNED_RULES], options);

/** Every file and directory under `dir` with its size and mtime, to prove nothing else was written. */
function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      const stats = lstatSync(path.join(dir, child));
      entries.set(child, `${entry.isDirectory() ? 'dir' : stats.size}:${stats.mtimeMs}`);
      if (entry.isDirectory()) walk(child);
    }
  };
  walk('');
  return entries;
}

describe('exit codes and skipped files', () => {
  it('findings exit 1 even when a file is skipped; the skip is a stderr line, and --strict makes it exit 2', () => {
    const dir = project({ 'package.json': MANIFEST, 'app.ts': VULNERABLE, 'blob.ts': BINARY });
    const plain = scanBin(['.'], { cwd: dir });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('fixate: skipped blob.ts: blob.ts: binary file (contains NUL bytes)\n');
    expect(plain.stdout).toMatch(/Files: 1 file scanned, 1 skipped \(1 binary\)/);

    const strict = scanBin(['.', '--strict'], { cwd: dir });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('fixate: --strict: 1 file was skipped, so the scan is incomplete');
  });

  it('a clean scan with a skipped file exits 0, and 2 under --strict (flag or config)', () => {
    const dir = project({ 'package.json': MANIFEST, 'app.ts': CLEAN, 'blob.ts': BINARY });
    expect(scanBin(['.'], { cwd: dir }).code).toBe(0);
    expect(scanBin(['.', '--strict'], { cwd: dir }).code).toBe(2);
    writeFileSync(path.join(dir, 'fixate.config.json'), JSON.stringify({ strict: true }));
    expect(scanBin(['.'], { cwd: dir }).code).toBe(2);
  });

  it('a written SARIF report carries each skipped file as a toolExecutionNotification with its location', () => {
    const dir = project({
      'package.json': MANIFEST,
      'app.ts': VULNERABLE,
      'blob.ts': BINARY,
      'deep dir/#1 100%.ts': `import session from 'express-session';\nconst x = ${'(\n'.repeat(5000)}1${')\n'.repeat(5000)};\n`,
    });
    const run = scanBin(['.', '--sarif-output', 'out/report.sarif', '--format', 'json', '--output', 'out/r.json'], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    const log = JSON.parse(readFileSync(path.join(dir, 'out/report.sarif'), 'utf8'));
    expect(sarifSchemaErrors(log)).toEqual([]);
    const notes = log.runs[0].invocations[0].toolExecutionNotifications.map(
      (n: {
        descriptor: { id: string };
        properties: { skipped: boolean };
        locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
      }) => [n.descriptor.id, n.locations[0].physicalLocation.artifactLocation.uri, n.properties.skipped],
    );
    // The 5,000-deep file overflows the parser on the CLI's main-thread stack too: skipped, not a crash.
    expect(notes).toEqual([
      ['binary', 'blob.ts', true],
      ['too-deep', 'deep%20dir/%231%20100%25.ts', true],
    ]);
    expect(log.runs[0].results.length).toBe(2);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(true);
    expect(run.stderr).toContain('fixate: skipped deep dir/#1 100%.ts: deep dir/#1 100%.ts: nesting too deep to parse');
  });

  it('--file-time-budget and --max-file-size are validated, and a small --max-file-size skips by size', () => {
    const dir = project({ 'package.json': MANIFEST, 'app.ts': VULNERABLE });
    expect(scanBin(['.', '--file-time-budget', '0'], { cwd: dir }).code).toBe(2);
    expect(scanBin(['.', '--file-time-budget', 'soon'], { cwd: dir }).code).toBe(2);
    const small = scanBin(['.', '--max-file-size', '0.01'], { cwd: dir });
    expect(small.code).toBe(0);
    expect(small.stderr).toMatch(/fixate: skipped app\.ts: app\.ts: \d+ KiB exceeds --max-file-size/);
  });
});

describe('broken configuration and project files', () => {
  it('an invalid fixate config is exit 2 naming the file', () => {
    const dir = project({ 'package.json': MANIFEST, 'app.ts': CLEAN, 'fixate.config.json': '{ "strict": tru' });
    const run = scanBin(['.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fixate: fixate\.config\.json: invalid JSON/);
    expect(run.stdout).toBe('');
  });

  it('a package.json in the current directory that is not valid JSON is a warning; the scan goes on', () => {
    const dir = project({ 'package.json': '{ "fixate": { "failOn": "none" }, ', 'app.ts': VULNERABLE });
    const run = scanBin(['.'], { cwd: dir });
    // Its "fixate" settings are ignored, so the findings fail the run as by default.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^fixate: warning: package\.json is not valid JSON \(end of file: [^)]+\); its "fixate" settings were ignored$/m,
    );
    expect(run.stdout).toMatch(/^app\.ts:2:\d+ {2}error {2}hardcoded-session-secret$/m);
  });

  it('a valid package.json whose "fixate" key is invalid is exit 2 naming the key', () => {
    const dir = project({ 'package.json': JSON.stringify({ fixate: { failOn: 'never' } }), 'app.ts': VULNERABLE });
    const run = scanBin(['.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^fixate: package\.json: "fixate\.failOn" must be one of/);
  });

  it('--tsconfig picks the files from its include; an invalid one is a warning, not exit 2', () => {
    const dir = project({
      'package.json': MANIFEST,
      'tsconfig.json': '{ /* server only */ "include": ["src",], }',
      'broken.json': '{ "include": ["src"] oops }',
      'src/app.ts': VULNERABLE,
      'tools/seed.ts': VULNERABLE,
    });
    const paths = (stdout: string) =>
      [...new Set(JSON.parse(stdout).findings.map((f: { location: { path: string } }) => f.location.path))].sort();
    const picked = scanBin(['.', '--tsconfig', 'tsconfig.json', '--format', 'json'], { cwd: dir });
    expect(picked.code).toBe(1);
    expect(paths(picked.stdout)).toEqual(['src/app.ts']);
    const broken = scanBin(['.', '--tsconfig', 'broken.json', '--format', 'json'], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(paths(broken.stdout)).toEqual(['src/app.ts', 'tools/seed.ts']);
    expect(broken.stderr).toContain(
      'fixate: warning: broken.json: --tsconfig broken.json is not valid JSON (line 1, column 22: ',
    );
  });

  it('a --tsconfig that does not exist is exit 2 with the path', () => {
    const dir = project({ 'package.json': MANIFEST, 'app.ts': CLEAN });
    const run = scanBin(['.', '--tsconfig', 'configs/tsconfig.missing.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('configs/tsconfig.missing.json');
  });

  it('invalid JSON in a scanned package.json, lockfile or tsconfig.json degrades with a warning naming the file', () => {
    const dir = project({
      'svc/package.json': '{ "dependencies": { "express-session": ',
      'svc/package-lock.json': '{ "packages": ',
      'svc/tsconfig.json': '{ "compilerOptions": ',
      'svc/app.ts': VULNERABLE,
    });
    // Run from outside the project: the CLI reads config from its cwd's package.json, not the scanned one.
    const run = scanBin([path.join(dir, 'svc'), '--format', 'sarif'], { cwd: path.dirname(dir) });
    expect(run.code).toBe(1);
    // Paths are relative to the scanned root (here svc/), like every path in the report.
    expect(run.stderr).toMatch(/fixate: warning: package\.json: package\.json is not valid JSON/);
    const log = JSON.parse(run.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId).sort()).toEqual([
      'hardcoded-session-secret',
      'insecure-session-cookie',
    ]);
  });
});

describe('writes only where told', () => {
  it('a scan writes nothing but --output and --sarif-output (created with their directories)', () => {
    const dir = project({ 'package.json': MANIFEST, 'src/app.ts': VULNERABLE, 'src/blob.ts': BINARY });
    const before = snapshot(dir);
    expect(scanBin(['src'], { cwd: dir }).code).toBe(1);
    expect(snapshot(dir)).toEqual(before);

    const run = scanBin(['src', '--output', 'reports/a/out.txt', '--sarif-output', 'reports/b/out.sarif'], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    const after = snapshot(dir);
    const added = [...after.keys()].filter((key) => !before.has(key)).sort();
    expect(added).toEqual(['reports', 'reports/a', 'reports/a/out.txt', 'reports/b', 'reports/b/out.sarif']);
    for (const [key, value] of before) if (!key.startsWith('reports')) expect(after.get(key), key).toBe(value);
  });

  it('an --output that is a symlink is replaced, never written through', () => {
    const dir = project({ 'package.json': MANIFEST, 'app.ts': VULNERABLE, 'victim.txt': 'keep me' });
    symlinkSync('victim.txt', path.join(dir, 'out.json'));
    const run = scanBin(['app.ts', '--format', 'json', '--output', 'out.json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(readFileSync(path.join(dir, 'victim.txt'), 'utf8')).toBe('keep me');
    expect(lstatSync(path.join(dir, 'out.json')).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')).findings).toHaveLength(2);
  });

  it('an --output that is a directory is a usage error before any scan', () => {
    const dir = project({ 'package.json': MANIFEST, 'app.ts': VULNERABLE, 'out/keep': '' });
    const run = scanBin(['app.ts', '--output', 'out'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--output .*out is a directory/);
  });

  it('init writes only its target and refuses to overwrite without --force', () => {
    const dir = project({ 'keep.txt': 'x' });
    const before = snapshot(dir);
    expect(runBin(['init', 'dynamodb-store', '--out', 'lib/store.ts'], { cwd: dir }).code).toBe(0);
    const added = [...snapshot(dir).keys()].filter((key) => !before.has(key)).sort();
    expect(added).toEqual(['lib', 'lib/store.ts']);
    writeFileSync(path.join(dir, 'lib/store.ts'), 'mine');
    const again = runBin(['init', 'dynamodb-store', '--out', 'lib/store.ts'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('lib/store.ts already exists; pass --force to overwrite it');
    expect(readFileSync(path.join(dir, 'lib/store.ts'), 'utf8')).toBe('mine');
    expect(runBin(['init', 'dynamodb-store', '--out', 'lib/store.ts', '--force'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(path.join(dir, 'lib/store.ts'), 'utf8')).not.toBe('mine');
  });
});

describe('unreadable files and directories (EACCES)', () => {
  function lockedProject() {
    const dir = project({
      'package.json': MANIFEST,
      'good.ts': VULNERABLE,
      'locked.ts': VULNERABLE,
      'locked-dir/inner.ts': VULNERABLE,
    });
    // World-readable tree (mkdtemp makes 0700), then two entries nobody but root may read.
    for (const entry of ['', 'good.ts', 'package.json']) chmodSync(path.join(dir, entry), entry ? 0o644 : 0o755);
    chmodSync(path.join(dir, 'locked.ts'), 0o000);
    chmodSync(path.join(dir, 'locked-dir'), 0o000);
    return dir;
  }

  function expectUnreadableReported(stdout: string, code: number | null) {
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    const byPath = Object.fromEntries(
      report.notifications.map((n: { path: string; code: string; message: string }) => [n.path, n]),
    );
    expect(byPath['locked.ts']).toMatchObject({ code: 'unreadable', skipped: true });
    expect(byPath['locked.ts'].message).toMatch(/permission denied/);
    expect(byPath['locked-dir']).toMatchObject({ code: 'unreadable', skipped: true });
    expect(byPath['locked-dir'].message).toMatch(/EACCES/);
    expect(report.findings.map((f: { location: { path: string } }) => f.location.path)).toEqual(['good.ts', 'good.ts']);
  }

  // `nobody` must be able to reach the checkout (a clone under a 0700 temp directory is not).
  const nobodyReachesCheckout = worldTraversable(binPath);

  it.runIf(isRoot && hasSetpriv && nobodyReachesCheckout)(
    'as root: run the binary as nobody (setpriv), for whom chmod 000 blocks reads',
    () => {
      const dir = lockedProject();
      expect(statSync(binPath).mode & 0o004).toBeTruthy();
      const child = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          binPath,
          '.',
          '--format',
          'json',
          ...PINNED_RULES,
        ],
        { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true', HOME: dir } },
      );
      expectUnreadableReported(child.stdout, child.status);
      expect(child.stderr).toContain('fixate: skipped locked.ts: locked.ts: permission denied');
    },
  );

  it.runIf(!isRoot)('as a normal user: chmod 000 entries are skipped and named', () => {
    const dir = lockedProject();
    const run = scanBin(['.', '--format', 'json'], { cwd: dir });
    expectUnreadableReported(run.stdout, run.code);
  });
});

/** Whether every directory above `file` lets other users through (o+x), so `nobody` can run it. */
function worldTraversable(file: string): boolean {
  let dir = path.dirname(file);
  for (;;) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}
