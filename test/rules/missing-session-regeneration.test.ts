import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { scanWithRules } from '../../src/engine/scan.js';

const rules = (await loadRules()).filter((rule) => rule.id === 'missing-session-regeneration');

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('missing-session-regeneration fixes', () => {
  it('offers no rotation edit when the session is held in a variable (the edit would lose the login)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-alias-rotation-'));
    temporary.push(dir);
    writeFileSync(
      path.join(dir, 'package.json'),
      '{ "name": "app", "dependencies": { "express-session": "^1.18.0" } }',
    );
    writeFileSync(
      path.join(dir, 'app.js'),
      [
        "const session = require('express-session');",
        "const app = require('express')();",
        'app.use(session({ secret: process.env.S, cookie: { secure: true } }));',
        "app.post('/alias', async (req, res) => {",
        '  const user = await check(req.body);',
        '  const s = req.session;',
        '  s.user_id = user.id;',
        '  res.end();',
        '});',
        "app.post('/direct', async (req, res) => {",
        '  const user = await check(req.body);',
        '  req.session.user_id = user.id;',
        '  res.end();',
        '});',
        'async function check() { return { id: 1 }; }',
        '',
      ].join('\n'),
    );
    const result = await scanWithRules({ paths: [dir], cwd: dir, manifestBoundary: dir }, rules);
    const byLine = new Map(result.findings.map((f) => [f.location.region.startLine, f.fixes.length]));
    // After `req.session.regenerate`, `s` still names the discarded session: `s.user_id = …` would
    // log nobody in. The direct write keeps its edit.
    expect(byLine).toEqual(
      new Map([
        [7, 0],
        [12, 1],
      ]),
    );
  });
});
