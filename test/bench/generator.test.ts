import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import { ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CorpusPlan,
  corpusHash,
  ensureCorpus,
  MAX_FILE_LINES,
  MIN_FILE_LINES,
  planCorpus,
  SESSION_SHARE,
  writeCorpus,
} from '../../bench/generate.mjs';

// Words only session/cookie/login/DynamoDB code uses. Ordinary files must avoid them, or a
// keyword pre-filter would have far more than ~5% of the corpus to parse.
const SESSION_WORDS = /session|cookie|passport|bcrypt|dynamodb|login/i;

const tmpDirs: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-bench-test-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

const plans = new Map<string, CorpusPlan>();
function plan(lines: number, seed: number): CorpusPlan {
  const key = `${lines}:${seed}`;
  if (!plans.has(key)) plans.set(key, planCorpus({ lines, seed }));
  return plans.get(key)!;
}

describe('benchmark corpus generator', () => {
  it('is deterministic: the same seed gives the same files and bytes', () => {
    const a = planCorpus({ lines: 5000, seed: 42 });
    const b = planCorpus({ lines: 5000, seed: 42 });
    expect(b.files.map((f) => f.path)).toEqual(a.files.map((f) => f.path));
    expect(corpusHash(b)).toBe(corpusHash(a));
    expect(corpusHash(planCorpus({ lines: 5000, seed: 43 }))).not.toBe(corpusHash(a));
  });

  it('writes to disk exactly what it planned', async () => {
    const p = plan(5000, 7);
    const dir = tmp();
    await writeCorpus(p, dir);
    const onDisk = (await fg('**/*', { cwd: dir, dot: true })).sort();
    const planned = [...p.meta, ...p.files].map((f) => f.path).sort();
    expect(onDisk).toEqual(planned);
    const reread = [...p.meta, ...p.files].map((f) => ({
      path: f.path,
      text: readFileSync(path.join(dir, f.path), 'utf8'),
    }));
    expect(corpusHash({ files: reread, meta: [] })).toBe(corpusHash(p));
  });

  it.each([
    [5000, 1],
    [5000, 2],
    [50_000, 1],
  ])('sizes a %i-line corpus (seed %i) within 10%% of the request', (lines, seed) => {
    const p = plan(lines, seed);
    const counted = p.files.reduce((n, f) => n + f.text.split('\n').length - 1, 0);
    expect(counted).toBe(p.totalLines);
    expect(Math.abs(counted - lines) / lines).toBeLessThanOrEqual(0.1);
  });

  it('keeps every file between the minimum and maximum length', () => {
    for (const p of [plan(5000, 1), plan(50_000, 1)]) {
      for (const f of p.files) {
        expect(f.lines, f.path).toBeGreaterThanOrEqual(MIN_FILE_LINES);
        expect(f.lines, f.path).toBeLessThanOrEqual(MAX_FILE_LINES);
      }
    }
  });

  it('makes about 5% of files session-relevant, and only those mention sessions', () => {
    for (const p of [plan(5000, 1), plan(50_000, 1), plan(50_000, 9)]) {
      const session = p.files.filter((f) => f.session);
      const share = session.length / p.files.length;
      // Error diffusion keeps the share within about one file of 5% at any size.
      expect(Math.abs(share - SESSION_SHARE)).toBeLessThanOrEqual(1 / p.files.length + 0.005);
      for (const f of p.files) expect(SESSION_WORDS.test(f.text), `${f.path} (${f.kind})`).toBe(f.session);
    }
    const big = plan(50_000, 1).files.filter((f) => f.session);
    expect(big.some((f) => f.vulnerable)).toBe(true);
    expect(big.some((f) => !f.vulnerable)).toBe(true);
  });

  it('nests .gitignore files at a real monorepo density, each ignoring files that exist', () => {
    const p = plan(500_000, 1);
    const ignoreFiles = p.meta.filter((m) => path.posix.basename(m.path) === '.gitignore');
    // medusa: 54 in 494k lines.
    expect(ignoreFiles.length).toBeGreaterThanOrEqual(40);
    expect(ignoreFiles.some((m) => m.text.split('\n').some((line) => line.startsWith('!')))).toBe(true);
    const ignored = p.meta.filter((m) => /\.(ts|js)$/.test(m.path));
    expect(ignored.length).toBeGreaterThanOrEqual(p.packages.length);
    const planned = new Set(p.files.map((f) => f.path));
    for (const m of ignored) expect(planned.has(m.path)).toBe(false);
  });

  it('mixes TypeScript, TSX and JavaScript files', () => {
    const exts = new Set(plan(50_000, 9).files.map((f) => path.extname(f.path)));
    for (const ext of ['.ts', '.tsx', '.mjs']) expect(exts).toContain(ext);
    expect(exts.has('.js') || exts.has('.cjs')).toBe(true);
  });

  it('produces files that parse without syntax errors', () => {
    for (const f of plan(50_000, 9).files) {
      const sf = ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, false);
      const diagnostics = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
      const first = diagnostics[0];
      const where = first ? `${f.path}:${sf.getLineAndCharacterOfPosition(first.start!).line + 1}` : f.path;
      expect(diagnostics.length, where).toBe(0);
    }
  });

  it('writes package.json files whose dependencies the v3 lockfile resolves at the declared versions', () => {
    const p = plan(200_000, 3);
    const lock = JSON.parse(p.meta.find((m) => m.path === 'package-lock.json')!.text);
    expect(lock.lockfileVersion).toBe(3);
    const manifests = p.meta.filter((m) => /^packages\/[^/]+\/package\.json$/.test(m.path));
    expect(manifests.length).toBe(p.packages.length);
    const passportVersions = new Set<string>();
    for (const m of manifests) {
      const dir = path.posix.dirname(m.path);
      const pkg = JSON.parse(m.text);
      for (const [dep, range] of Object.entries<string>(pkg.dependencies)) {
        const entry = lock.packages[`${dir}/node_modules/${dep}`] ?? lock.packages[`node_modules/${dep}`];
        expect(entry, `${dir}: ${dep}`).toBeDefined();
        if (entry.link) continue;
        expect(`^${entry.version}`, `${dir}: ${dep}`).toBe(range);
        if (dep === 'passport') passportVersions.add(entry.version);
      }
    }
    // Both a passport that regenerates the session on login and one that does not.
    expect([...passportVersions].sort()).toEqual(['0.5.0', '0.7.0']);
    expect(p.packages.map((x) => x.framework)).toEqual(expect.arrayContaining(['express', 'lib']));
  });

  it('generates a corpus once, as a git repository whose last commit touches one file', async () => {
    const root = tmp();
    const first = await ensureCorpus({ lines: 5000, seed: 5, root });
    expect(first.generated).toBe(true);
    expect(first.stamp.contentHash).toBe(corpusHash(planCorpus({ lines: 5000, seed: 5 })));
    const again = await ensureCorpus({ lines: 5000, seed: 5, root });
    expect(again.generated).toBe(false);
    expect(again.dir).toBe(first.dir);

    expect(first.stamp.gitError).toBeNull();
    const changed = spawnSync('git', ['diff', '--name-only', 'HEAD~1', 'HEAD'], { cwd: first.dir, encoding: 'utf8' });
    expect(changed.status).toBe(0);
    expect(changed.stdout.trim().split('\n')).toEqual([first.stamp.touchedFile]);
    // The files the nested .gitignore files ignore are on disk but never committed.
    const tracked = spawnSync('git', ['ls-files'], { cwd: first.dir, encoding: 'utf8' }).stdout.split('\n');
    expect(tracked.some((f) => f.endsWith('.generated.ts') || f.includes('/src/generated/client.ts'))).toBe(false);
    expect(tracked.some((f) => f.endsWith('/src/generated/.gitignore'))).toBe(true);
  });
});
