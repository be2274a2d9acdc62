import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { applyFixes } from '../../src/cli/fix.js';
import { scanWithRules } from '../../src/engine/scan.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rules = (await loadRules()).filter((rule) => rule.id === 'hardcoded-session-secret');

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('hardcoded-session-secret', () => {
  it('follows a key into a required JSON module (plain JSON: no marker comment can sit there)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-json-secret-'));
    temporary.push(dir);
    writeFileSync(path.join(dir, 'package.json'), '{ "name": "app", "dependencies": { "jsonwebtoken": "^9.0.2" } }');
    writeFileSync(
      path.join(dir, 'config.json'),
      '{\n  "connectionString": "mongodb://localhost/app",\n  "secret": "REPLACE WITH YOUR OWN SECRET",\n  "empty": ""\n}\n',
    );
    writeFileSync(
      path.join(dir, 'service.js'),
      "const config = require('./config.json');\nconst jwt = require('jsonwebtoken');\n" +
        'exports.token = (user) => jwt.sign({ sub: user.id }, config.secret);\n' +
        'exports.other = (user) => jwt.sign({ sub: user.id }, config.empty);\n',
    );
    const result = await scanWithRules({ paths: [dir], cwd: dir, manifestBoundary: dir }, rules);
    expect(result.findings.map((f) => `${f.location.path}:${f.location.region.startLine}`)).toEqual(['config.json:3']);
  });

  it('reports an array of literal keys on one line once (`app.keys = [a, b]`)', async () => {
    const dir = path.join(root, 'rules/hardcoded-session-secret/fixtures');
    const result = await scanWithRules(
      { paths: [path.join(dir, 'koa-module-exports.js')], cwd: dir, manifestBoundary: dir },
      rules,
    );
    expect(result.findings.map((finding) => finding.location.region.startLine)).toEqual([6]);
  });

  it('says which message applies: a guard that throws only sometimes, an options default, a template', async () => {
    const dir = path.join(root, 'rules/hardcoded-session-secret/fixtures');
    const result = await scanWithRules(
      {
        paths: ['env-fallback-guarded.ts', 'options-defaults.js', 'config-template'].map((name) =>
          path.join(dir, name),
        ),
        cwd: dir,
        manifestBoundary: dir,
      },
      rules,
    );
    const seen = result.findings.map(
      (f) =>
        `${f.location.path.replace(/^.*fixtures\//, '')}:${f.location.region.startLine} ${f.messageId} ${f.severity}`,
    );
    expect(seen.sort()).toEqual([
      'config-template/config.default.js:3 template warning',
      'env-fallback-guarded.ts:7 fallbackRejectedOnlyWhen error',
      'options-defaults.js:10 optionsDefault error',
      'options-defaults.js:19 optionsDefault error',
      'options-defaults.js:23 optionsDefault error',
    ]);
    const guarded = result.findings.find((f) => f.messageId === 'fallbackRejectedOnlyWhen');
    expect(guarded?.message).toContain('`(prod || !IS_LOCALHOST)`');
  });

  it('grades a Django key by the settings it is in: a note in development modules, an error where a deployment can use it', async () => {
    const dir = path.join(root, 'rules/hardcoded-session-secret/fixtures/django_development_settings');
    const result = await scanWithRules({ paths: [dir], cwd: dir, manifestBoundary: dir }, rules);
    const seen = result.findings.map(
      (f) =>
        `${f.location.path.replace(/^.*django_development_settings\//, '')}:${f.location.region.startLine} ${f.messageId} ${f.severity}`,
    );
    expect(seen.sort()).toEqual([
      'development/app_config.py:4 developmentFallback note',
      'hc/settings.py:5 fallback error',
      'settings/debug_later_off.py:5 literal error',
      'settings/dev.py:4 developmentLiteral note',
      'settings/local_dev.py:6 developmentLiteral note',
      'settings/production.py:3 literal error',
      'site/settings/common.py:3 literal error',
    ]);
    const local = result.findings.find((f) => f.location.path.endsWith('local_dev.py'));
    expect(local?.message).toContain('it sets `DEBUG = True`');
  });

  it('fixes a list of keys in one pass, and a second --fix changes nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-key-lists-'));
    temporary.push(dir);
    cpSync(path.join(root, 'rules/hardcoded-session-secret/fixtures/key-lists'), path.join(dir, 'key-lists'), {
      recursive: true,
    });
    cpSync(path.join(root, 'fixtures/projects/strapi-config-secrets'), path.join(dir, 'strapi'), { recursive: true });
    const scan = () =>
      scanWithRules({ paths: [dir], cwd: dir, manifestBoundary: dir, exclude: ['**/*.fixed.*'] }, rules);
    const first = await scan();
    expect(first.findings.length).toBe(9);
    const run = await applyFixes(first, dir, true, scan);
    // Before, `['secret', 'key']` took a second pass for `'key'` and came out `[process.env.APP_KEYS, process.env.APP_KEYS]`.
    expect(run).toMatchObject({ passes: 1, applied: 9, refused: [], broken: [] });
    expect(run.result.findings).toEqual([]);
    const texts = () =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.[jt]s$/.test(f))
        .map((f) => readFileSync(path.join(dir, f), 'utf8'));
    const fixed = texts();
    const again = await applyFixes(await scan(), dir, true, scan);
    expect(again).toMatchObject({ passes: 0, applied: 0 });
    expect(texts()).toEqual(fixed);
  });
});
