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

/** A temporary project: a package.json and an app.js of the given lines. */
function project(manifest: string, lines: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-rotation-fix-'));
  temporary.push(dir);
  writeFileSync(path.join(dir, 'package.json'), manifest);
  writeFileSync(path.join(dir, 'app.js'), lines.join('\n'));
  return dir;
}

describe('missing-session-regeneration messages', () => {
  it('calls a write that grants rights to the signed-in user a change of rights, and one that names the user a login', async () => {
    const dir = project('{ "name": "app", "dependencies": { "express-session": "^1.18.0" } }', [
      "const session = require('express-session');",
      "const app = require('express')();",
      'app.use(session({ secret: process.env.S, cookie: { secure: true } }));',
      "app.post('/workspace', async (req, res) => {",
      '  const role = await roleIn(req.query.id);',
      '  const granted = { role: role.name, permissions: role.permissions };',
      '  req.session.account = { ...req.session.account, ...granted };',
      '  res.end();',
      '});',
      "app.post('/login', async (req, res) => {",
      '  const user = await check(req.body);',
      '  req.session.account = { id: user.id, role: user.role };',
      '  res.end();',
      '});',
      'async function check() { return { id: 1, role: "user" }; }',
      'async function roleIn() { return { name: "admin", permissions: [] }; }',
      '',
    ]);
    const result = await scanWithRules({ paths: [dir], cwd: dir, manifestBoundary: dir }, rules);
    const byLine = new Map(result.findings.map((f) => [f.location.region.startLine, f.message]));
    expect(byLine.get(7)).toContain("planted before this change of rights ('role', 'permissions') stays valid");
    expect(byLine.get(12)).toContain('planted before the login stays valid');
  });
});

describe('missing-session-regeneration fixes', () => {
  it('offers no rotation edit when the session is held in a variable (the edit would lose the login)', async () => {
    const dir = project('{ "name": "app", "dependencies": { "express-session": "^1.18.0" } }', [
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
    ]);
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

  it('offers the rotation as unsafe when code it cannot see received the request before it (values it stored would be dropped)', async () => {
    const dir = project('{ "name": "app", "dependencies": { "@fastify/session": "^10.9.0", "fastify": "^4.28.0" } }', [
      "const fastify = require('fastify')();",
      "fastify.register(require('@fastify/session'), { secret: process.env.S });",
      "const { oidc } = require('oidc-client-helper');",
      "fastify.get('/callback', async (request) => {",
      '  const info = await oidc.exchangeCode(request);',
      '  request.session.userId = info.sub;',
      '});',
      "fastify.post('/login', async (request) => {",
      '  const user = await check(request.body);',
      '  request.session.userId = user.id;',
      '});',
      'async function check() { return { id: 1 }; }',
      '',
    ]);
    const result = await scanWithRules({ paths: [dir], cwd: dir, manifestBoundary: dir }, rules);
    const fixes = new Map(result.findings.map((f) => [f.location.region.startLine, f.fixes[0]]));
    // The OIDC helper may have stored tokens in the session (for logout) before the identity write.
    expect(fixes.get(6)?.safety).toBe('unsafe');
    expect(fixes.get(6)?.description).toContain('oidc.exchangeCode() receives the request');
    // `check(request.body)` gets a value from the request, not the request: the edit stays safe.
    expect(fixes.get(10)?.safety).toBe('safe');
    expect(fixes.get(10)?.description).not.toContain('receives the request');
  });
});
