import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { scanWithRules } from '../../src/engine/scan.js';
import { renderSarif, renderText } from '../../src/reporters/index.js';

const rules = await loadRules();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function scanSource(source: string, fileName = 'app.ts') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-suppress-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, fileName), source);
  return scanWithRules({ paths: [dir], cwd: dir }, rules);
}

const IMPORT = "import session from 'express-session';\n";

describe('inline suppressions', () => {
  it('a finding shown in another file (a config default) is suppressed by that file, not by the reader', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-suppress-'));
    dirs.push(dir);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'config'));
    writeFileSync(path.join(dir, 'package.json'), '{ "name": "app", "dependencies": { "config": "^3.3.12" } }');
    writeFileSync(
      path.join(dir, 'app.js'),
      "const session = require('express-session');\nconst config = require('config');\n" +
        '// fixate-ignore-next-line hardcoded-session-secret -- in the wrong file: the finding is shown in config/\n' +
        "exports.s = session({ secret: config.get('session.secret'), cookie: { secure: true } });\n" +
        "exports.t = session({ secret: config.get('other.secret'), cookie: { secure: true } });\n",
    );
    writeFileSync(
      path.join(dir, 'config', 'default.json'),
      '{\n  "session": { "secret": "keyboard cat" },\n' +
        '  // fixate-ignore-next-line hardcoded-session-secret -- development default\n' +
        '  "other": { "secret": "another literal" }\n}\n',
    );
    const result = await scanWithRules({ paths: [dir], cwd: dir }, rules);
    const shown = result.findings
      .filter((f) => f.ruleId === 'hardcoded-session-secret')
      .map((f) => [f.location.path, f.location.region.startLine, f.suppression?.justification ?? null]);
    expect(shown).toEqual([
      ['config/default.json', 2, null],
      ['config/default.json', 4, 'development default'],
    ]);
  });

  it('next-line: suppressed in SARIF with the justification, left out of the text report, counted', async () => {
    const result = await scanSource(
      `${IMPORT}// fixate-ignore-next-line hardcoded-session-secret -- test fixture, never deployed\nexport const s = session({ secret: 'keyboard cat', cookie: { secure: true } });\n`,
    );
    const finding = result.findings.find((f) => f.ruleId === 'hardcoded-session-secret');
    expect(finding?.suppression).toEqual({ kind: 'inSource', justification: 'test fixture, never deployed' });
    expect(result.stats.suppressed).toBe(1);
    expect(result.stats.bySeverity.error).toBe(0);
    const sarif = JSON.parse(renderSarif(result, {})) as Sarif.Log;
    expect(sarif.runs[0].results?.[0].suppressions).toEqual([
      { kind: 'inSource', justification: 'test fixture, never deployed' },
    ]);
    expect(renderText(result, { color: false })).not.toContain('hardcoded-session-secret\n');
  });

  it('applies only to the named rule and the next line', async () => {
    const result = await scanSource(
      `${IMPORT}// fixate-ignore-next-line insecure-session-cookie -- wrong rule\nexport const s = session({ secret: 'keyboard cat', cookie: { secure: true } });\n`,
    );
    expect(result.findings.find((f) => f.ruleId === 'hardcoded-session-secret')?.suppression).toBeUndefined();
  });

  it('file-level directive suppresses the rule everywhere in the file', async () => {
    const result = await scanSource(
      `/* fixate-ignore-file hardcoded-session-secret -- local dev server */\n${IMPORT}export const a = session({ secret: 'one', cookie: { secure: true } });\nexport const b = session({ secret: 'two', cookie: { secure: true } });\n`,
    );
    const secrets = result.findings.filter((f) => f.ruleId === 'hardcoded-session-secret');
    expect(secrets).toHaveLength(2);
    expect(secrets.every((f) => f.suppression?.justification === 'local dev server')).toBe(true);
  });

  it('a directive without a reason still applies and is reported as a note', async () => {
    const result = await scanSource(
      `${IMPORT}// fixate-ignore-next-line hardcoded-session-secret\nexport const s = session({ secret: 'keyboard cat', cookie: { secure: true } });\n`,
    );
    expect(result.findings.find((f) => f.ruleId === 'hardcoded-session-secret')?.suppression).toBeDefined();
    const note = result.notifications.find((n) => n.code === 'suppression-without-reason');
    expect(note).toMatchObject({ level: 'note', path: 'app.ts', region: { startLine: 2 } });
  });
});

describe('inline suppressions in Python', () => {
  const secret = "SECRET_KEY = 'django-insecure-abcdefghijklmnop'\n";

  it('# fixate-ignore-next-line suppresses the next line only, with its reason', async () => {
    const result = await scanSource(
      `# fixate-ignore-next-line hardcoded-session-secret -- docs sample\n${secret}OTHER = os.getenv('SECRET_KEY', 'fallback-value')\n`,
      'settings.py',
    );
    const findings = result.findings.filter((f) => f.ruleId === 'hardcoded-session-secret');
    expect(findings.map((f) => [f.location.region.startLine, f.suppression?.justification ?? null])).toEqual([
      [2, 'docs sample'],
      [3, null],
    ]);
  });

  it('# fixate-ignore-file suppresses the whole file; without a reason it is noted', async () => {
    const result = await scanSource(`${secret}\n# fixate-ignore-file hardcoded-session-secret\n`, 'settings.py');
    expect(result.findings.filter((f) => f.ruleId === 'hardcoded-session-secret' && !f.suppression)).toEqual([]);
    expect(result.findings.some((f) => f.suppression)).toBe(true);
    expect(result.notifications.map((n) => n.code)).toContain('suppression-without-reason');
  });

  it('a // directive in a Python file is not a comment and suppresses nothing', async () => {
    // `//` is floor division in Python: the line below is not suppressed.
    const result = await scanSource(
      `x = 1 // fixate-ignore-next-line hardcoded-session-secret\n${secret}`,
      'settings.py',
    );
    expect(result.findings.filter((f) => f.ruleId === 'hardcoded-session-secret' && !f.suppression).length).toBe(1);
  });
});
