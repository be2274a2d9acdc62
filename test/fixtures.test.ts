import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../rules/index.js';
import { runFixtureDirectory } from '../src/testing/fixtures.js';

const root = path.resolve(import.meta.dirname, '..');
const rules = await loadRules();

const ruleFixtureDirs = readdirSync(path.join(root, 'rules'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(root, 'rules', entry.name, 'fixtures')))
  .map((entry) => path.join('rules', entry.name, 'fixtures'));
const projectDirs = existsSync(path.join(root, 'fixtures/projects'))
  ? readdirSync(path.join(root, 'fixtures/projects'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join('fixtures/projects', entry.name))
  : [];

describe.each([...ruleFixtureDirs, ...projectDirs])('%s', (dir) => {
  it('every marker is met and every finding is marked', async () => {
    const report = await runFixtureDirectory(path.join(root, dir), rules);
    const problems = report.files.flatMap((file) => file.problems);
    expect(problems).toEqual([]);
    expect(report.files.length).toBeGreaterThan(0);
  });
});
