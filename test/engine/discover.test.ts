import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverFiles } from '../../src/engine/discover.js';
import { globToRegex, isIgnored, parseGitignore } from '../../src/engine/gitignore.js';

const temp = mkdtempSync(path.join(os.tmpdir(), 'fixate-discover-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function write(root: string, files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
}

/** Nested `.gitignore` files with negations, anchoring, directory-only patterns and `**`. */
const TREE: Record<string, string> = {
  '.gitignore': ['*.log.ts', '/top-only.ts', 'tmp/', 'secret*', '!secret-ok.ts'].join('\n'),
  'top-only.ts': '',
  'src/top-only.ts': '',
  'src/app.ts': '',
  'src/debug.log.ts': '',
  'src/secret-key.ts': '',
  'src/secret-ok.ts': '',
  'src/tmp/cache.ts': '',
  'src/tmp.ts': '',
  'packages/a/.gitignore': ['/gen', 'src/**/*.gen.ts', '!src/**/keep.gen.ts', 'docs/**/draft-*'].join('\n'),
  'packages/a/gen/out.ts': '',
  'packages/a/src/gen/route.ts': '',
  'packages/a/src/deep/x/model.gen.ts': '',
  'packages/a/src/deep/keep.gen.ts': '',
  'packages/a/docs/guide/draft-1.ts': '',
  'packages/a/docs/guide/final.ts': '',
  'packages/a/src/generated/.gitignore': '*\n!.gitignore\n',
  'packages/a/src/generated/client.ts': '',
  'packages/b/.gitignore': '# comment\n\\#hash.ts\nlib/*\n!lib/public.ts\n',
  'packages/b/#hash.ts': '',
  'packages/b/lib/private.ts': '',
  'packages/b/lib/public.ts': '',
  'packages/b/src/index.ts': '',
  'packages/b/package.json': '{}',
  'packages/b/node_modules/dep/index.js': '',
};

const EXPECTED = [
  'packages/a/docs/guide/final.ts',
  'packages/a/src/deep/keep.gen.ts',
  'packages/a/src/gen/route.ts',
  'packages/b/lib/public.ts',
  'packages/b/src/index.ts',
  'src/app.ts',
  'src/secret-ok.ts',
  'src/tmp.ts',
  'src/top-only.ts',
];

async function discover(root: string, useGit: boolean, target = root) {
  const { files } = await discoverFiles([target], { useGit }, (abs) => path.relative(root, abs));
  return files.map((file) => path.relative(root, file).split(path.sep).join('/'));
}

describe('discovery honours nested .gitignore files with git semantics', () => {
  it('gives the same files through git ls-files and through the walker', async () => {
    const root = path.join(temp, 'repo');
    write(root, TREE);
    execFileSync('git', ['init', '-q'], { cwd: root });
    const viaGit = await discover(root, true);
    const viaWalker = await discover(root, false);
    expect(viaWalker).toEqual(EXPECTED);
    expect(viaGit).toEqual(viaWalker);
    // A subdirectory: the root's .gitignore still applies to it.
    const sub = path.join(root, 'src');
    expect(await discover(root, true, sub)).toEqual(await discover(root, false, sub));
    expect(await discover(root, false, sub)).toEqual(EXPECTED.filter((f) => f.startsWith('src/')));
    // An ignored directory named as the target is scanned: it was asked for.
    const ignoredTarget = path.join(root, 'src/tmp');
    expect(await discover(root, true, ignoredTarget)).toEqual(['src/tmp/cache.ts']);
    expect(await discover(root, false, ignoredTarget)).toEqual(['src/tmp/cache.ts']);
  });

  it('walks a git submodule, with its own .gitignore files', async () => {
    const sub = path.join(temp, 'sub-origin');
    write(sub, { 'lib.ts': '', 'gen/out.ts': '', '.gitignore': 'gen/\n' });
    const gitIn = (cwd: string, args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'protocol.file.allow=always', ...args],
        { cwd, stdio: 'ignore' },
      );
    gitIn(sub, ['init', '-q']);
    gitIn(sub, ['add', '.']);
    gitIn(sub, ['commit', '-qm', 'sub']);
    const root = path.join(temp, 'super');
    write(root, { 'app.ts': '', '.gitignore': '*.log.ts\n' });
    gitIn(root, ['init', '-q']);
    gitIn(root, ['submodule', 'add', '-q', sub, 'libs/sub']);
    expect(await discover(root, true)).toEqual(['app.ts', 'libs/sub/lib.ts']);
    expect(await discover(root, false)).toEqual(['app.ts', 'libs/sub/lib.ts']);
  });

  it('applies .gitignore files outside a git work tree too', async () => {
    const root = path.join(temp, 'plain');
    write(root, TREE);
    expect(await discover(root, true)).toEqual(EXPECTED);
  });

  it('lists only the given files when discovery is limited to them', async () => {
    const root = path.join(temp, 'within');
    write(root, { 'a/one.ts': '', 'a/two.ts': '', 'b/three.ts': '' });
    const { files } = await discoverFiles([root], { within: new Set([path.join(root, 'a/two.ts')]) }, (abs) => abs);
    expect(files).toEqual([path.join(root, 'a/two.ts')]);
  });
});

