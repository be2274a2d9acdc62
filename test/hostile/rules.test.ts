/**
 * A rule that throws, overflows the stack or runs too long costs that rule on that file (or that
 * file), never the scan: the rule and the file are named, the stack is kept for --debug, and the
 * other rules still run on the same file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { exitCodeFor, runCli } from '../../src/cli/program.js';
import { scanWithRules } from '../../src/engine/scan.js';
import type { Rule } from '../../src/rule.js';
import { renderSarif, renderText } from '../../src/reporters/index.js';
import type { ScanResult } from '../../src/types.js';
import { findingsIn, MANIFEST, project, rules, sarifSchemaErrors, scanDir, testRule, VULNERABLE } from './support.js';

const BOTH_ON_LINE_2 = ['hardcoded-session-secret@2', 'insecure-session-cookie@2'];

function crashes(result: ScanResult) {
  return result.notifications.filter((n) => n.code === 'rule-crashed');
}

/** Reports every call first, then throws: the finding made before the throw must be kept. */
const reportsThenThrows = testRule('reports-then-throws', (ctx) => ({
  CallExpression(node) {
    ctx.report({ target: node, messageId: 'hit', data: { what: 'call' } });
    if (ctx.file.path === 'victim.ts') throw new TypeError('boom in a listener');
  },
}));

function recurse(n: number): number {
  return n <= 0 ? 0 : 1 + recurse(n - 1);
}

const overflows = testRule('overflows', () => ({
  Identifier() {
    recurse(1e7);
  },
}));

const throwsInCreate = testRule('throws-in-create', (ctx) => {
  if (ctx.file.path === 'victim.ts') throw new Error('cannot start');
  return {};
});

const throwsInOnEnd = testRule('throws-in-on-end', () => ({
  onEnd() {
    throw 'a string, not an Error';
  },
}));

const throwsNull = testRule('throws-null', () => ({
  ImportDeclaration() {
    throw null;
  },
}));

const badReport = testRule('bad-report', (ctx) => ({
  ImportDeclaration(node) {
    ctx.report({ target: node, messageId: 'undeclared' });
  },
}));

const badListener = testRule('bad-listener', () => ({ NotASyntaxKind() {} }));

