import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCorpus, writeCorpus } from '../../bench/generate.mjs';
import { loadRules } from '../../rules/index.js';
import { scanWithRules } from '../../src/engine/scan.js';
import { visibleFindings as visible } from '../support/visible-findings.js';

const rules = await loadRules();
const temp = mkdtempSync(path.join(os.tmpdir(), 'fixate-changed-since-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function git(dir: string, args: string[]) {
  execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd: dir,
      stdio: 'ignore',
    },
  );
}

/** A full scan's findings in the given files, and the --changed-since scan's. */
async function bothWays(dir: string, ref: string, changed: string[]) {
  const full = await scanWithRules({ paths: [dir], cwd: dir }, rules);
  const since = await scanWithRules({ paths: [dir], cwd: dir, changedSince: ref }, rules);
  const inChanged = { ...full, findings: full.findings.filter((f) => changed.includes(f.location.path)) };
  return { full: visible(inChanged), since: visible(since), sinceResult: since };
}

describe('--changed-since', () => {
  it('reports what a full scan reports in the changed files, including findings an importer makes there', async () => {
    const dir = path.join(temp, 'cross-file');
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ dependencies: { 'express-session': '^1.18.0' } }));
    writeFileSync(path.join(dir, 'src/options.ts'), 'export const sessionOptions = {\n  resave: false,\n};\n');
    writeFileSync(
      path.join(dir, 'src/app.ts'),
      "import express from 'express';\nimport session from 'express-session';\nimport { sessionOptions } from './options';\n\nconst app = express();\napp.use(session({ ...sessionOptions, cookie: { secure: true } }));\n",
    );
    writeFileSync(
      path.join(dir, 'src/other.ts'),
      "import session from 'express-session';\nexport const other = session({ secret: 'keyboard cat' });\n",
    );
    git(dir, ['init', '-q']);
    git(dir, ['add', '.']);
    git(dir, ['commit', '-qm', 'one']);
    // The secret is written in options.ts, but only app.ts's analysis (its importer) finds it.
    writeFileSync(
      path.join(dir, 'src/options.ts'),
      "export const sessionOptions = {\n  secret: 'correct-horse-battery-staple-42',\n  resave: false,\n};\n",
    );
    const { full, since, sinceResult } = await bothWays(dir, 'HEAD', ['src/options.ts']);
    expect(full.length).toBeGreaterThan(0);
    expect(since).toEqual(full);
    // Only the changed file and its importer are read, not other.ts.
    expect(sinceResult.stats.filesDiscovered).toBe(2);
  });

  it('matches the full scan on a generated monorepo with several changed files', async () => {
    const dir = path.join(temp, 'corpus');
    const plan = planCorpus({ lines: 20_000, seed: 3 });
    await writeCorpus(plan, dir);
    git(dir, ['init', '-q']);
    git(dir, ['add', '.']);
    git(dir, ['commit', '-qm', 'corpus']);
    const changed = [
      ...plan.files.filter((f) => f.vulnerable).slice(0, 3),
      ...plan.files.filter((f) => !f.session).slice(0, 2),
    ].map((f) => f.path);
    for (const file of changed) appendFileSync(path.join(dir, file), '// changed\n');
    const { full, since } = await bothWays(dir, 'HEAD', changed);
    expect(full.length).toBeGreaterThan(0);
    expect(since).toEqual(full);
  });
});
