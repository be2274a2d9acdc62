import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCorpus, writeCorpus } from '../../bench/generate.mjs';
import { loadRules } from '../../rules/index.js';
import { mentionedKeywords } from '../../src/engine/keywords.js';
import { mentionsAny, scanWithRules } from '../../src/engine/scan.js';
import { visibleFindings as visible } from '../support/visible-findings.js';

const root = path.resolve(import.meta.dirname, '../..');
const rules = await loadRules();
const temp = mkdtempSync(path.join(os.tmpdir(), 'fixate-optimisations-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every optimisation off: no pre-filter, no git listing, every tree kept for the whole scan. */
const NONE = { noPrefilter: true, noGitDiscovery: true, maxLiveTrees: Number.POSITIVE_INFINITY };

/** Each file's tree dropped as soon as its analysis is done, so every later use parses it again. */
const EAGER_DROP = { maxLiveTrees: 1 };

async function bothWays(dir: string) {
  const options = { paths: [dir], cwd: dir, exclude: ['**/*.fixed.*'] };
  const filtered = await scanWithRules({ ...options, ...EAGER_DROP }, rules);
  const unfiltered = await scanWithRules({ ...options, ...NONE }, rules);
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

describe('the optimisations (pre-filter, git listing, dropped trees) change no finding', () => {
  it.each(fixtureDirs.map((dir) => [path.relative(root, dir), dir]))('%s', async (_name, dir) => {
    const { filtered, unfiltered } = await bothWays(dir);
    expect(visible(filtered)).toEqual(visible(unfiltered));
  });

  it('on a generated monorepo corpus, while skipping most of its files', async () => {
    const dir = path.join(temp, 'corpus');
    await writeCorpus(planCorpus({ lines: 20_000, seed: 7 }), dir);
    // A work tree, so the scan with every optimisation on lists the files through git.
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const { filtered, unfiltered } = await bothWays(dir);
    expect(visible(filtered)).toEqual(visible(unfiltered));
    expect(visible(filtered).length).toBeGreaterThan(0);
    expect(filtered.stats.filesPrefiltered).toBeGreaterThan(filtered.stats.filesDiscovered / 2);
    // One at a time too, each against the scan with all of them on.
    for (const off of [{ noPrefilter: true }, { noGitDiscovery: true }, { maxLiveTrees: Number.POSITIVE_INFINITY }]) {
      const result = await scanWithRules({ paths: [dir], cwd: dir, ...off }, rules);
      expect(visible(result), JSON.stringify(off)).toEqual(visible(filtered));
    }
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
