import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ts } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFixes, dryRunFixes, MAX_FIX_PASSES } from '../../src/cli/fix.js';
import { unifiedDiff } from '../../src/fix/diff.js';
import { applyEdits, regionOf } from '../../src/fix/edits.js';
import { planFixes } from '../../src/fix/plan.js';
import type { Finding, Fix, ScanResult } from '../../src/types.js';
import { repoRoot } from './built.js';
import { cli, resultOf } from './temp-project.js';

const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.[cm]?[jt]sx?$/.test(f) && !f.endsWith('.d.ts') && !f.includes('node_modules'))
    .sort();
}

function syntaxErrors(file: string): number {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  return ((source as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics ?? []).length;
}

/** tsc --noEmit over every copied project at once; error lines grouped by project directory. */
function typeErrors(root: string): Map<string, string[]> {
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', root], { cwd: root, encoding: 'utf8' });
  } catch (error) {
    output = (error as { stdout: string }).stdout;
  }
  const byProject = new Map<string, string[]>();
  for (const line of output.split('\n').filter((l) => /^[^\s].*\(\d+,\d+\): error/.test(l))) {
    const project = line.split('/')[0];
    byProject.set(project, [...(byProject.get(project) ?? []), line]);
  }
  return byProject;
}

describe('--fix on copies of the fixture projects', () => {
  let root: string;
  const projects = readdirSync(path.join(repoRoot, 'fixtures/projects')).sort();
  const changed = new Map<string, string[]>();
  const syntaxBefore = new Map<string, number>();
  let typesBefore: Map<string, string[]>;

  beforeAll(async () => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'fixate-fix-projects-')));
    for (const name of projects)
      cpSync(path.join(repoRoot, 'fixtures/projects', name), path.join(root, name), { recursive: true });
    // The projects have no node_modules: every package is `any`, and the check is of the code itself.
    writeFileSync(path.join(root, 'shim.d.ts'), "declare module '*';\ndeclare const process: any;\n");
    writeFileSync(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          noEmit: true,
          strict: false,
          target: 'es2022',
          module: 'nodenext',
          skipLibCheck: true,
          types: [],
        },
        include: ['shim.d.ts', '*/**/*.ts'],
      }),
    );
    for (const name of projects)
      for (const f of sourceFiles(path.join(root, name)))
        syntaxBefore.set(`${name}/${f}`, syntaxErrors(path.join(root, name, f)));
    typesBefore = typeErrors(root);
    for (const name of projects) {
      const dir = path.join(root, name);
      const before = new Map(sourceFiles(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
      const run = await cli(dir, ['--fix', '--no-color']);
      expect(run.code, run.stderr).not.toBe(2);
      const files = [...before].filter(([f, text]) => readFileSync(path.join(dir, f), 'utf8') !== text).map(([f]) => f);
      if (files.length > 0) changed.set(name, files);
    }
  }, 240_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('fixes files in most projects', () => {
    expect(changed.size).toBeGreaterThanOrEqual(8);
  });

  it('leaves every fixed file parsing as well as it did', () => {
    for (const [name, files] of changed) {
      for (const f of files)
        expect(syntaxErrors(path.join(root, name, f)), `${name}/${f}`).toBeLessThanOrEqual(
          syntaxBefore.get(`${name}/${f}`)!,
        );
    }
  });

  it('keeps tsc --noEmit passing for the projects where it passed before', () => {
    const typesAfter = typeErrors(root);
    const cleanAndFixed = [...changed.keys()].filter((name) => !typesBefore.has(name));
    expect(cleanAndFixed.length).toBeGreaterThanOrEqual(2);
    for (const name of cleanAndFixed) expect(typesAfter.get(name) ?? [], name).toEqual([]);
  }, 120_000);
});

/** A fake scanner for the pass logic: each "aa" in a file is a finding whose safe fix makes it "a". */
function scanText(
  file: string,
  text: string,
  fixFor: (text: string, at: number) => { start: number; end: number; newText: string } | undefined,
): ScanResult {
  const findings: Finding[] = [];
  for (let at = text.indexOf('aa'); at !== -1; at = text.indexOf('aa', at + 1)) {
    const edit = fixFor(text, at);
    const region = regionOf(text, at, at + 2);
    const fixes: Fix[] = edit
      ? [
          {
            description: 'shorten',
            safety: 'safe',
            edits: [{ path: file, ...edit, region: regionOf(text, edit.start, edit.end) }],
            diff: unifiedDiff(file, text, applyEdits(text, [edit])),
          },
        ]
      : [];
    findings.push({
      ruleId: 'r',
      messageId: 'm',
      severity: 'error',
      message: 'aa',
      location: { path: file, region },
      related: [],
      fixes,
      lineHash: 'h:1',
      snippet: text.split('\n')[region.startLine - 1],
    });
  }
  return resultOf(findings);
}