describe('rule isolation', () => {
  it('a listener that throws is named with the file; its earlier findings and the other rules survive', async () => {
    const dir = project({ 'package.json': MANIFEST, 'victim.ts': VULNERABLE, 'other.ts': VULNERABLE });
    const result = await scanDir(dir, {}, [...rules, reportsThenThrows]);
    const [crash] = crashes(result);
    expect(crashes(result)).toHaveLength(1);
    expect(crash).toMatchObject({ level: 'error', path: 'victim.ts', ruleId: 'reports-then-throws', skipped: false });
    expect(crash.message).toBe(
      'rule reports-then-throws failed on victim.ts: boom in a listener; other rules still ran on this file',
    );
    expect(crash.detail).toBeUndefined();
    // The real rules still ran on the file the test rule crashed on.
    expect(findingsIn(result, 'victim.ts').filter((f) => !f.startsWith('reports-then-throws'))).toEqual(BOTH_ON_LINE_2);
    // The finding reported before the throw is kept; after the crash the rule stops on that file only.
    expect(findingsIn(result, 'victim.ts').filter((f) => f.startsWith('reports-then-throws'))).toHaveLength(1);
    expect(findingsIn(result, 'other.ts').filter((f) => f.startsWith('reports-then-throws')).length).toBeGreaterThan(1);
    expect(sarifSchemaErrors(JSON.parse(renderSarif(result)))).toEqual([]);
  });

  it('under --debug the stack is kept and shown by the text report', async () => {
    const dir = project({ 'package.json': MANIFEST, 'victim.ts': VULNERABLE });
    const result = await scanDir(dir, { debug: true }, [reportsThenThrows]);
    const [crash] = crashes(result);
    expect(crash.detail).toMatch(/TypeError: boom in a listener\n\s+at /);
    expect(renderText(result, { color: false, debug: true })).toContain('TypeError: boom in a listener');
    expect(renderText(result, { color: false })).not.toContain('TypeError: boom in a listener');
  });

  it('stack overflows, throws in create/onEnd, non-Error throws and contract violations are all isolated', async () => {
    const dir = project({ 'package.json': MANIFEST, 'victim.ts': VULNERABLE });
    const hostile: Rule[] = [overflows, throwsInCreate, throwsInOnEnd, throwsNull, badReport, badListener];
    const result = await scanDir(dir, { debug: true }, [...rules, ...hostile]);
    const byRule = new Map(crashes(result).map((n) => [n.ruleId, n.message]));
    expect([...byRule.keys()].sort()).toEqual(hostile.map((rule) => rule.id).sort());
    expect(byRule.get('overflows')).toMatch(/nesting too deep \(stack overflow\)/);
    expect(byRule.get('throws-in-create')).toMatch(/cannot start/);
    expect(byRule.get('throws-in-on-end')).toMatch(/a string, not an Error/);
    expect(byRule.get('throws-null')).toMatch(/failed on victim\.ts: null/);
    expect(byRule.get('bad-report')).toMatch(/undeclared message id "undeclared"/);
    expect(byRule.get('bad-listener')).toMatch(/unknown syntax kind "NotASyntaxKind"/);
    expect(findingsIn(result, 'victim.ts')).toEqual(BOTH_ON_LINE_2);
    expect(result.stats.filesScanned).toBe(1);
    expect(sarifSchemaErrors(JSON.parse(renderSarif(result)))).toEqual([]);
  });

  it('a failure outside any rule (in the engine itself) costs only that file', async () => {
    const dir = project({ 'package.json': MANIFEST, 'a.ts': VULNERABLE, 'b.ts': VULNERABLE, 'c.ts': VULNERABLE });
    let armed = false;
    // The engine reads `meta.frameworks` per file outside the per-rule guards; make that throw for b.ts.
    const [secretRule] = rules.filter((rule) => rule.id === 'hardcoded-session-secret');
    const booby: Rule = {
      ...secretRule,
      meta: {
        ...secretRule.meta,
        get frameworks(): string[] {
          if (armed) throw new Error('engine-level failure');
          return secretRule.meta.frameworks;
        },
      },
    };
    const result = await scanDir(
      dir,
      {
        debug: true,
        // Armed while the second file (b.ts) is analysed.
        onProgress: (done, _total, phase) => {
          armed = phase === 'analysing' && done === 1;
        },
      },
      [booby],
    );
    const failed = result.notifications.filter((n) => n.code === 'analysis-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ path: 'b.ts', skipped: true, level: 'error' });
    expect(failed[0].message).toBe('b.ts: analysis failed (engine-level failure); the file was skipped');
    expect(failed[0].detail).toMatch(/engine-level failure\n\s+at /);
    expect(findingsIn(result, 'a.ts')).toEqual(['hardcoded-session-secret@2']);
    expect(findingsIn(result, 'c.ts')).toEqual(['hardcoded-session-secret@2']);
    expect(result.stats).toMatchObject({ filesScanned: 2, filesSkipped: 1 });
  });
});

describe('self-referencing objects', () => {
  it('an object that holds itself (`self.apos = self`, then writes through the alias) crashes no real rule', async () => {
    const fixture = path.join(import.meta.dirname, '../../fixtures/projects/self-referencing-module');
    const dir = project({
      'package.json': readFileSync(path.join(fixture, 'package.json'), 'utf8'),
      'app.js': readFileSync(path.join(fixture, 'app.js'), 'utf8'),
    });
    const result = await scanDir(dir, {}, await loadRules());
    // Every rule that asked for the object view of `self` overflowed the stack here.
    expect(crashes(result)).toEqual([]);
    expect(findingsIn(result, 'app.js')).toEqual(['session-not-invalidated-on-logout@13']);
  });
});

describe('broken fixes', () => {
  const brokenFix = testRule('broken-fix', (ctx) => ({
    ImportDeclaration(node) {
      const start = node.getStart();
      ctx.report({
        target: node,
        messageId: 'hit',
        data: { what: 'import' },
        fixes: [
          {
            suggestionId: 'overlapping',
            edits: [
              { start, end: start + 10, newText: 'a' },
              { start: start + 5, end: start + 12, newText: 'b' },
            ],
          },
          { suggestionId: 'overlapping', edits: [{ start: 0, end: ctx.file.text.length + 100, newText: '' }] },
          { suggestionId: 'good', edits: [{ start, end: start, newText: '// fixed\n' }] },
        ],
      });
    },
  }));

  it('a fix whose edits overlap or leave the file is dropped and named; the finding and good fixes stay', async () => {
    const dir = project({ 'package.json': MANIFEST, 'victim.ts': VULNERABLE });
    const result = await scanDir(dir, {}, [brokenFix]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].fixes.map((fix) => fix.description)).toEqual(['a fix that applies']);
    const failed = result.notifications.filter((n) => n.code === 'fix-failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ level: 'error', path: 'victim.ts', ruleId: 'broken-fix', skipped: false });
    expect(failed[0].message).toMatch(
      /^rule broken-fix offered a fix \("overlapping"\) on victim\.ts that cannot be applied/,
    );
    expect(crashes(result)).toEqual([]);
    expect(sarifSchemaErrors(JSON.parse(renderSarif(result)))).toEqual([]);
  });
});

describe('per-file time budget', () => {
  /** Spins until the clock has moved on: deterministic "slow", whatever the machine's speed. */
  const slowOn = (file: string) =>
    testRule('slow', (ctx) => ({
      Identifier() {
        if (ctx.file.path !== file) return;
        const until = performance.now() + 5;
        while (performance.now() < until) {
          // Busy on purpose.
        }
      },
    }));

  it('a file that exceeds the budget is abandoned with a notification; the others are scanned', async () => {
    const dir = project({ 'package.json': MANIFEST, 'slow.ts': VULNERABLE, 'fast.ts': VULNERABLE });
    const result = await scanDir(dir, { fileTimeBudgetMs: 1 }, [slowOn('slow.ts')]);
    const budget = result.notifications.filter((n) => n.code === 'time-budget');
    expect(budget).toHaveLength(1);
    expect(budget[0]).toMatchObject({ path: 'slow.ts', skipped: true });
    expect(budget[0].message).toMatch(/exceeded the per-file budget of 1 ms .*--file-time-budget/);
    expect(result.stats.filesScanned).toBe(2);
    expect(sarifSchemaErrors(JSON.parse(renderSarif(result)))).toEqual([]);
  });

  it('the budget is configurable: a generous one lets the same file finish', async () => {
    const dir = project({ 'package.json': MANIFEST, 'slow.ts': VULNERABLE });
    const result = await scanDir(dir, { fileTimeBudgetMs: 600_000 }, [...rules, slowOn('slow.ts')]);
    expect(result.notifications).toEqual([]);
    expect(findingsIn(result, 'slow.ts')).toEqual(BOTH_ON_LINE_2);
  });
});

describe('--strict and analysis errors, through the CLI in-process with the real engine', () => {
  const CLEAN =
    "import session from 'express-session';\napp.use(session({ secret: process.env.S, cookie: { secure: true } }));\n";

  /** Runs the CLI in `dir` with the engine scanning the real pinned rules plus `extra`. */
  async function cli(dir: string, args: string[], extra: Rule[]) {
    let stderr = '';
    let result: ScanResult | undefined;
    const code = await runCli(
      ['.', '--format', 'json', ...args],
      { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, env: {}, cwd: dir },
      {
        scan: async (options) => {
          result = await scanWithRules(options, [...rules, ...extra]);
          return result;
        },
      },
    );
    return { code, stderr, result: result as ScanResult };
  }

  it('a rule crash is exit 2 under --strict only; the exit code function agrees', async () => {
    const dir = project({ 'package.json': MANIFEST, 'victim.ts': VULNERABLE });
    const plain = await cli(dir, [], [reportsThenThrows]);
    expect(crashes(plain.result)).toHaveLength(1);
    expect(plain.result.notifications.filter((n) => n.skipped)).toEqual([]);
    expect(plain.code).toBe(1);
    const strict = await cli(dir, ['--strict'], [reportsThenThrows]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(
      'fixate: --strict: 1 analysis error occurred (rule-crashed), so the scan is incomplete\n',
    );
    expect(exitCodeFor(strict.result, { failOn: 'error', strict: true }).code).toBe(2);
    expect(exitCodeFor(strict.result, { failOn: 'none', strict: false }).code).toBe(0);
  });

  it('a fix that cannot be built is exit 2 under --strict even when nothing else fails', async () => {
    const dir = project({ 'package.json': MANIFEST, 'victim.ts': CLEAN });
    const brokenFix = testRule('broken-fix-strict', (ctx) => ({
      ImportDeclaration(node) {
        ctx.report({
          target: node,
          messageId: 'hit',
          data: { what: 'import' },
          fixes: [{ suggestionId: 'overlapping', edits: [{ start: 0, end: ctx.file.text.length + 1, newText: '' }] }],
        });
      },
    }));
    expect((await cli(dir, ['--fail-on', 'none'], [brokenFix])).code).toBe(0);
    const strict = await cli(dir, ['--fail-on', 'none', '--strict'], [brokenFix]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('fixate: --strict: 1 analysis error occurred (fix-failed)');
    // Without analysis errors, --strict changes nothing.
    expect((await cli(dir, ['--fail-on', 'none', '--strict'], [])).code).toBe(0);
  });
});
