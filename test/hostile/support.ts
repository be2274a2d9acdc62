import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { scanWithRules } from '../../src/engine/scan.js';
import type { ScanOptions } from '../../src/index.js';
import { defineRule, defineRuleMeta, type Rule, type RuleListeners } from '../../src/rule.js';
import type { ScanResult } from '../../src/types.js';

/**
 * The two rules whose findings these tests pin (VULNERABLE trips both on line 2). Other rules may be
 * added without changing what the hostile tests expect; the fuzz test runs every registered rule.
 */
export const rules = (await loadRules()).filter((rule) =>
  ['hardcoded-session-secret', 'insecure-session-cookie'].includes(rule.id),
);

/** Two findings on line 2 (hard-coded secret) and line 2 again (`secure: false`), from the real rules. */
export const VULNERABLE = [
  "import session from 'express-session';",
  "app.use(session({ secret: 'keyboard cat', cookie: { secure: false } }));",
  '',
].join('\n');

export const MANIFEST = JSON.stringify({ name: 'hostile', dependencies: { 'express-session': '1.17.3' } });

const made: string[] = [];
afterAll(() => {
  for (const dir of made) {
    // Unreadable directories would stop rmSync when the tests do not run as root.
    chmodTree(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

function chmodTree(dir: string): void {
  try {
    chmodSync(dir, 0o755);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.isSymbolicLink()) chmodTree(path.join(dir, entry.name));
    }
  } catch {
    // Best effort.
  }
}

const _require = createRequire(import.meta.url);

/**
 * A fresh temp project (outside any git repository, so paths are relative to it) with the given
 * files. Values are text or bytes; keys are POSIX paths.
 */
export function project(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-hostile-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(dir, name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}

export function scanDir(dir: string, options: Partial<ScanOptions> = {}, ruleSet: Rule[] = rules): Promise<ScanResult> {
  return scanWithRules({ paths: ['.'], cwd: dir, ...options }, ruleSet);
}

export const codes = (result: ScanResult, file?: string) =>
  result.notifications.filter((n) => file === undefined || n.path === file).map((n) => n.code);

export const findingsIn = (result: ScanResult, file: string) =>
  result.findings.filter((f) => f.location.path === file).map((f) => `${f.ruleId}@${f.location.region.startLine}`);

export { sarifSchemaErrors } from '../support/sarif-validation.js';

/** A test-only rule: runs on express-session files and does whatever `create` says. */
export function testRule(id: string, create: (ctx: Parameters<Rule['create']>[0]) => RuleListeners): Rule {
  const meta = defineRuleMeta({
    id,
    meta: {
      title: `Test rule ${id}`,
      description: 'A rule used by the hostile-input tests.',
      severity: 'error',
      precision: 'high',
      securitySeverity: 5,
      cwe: [384],
      frameworks: ['express-session'],
      messages: { hit: 'hit {{what}}' },
      suggestions: { good: 'a fix that applies', overlapping: 'a fix whose edits overlap' },
    },
  });
  return defineRule(meta, create);
}

export const isRoot = process.getuid?.() === 0;

/** `setpriv` lets a root test run a command as `nobody`, for whom chmod 000 does block reads. */
export const hasSetpriv =
  process.platform === 'linux' && spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