describe('node_modules', () => {
  /** Installed dependencies beside their package.json or with a package manager's files, and one kept as source. */
  const LAYOUT: Record<string, string> = {
    'package.json': '{}',
    'node_modules/dep/index.js': '',
    // Node-RED's layout: the project's own packages under a node_modules so Node resolves them by name.
    'packages/node_modules/@app/core/index.js': '',
    'packages/node_modules/@app/core/package.json': '{}',
    'packages/node_modules/@app/core/node_modules/lib/index.js': '',
    'tools/node_modules/.package-lock.json': '{}',
    'tools/node_modules/dep/index.js': '',
    'layer/node_modules/.bin/tool.js': '',
    'layer/node_modules/dep/index.js': '',
  };

  it('leaves installed dependencies out and scans a node_modules kept as source, saying so', async () => {
    const root = path.join(temp, 'node-modules');
    write(root, LAYOUT);
    const gitIn = (args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
    gitIn(['init', '-q']);
    // Source kept in node_modules is tracked (untracked node_modules are never listed through git).
    gitIn(['add', 'packages/node_modules/@app/core/index.js', 'packages/node_modules/@app/core/package.json']);
    for (const useGit of [true, false]) {
      const { files, notifications } = await discoverFiles([root], { useGit }, (abs) => path.relative(root, abs));
      expect(files.map((file) => path.relative(root, file))).toEqual(['packages/node_modules/@app/core/index.js']);
      expect(notifications).toEqual([
        expect.objectContaining({ level: 'note', code: 'node-modules-source', path: 'packages/node_modules' }),
      ]);
    }
  });

  it('scans node_modules when --include names it', async () => {
    const root = path.join(temp, 'node-modules-include');
    write(root, LAYOUT);
    const { files, notifications } = await discoverFiles(
      [root],
      { useGit: false, include: ['node_modules/**/*.js'] },
      (abs) => path.relative(root, abs),
    );
    expect(files.map((file) => path.relative(root, file))).toEqual(['node_modules/dep/index.js']);
    expect(notifications).toEqual([]);
  });
});

describe('gitignore patterns', () => {
  it('translates globs as git does', () => {
    expect(globToRegex('**/foo').test('a/b/foo')).toBe(true);
    expect(globToRegex('**/foo').test('foo')).toBe(true);
    expect(globToRegex('a/**/b').test('a/b')).toBe(true);
    expect(globToRegex('a/**/b').test('a/x/y/b')).toBe(true);
    expect(globToRegex('a/**').test('a/x/y')).toBe(true);
    expect(globToRegex('*.ts').test('a/b.ts')).toBe(false);
    expect(globToRegex('file?.[jt]s').test('file1.ts')).toBe(true);
    expect(globToRegex('file[!0-9].ts').test('file1.ts')).toBe(false);
  });

  it('lets the last matching pattern decide, and a deeper file before its ancestors', () => {
    const top = { base: '/r', rules: parseGitignore('*.ts\n') };
    const deep = { base: '/r/p', rules: parseGitignore('!keep.ts\n') };
    expect(isIgnored([top], '/r/p/keep.ts', false)).toBe(true);
    expect(isIgnored([top, deep], '/r/p/keep.ts', false)).toBe(false);
    expect(isIgnored([top, deep], '/r/p/other.ts', false)).toBe(true);
    expect(isIgnored([{ base: '/r', rules: parseGitignore('out/\n') }], '/r/out', false)).toBe(false);
    expect(isIgnored([{ base: '/r', rules: parseGitignore('out/\n') }], '/r/a/out', true)).toBe(true);
  });
});
