import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCorpus, writeCorpus } from '../../bench/generate.mjs';
import { loadRules } from '../../rules/index.js';
import { mentionedKeywords } from '../../src/engine/keywords.js';
import { mentionsAny, scanWithRules } from '../../src/engine/scan.js';
import type { ScanResult } from '../../src/types.js';

const root = path.resolve(import.meta.dirname, '../..');
const rules = await loadRules();
const temp = mkdtempSync(path.join(os.tmpdir(), 'fixate-optimisations-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** What a user sees of a finding; the pre-filter must not change any of it. */
function visible(result: ScanResult) {
  return result.findings.map((f) => ({
    rule: f.ruleId,
    path: f.location.path,
    region: f.location.region,
    message: f.message,
    fixes: f.fixes.map((fix) => fix.diff),
  }));
}

async function bothWays(dir: string) {
  const options = { paths: [dir], cwd: dir, exclude: ['**/*.fixed.*'] };
  const filtered = await scanWithRules(options, rules);
  const unfiltered = await scanWithRules({ ...options, noPrefilter: true }, rules);
  return { filtered, unfiltered };
}

const fixtureDirs = [
  ...readdirSync(path.join(root, 'rules'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(root, 'rules', e.name, 'fixtures')))
    .map((e) => path.join(root, 'rules', e.name, 'fixtures')),
  ...readdirSync(path.join(root, 'fixtures/projects'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(root, 'fixtures/projects', e.name)),
];

describe('the keyword pre-filter changes no finding', () => {
  it.each(fixtureDirs.map((dir) => [path.relative(root, dir), dir]))('%s', async (_name, dir) => {
    const { filtered, unfiltered } = await bothWays(dir);
    expect(visible(filtered)).toEqual(visible(unfiltered));
  });

  it('on a generated monorepo corpus, while skipping most of its files', async () => {
    const dir = path.join(temp, 'corpus');
    await writeCorpus(planCorpus({ lines: 20_000, seed: 7 }), dir);
    const { filtered, unfiltered } = await bothWays(dir);
    expect(visible(filtered)).toEqual(visible(unfiltered));
    expect(visible(filtered).length).toBeGreaterThan(0);
    expect(filtered.stats.filesPrefiltered).toBeGreaterThan(filtered.stats.filesDiscovered / 2);
  });
});

describe('mentionsAny', () => {
  it('matches keywords where an identifier segment starts', () => {
    expect(mentionsAny('req.session.userId = 1', ['session'])).toBe(true);
    expect(mentionsAny('const userSession = x', ['session'])).toBe(true);
    expect(mentionsAny('SESSION_SECRET', ['session'])).toBe(true);
    expect(mentionsAny("import x from 'express-session'", ['session'])).toBe(true);
    expect(mentionsAny('lucia.createSession(id)', ['createsession'])).toBe(true);
  });

  it('ignores keywords inside other words', () => {
    expect(mentionsAny('const inside = consider(aside)', ['sid'])).toBe(false);
    expect(mentionsAny('assess(possession)', ['sess'])).toBe(false);
  });
});

describe('mentionedKeywords', () => {
  it('finds every keyword mentioned at a segment start in one pass, prefixes of one another included', () => {
    const found = mentionedKeywords('import session from "express-session"; req.sessionID; inside', [
      'sess',
      'session',
      'sid',
      'cookie',
    ]);
    expect([...found].sort()).toEqual(['sess', 'session']);
    expect([...mentionedKeywords('const userSid = 1', ['sid', 'user'])].sort()).toEqual(['sid', 'user']);
    expect(mentionedKeywords('possession', ['sess']).size).toBe(0);
  });
});
