import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules, ruleMetas } from '../rules/index.js';
import { renderRulesTable, RULES_TABLE_END, RULES_TABLE_START } from '../src/docs/rules-table.js';
import { scan } from '../src/index.js';

const root = path.resolve(import.meta.dirname, '..');
const rules = await loadRules();
const REQUIRED_SECTIONS = [
  '## What and why',
  '## Vulnerable example',
  '## Safe example',
  '## How to fix',
  '## Detection scope and known limits',
  '## References',
];
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Fenced code blocks under one `## ` section. */
function codeBlocks(markdown: string, heading: string): { lang: string; code: string }[] {
  const start = markdown.indexOf(heading);
  if (start < 0) return [];
  const next = markdown.indexOf('\n## ', start + heading.length);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
}

async function findingsForExample(ruleId: string, lang: string, code: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-readme-'));
  tempDirs.push(dir);
  const extension =
    { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js', tsx: 'tsx', python: 'py', py: 'py' }[lang] ?? 'ts';
  // A Python example may name its file in a first-line comment (`# settings.py`): settings rules need it.
  const named = extension === 'py' ? /^# ([\w/]+\.py)\n/.exec(code)?.[1] : undefined;
  const file = path.join(dir, named ?? `example.${extension}`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, code);
  const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules, rules: [ruleId] });
  return result.findings.filter((f) => f.ruleId === ruleId && !f.suppression);
}

describe('rule folders', () => {
  it('every folder under rules/ is a registered rule whose id matches the folder', () => {
    const folders = readdirSync(path.join(root, 'rules'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(ruleMetas.map((m) => m.id).sort()).toEqual(folders);
    expect(rules.map((r) => r.id)).toEqual(ruleMetas.map((m) => m.id));
  });
});

describe.each(ruleMetas.map((m) => m.id))('rules/%s/README.md', (ruleId) => {
  const readmePath = path.join(root, 'rules', ruleId, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';

  it('has every required section', () => {
    expect(REQUIRED_SECTIONS.filter((section) => !readme.includes(section))).toEqual([]);
  });

  it('its vulnerable examples are reported', async () => {
    const blocks = codeBlocks(readme, '## Vulnerable example');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(await findingsForExample(ruleId, block.lang, block.code), block.code).not.toEqual([]);
    }
  });

  it('its safe examples are not reported', async () => {
    const blocks = codeBlocks(readme, '## Safe example');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(await findingsForExample(ruleId, block.lang, block.code), block.code).toEqual([]);
    }
  });

  it('lists every todo marker of its fixtures under known limits', () => {
    const fixtures = path.join(root, 'rules', ruleId, 'fixtures');
    if (!existsSync(fixtures)) return;
    const limits = readme.slice(readme.indexOf('## Detection scope and known limits'));
    const files = readdirSync(fixtures, { recursive: true, encoding: 'utf8' }).filter((f) => /\.[cm]?[jt]sx?$/.test(f));
    const undocumented = files.filter((file) => {
      const text = readFileSync(path.join(fixtures, file), 'utf8');
      return /todo-(expect|ok):/.test(text) && !limits.includes(path.basename(file));
    });
    expect(undocumented, 'fixture files with todo markers must be named in "Detection scope and known limits"').toEqual(
      [],
    );
  });
});

describe('README.md rules table', () => {
  it('matches the rule metadata (run `npm run readme:rules` when this fails)', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const start = readme.indexOf(RULES_TABLE_START);
    const end = readme.indexOf(RULES_TABLE_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(readme.slice(start, end + RULES_TABLE_END.length)).toBe(renderRulesTable(ruleMetas));
  });
});
