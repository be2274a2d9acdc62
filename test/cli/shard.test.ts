import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCorpus, writeCorpus } from '../../bench/generate.mjs';
import { runCli } from '../../src/cli/program.js';

const root = path.resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(path.join(os.tmpdir(), 'fixate-shard-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function cli(args: string[], cwd: string) {
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd,
  });
  return { code, stderr };
}

/** The full scan's SARIF, and the merge of N shard runs' SARIF. */
async function fullAndMerged(dir: string, shards: number) {
  const full = path.join(temp, `${path.basename(dir)}-full.sarif`);
  expect((await cli([dir, '--format', 'sarif', '--output', full, '--fail-on', 'none'], dir)).code).toBe(0);
  const parts: string[] = [];
  for (let k = 1; k <= shards; k++) {
    const part = path.join(temp, `${path.basename(dir)}-${k}.sarif`);
    const args = [dir, '--shard', `${k}/${shards}`, '--format', 'sarif', '--output', part, '--fail-on', 'none'];
    expect((await cli(args, dir)).code).toBe(0);
    parts.push(part);
  }
  const merged = path.join(temp, `${path.basename(dir)}-merged.sarif`);
  const result = await cli(['merge', ...parts, '--output', merged], dir);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return { full: readFileSync(full, 'utf8'), merged: readFileSync(merged, 'utf8'), parts };
}

describe('--shard and fixate merge', () => {
  it('merging the shards of a generated monorepo gives byte-identical SARIF to one full scan', async () => {
    const dir = path.join(temp, 'corpus');
    await writeCorpus(planCorpus({ lines: 40_000, seed: 1 }), dir);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const { full, merged, parts } = await fullAndMerged(dir, 3);
    expect(JSON.parse(full).runs[0].results.length).toBeGreaterThan(0);
    // The results were split between the shards: the merge had something to do.
    const counts = parts.map((part) => JSON.parse(readFileSync(part, 'utf8')).runs[0].results.length);
    expect(counts.filter((count) => count > 0).length).toBeGreaterThan(1);
    expect(merged).toBe(full);
  });

  it.each(['demo', 'test-code', 'logout-middleware-local-modules', 'passport-passed-to-routers'])(
    'does so on the %s project (cross-file findings, test code, notifications)',
    async (name) => {
      const dir = path.join(temp, name);
      cpSync(path.join(root, 'fixtures/projects', name), dir, { recursive: true });
      const { full, merged } = await fullAndMerged(dir, 4);
      expect(merged).toBe(full);
    },
  );

  it('refuses shard runs of different rule sets', async () => {
    const dir = path.join(temp, 'demo');
    const a = path.join(temp, 'a.sarif');
    const b = path.join(temp, 'b.sarif');
    await cli([dir, '--shard', '1/2', '--format', 'sarif', '--output', a], dir);
    await cli([dir, '--shard', '2/2', '--rule', 'hardcoded-session-secret', '--format', 'sarif', '--output', b], dir);
    const result = await cli(['merge', a, b], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/another tool, version or rule set/);
  });

  it('rejects a malformed --shard', async () => {
    for (const bad of ['0/2', '3/2', '1', 'a/b']) {
      expect((await cli(['.', '--shard', bad], temp)).code).toBe(2);
    }
  });
});
