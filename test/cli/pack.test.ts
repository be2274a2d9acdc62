import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, repoRoot } from './built.js';

const PACK_TIMEOUT = 180_000;

/** Everything the published package may contain; anything else is a leak (tests, fixtures, .ts sources). */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^bin\/fixate\.js$/,
  /^dist\/src\/.+\.(js|d\.ts)$/,
  /^dist\/rules\/index\.(js|d\.ts)$/,
  /^dist\/rules\/[a-z0-9-]+\/[a-z0-9-]+\.(js|d\.ts)$/,
  /^rules\/[a-z0-9-]+\/README\.md$/,
  // The Python grammar, copied from the tree-sitter-python devDependency, and its licence.
  /^dist\/grammars\/tree-sitter-python\.(wasm|LICENSE)$/,
  // The type side of `#typescript` (package.json "imports"), for the declarations that import it.
  /^types\/typescript\.d\.ts$/,
];

const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'bin/fixate.js',
  'dist/src/index.js',
  'dist/src/index.d.ts',
  'dist/src/cli/main.js',
  'dist/rules/index.js',
  // The Python front end and a rule's Python implementation, loaded on demand.
  'dist/src/languages/python/parser.js',
  'dist/rules/hardcoded-session-secret/python.js',
  'dist/grammars/tree-sitter-python.wasm',
  // `#typescript`: TypeScript loaded without ts-morph's project layer, and its types.
  'dist/src/typescript.js',
  'types/typescript.d.ts',
  'dist/grammars/tree-sitter-python.LICENSE',
];

let temp: string;
let tarball: string;
let files: string[];

beforeAll(() => {
  ensureBuilt();
  temp = mkdtempSync(path.join(tmpdir(), 'fixate-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', temp], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(temp, info.filename);
  files = info.files.map((f) => f.path).sort();
}, PACK_TIMEOUT);

afterAll(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('contains only built code, bin, rule READMEs and the top-level docs', () => {
    expect(files.filter((f) => !ALLOWED.some((re) => re.test(f)))).toEqual([]);
    expect(REQUIRED.filter((f) => !files.includes(f))).toEqual([]);
    expect(files.some((f) => /^dist\/rules\/[a-z0-9-]+\/rule\.js$/.test(f))).toBe(true);
    expect(files.some((f) => /^rules\/[a-z0-9-]+\/README\.md$/.test(f))).toBe(true);
  });

  it('ships every module that a shipped module imports', () => {
    const packed = new Set(files);
    const missing: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      // tsc output keeps comments, so skip comment lines; `${` marks generated code inside a template.
      const code = readFileSync(path.join(repoRoot, file), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
        .join('\n');
      for (const [, specifier] of code.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"$]+)['"]/g)) {
        const target = path.posix.join(path.posix.dirname(file), specifier);
        if (!packed.has(target)) missing.push(`${file} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships the target of every package.json "imports" entry the built code uses', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const targets = Object.values(manifest.imports as Record<string, Record<string, string>>).flatMap((conditions) =>
      Object.entries(conditions)
        // "source" is for the development tools (tests, dependency check), which run the sources.
        .filter(([condition]) => condition !== 'source')
        .map(([, target]) => target.replace(/^\.\//, '')),
    );
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((target) => !files.includes(target))).toEqual([]);
  });

  it(
    'installs with production dependencies only and finds the vulnerable fixture',
    () => {
      const project = path.join(temp, 'consumer');
      mkdirSync(project);
      writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
      execFileSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--omit=dev'], {
        cwd: project,
        stdio: 'pipe',
      });
      const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CI: 'true' };
      delete env.FORCE_COLOR;
      const run = spawnSync('npx', ['--no', 'fixate', fixture('cli-vulnerable'), '--format', 'json'], {
        cwd: project,
        env,
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(1);
      const report = JSON.parse(run.stdout);
      expect(report).toBeTypeOf('object');
      expect(run.stdout).toContain('hardcoded-session-secret');
      // Python too, with the grammar from the package itself: tree-sitter-python is not installed.
      expect(() =>
        execFileSync('node', ['-e', "require.resolve('tree-sitter-python/package.json')"], {
          cwd: project,
          stdio: 'pipe',
        }),
      ).toThrow();
      const python = spawnSync('npx', ['--no', 'fixate', fixture('django-dynamodb'), '--format', 'json'], {
        cwd: project,
        env,
        encoding: 'utf8',
      });
      expect(python.status, python.stderr).toBe(1);
      expect(python.stdout).toContain('dynamodb-session-stale-read');
    },
    PACK_TIMEOUT,
  );
});
