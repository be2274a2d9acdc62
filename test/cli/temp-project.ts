import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/program.js';
import type { Finding, ScanResult } from '../../src/types.js';

/** A temporary git repository for CI-workflow tests; `files` maps relative paths to contents. */
export function tempRepo(prefix: string, files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), `fixate-${prefix}-`)));
  git(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, files);
  commit(dir, 'initial');
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=fixate', '-c', 'user.email=fixate@example.invalid', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
}

export function commit(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
}

/** Runs the CLI in-process with the real scanner, as a user would in `dir`. */
export async function cli(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    cwd: dir,
  });
  return { code, stdout, stderr };
}

export const PACKAGE_JSON = `${JSON.stringify(
  { name: 'app', version: '1.0.0', dependencies: { express: '^4.21.2', 'express-session': '^1.18.1' } },
  null,
  2,
)}\n`;

/** An express-session app with one finding: the hardcoded secret on line 5. */
export const APP_TS = [
  "import express from 'express';",
  "import session from 'express-session';",
  '',
  'const app = express();',
  "app.use(session({ secret: 'keyboard cat', resave: false, saveUninitialized: false, cookie: { secure: true, httpOnly: true, sameSite: 'lax' } }));",
  '',
  'export default app;',
  '',
].join('\n');

/** A login that keeps the session id (missing-session-regeneration, with a safe fix). */
export const LOGIN_TS = [
  "import app from './app.js';",
  '',
  "app.post('/login', async (req, res) => {",
  '  const user = await findUser(req.body.name, req.body.password);',
  '  if (!user) return res.status(401).end();',
  '  req.session.userId = user.id;',
  "  res.redirect('/');",
  '});',
  '',
  'async function findUser(name: string, password: string) {',
  '  return name === password ? { id: name } : undefined;',
  '}',
  '',
].join('\n');

/** A minimal ScanResult around `findings`, for tests that drive the CLI's helpers directly. */
export function resultOf(findings: Finding[], more: Partial<ScanResult> = {}): ScanResult {
  return {
    tool: { name: 'fixate', version: '0', informationUri: '' },
    roots: ['.'],
    rules: [],
    findings,
    notifications: [],
    stats: {
      filesDiscovered: 1,
      filesScanned: 1,
      filesSkipped: 0,
      filesPrefiltered: 0,
      suppressed: 0,
      testFindingsLeftOut: 0,
      bySeverity: { error: findings.length, warning: 0, note: 0 },
    },
    durationMs: 0,
    ...more,
  };
}