describe('applyFixes', () => {
  let dir: string;
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'fixate-fix-passes-')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const shorten = (_text: string, at: number) => ({ start: at, end: at + 2, newText: 'a' });
  const scanner =
    (fixFor = shorten) =>
    () =>
      Promise.resolve(scanText('f.ts', readFileSync(path.join(dir, 'f.ts'), 'utf8'), fixFor));

  it('applies overlapping fixes in passes until stable, keeping the file mode', async () => {
    writeFileSync(path.join(dir, 'f.ts'), 'const x = "aaaaaaaa";\n');
    chmodSync(path.join(dir, 'f.ts'), 0o640);
    const first = await scanner()();
    const plan = planFixes(first.findings, { unsafe: false });
    expect([plan.fixes.length, plan.deferred]).toEqual([4, 3]);
    const run = await applyFixes(first, dir, false, scanner());
    expect(readFileSync(path.join(dir, 'f.ts'), 'utf8')).toBe('const x = "a";\n');
    expect(run).toMatchObject({ passes: 3, applied: 7, files: ['f.ts'], capped: false, refused: [] });
    expect(run.result.findings).toEqual([]);
    expect(statSync(path.join(dir, 'f.ts')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['f.ts']);
  });

  it(`stops after ${MAX_FIX_PASSES} passes when a fix keeps coming back`, async () => {
    writeFileSync(path.join(dir, 'f.ts'), 'const x = "aa";\n');
    const grow = (_text: string, at: number) => ({ start: at, end: at + 2, newText: 'aaa' });
    const run = await applyFixes(await scanner(grow)(), dir, false, scanner(grow));
    expect(run).toMatchObject({ passes: MAX_FIX_PASSES, capped: true });
  });

  it('refuses a file that changed since it was scanned, and leaves it alone', async () => {
    writeFileSync(path.join(dir, 'f.ts'), 'const x = "aa";\n');
    const first = await scanner()();
    writeFileSync(path.join(dir, 'f.ts'), '// edited meanwhile\nconst x = "aa";\n');
    const run = await applyFixes(first, dir, false, scanner());
    expect(run.refused).toEqual([{ path: 'f.ts', reason: 'it changed since it was scanned' }]);
    expect(run.applied).toBe(0);
    expect(readFileSync(path.join(dir, 'f.ts'), 'utf8')).toBe('// edited meanwhile\nconst x = "aa";\n');
  });

  it('refuses files that are not UTF-8, and fixes that would break the syntax', async () => {
    writeFileSync(path.join(dir, 'f.ts'), Buffer.from('const x = "aa\xe9";\n', 'latin1'));
    const latin1 = await applyFixes(scanText('f.ts', 'const x = "aa\xe9";\n', shorten), dir, false, scanner());
    expect(latin1.refused).toEqual([{ path: 'f.ts', reason: 'not UTF-8 text' }]);

    writeFileSync(path.join(dir, 'f.ts'), 'const x = "aa";\n');
    const unterminated = (_text: string, at: number) => ({ start: at, end: at + 3, newText: 'a' });
    const dry = dryRunFixes(await scanner(unterminated)(), dir, false);
    expect(dry).toMatchObject({ diff: '', fixes: 0, broken: ['f.ts: shorten'] });
  });

  it('dry runs print the first pass as a unified diff and write nothing', async () => {
    writeFileSync(path.join(dir, 'f.ts'), 'const x = "aaa";\n');
    const dry = dryRunFixes(await scanner()(), dir, false);
    expect(dry.diff).toBe('--- a/f.ts\n+++ b/f.ts\n@@ -1 +1 @@\n-const x = "aaa";\n+const x = "aa";\n');
    expect([dry.fixes, dry.deferred]).toEqual([1, 1]);
    expect(readFileSync(path.join(dir, 'f.ts'), 'utf8')).toBe('const x = "aaa";\n');
  });
});
