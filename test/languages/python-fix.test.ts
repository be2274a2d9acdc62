import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPythonParser, syntaxErrorCount } from '../../src/languages/python/parser.js';
import { cli } from '../cli/temp-project.js';

const root = path.resolve(import.meta.dirname, '../..');
const temp = realpathSync(mkdtempSync(path.join(tmpdir(), 'fixate-python-fix-')));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('fixate --fix on the Django project', () => {
  it('writes real Python edits that parse, and the fixed findings are gone on a re-scan', async () => {
    const dir = path.join(temp, 'django-dynamodb');
    cpSync(path.join(root, 'fixtures/projects/django-dynamodb'), dir, { recursive: true });
    const before = JSON.parse((await cli(dir, ['--format', 'json'])).stdout) as {
      findings: { ruleId: string; fixes: { safety: string }[] }[];
    };
    // --fix applies the safe fixes; the transaction rewrite of a rotation is marked unsafe (review it).
    const safe = (f: (typeof before.findings)[number]) => f.fixes.some((fix) => fix.safety === 'safe');
    const fixable = before.findings.filter(safe).map((f) => f.ruleId);
    expect(fixable).toEqual(expect.arrayContaining(['missing-session-regeneration', 'dynamodb-session-stale-read']));

    const run = await cli(dir, ['--fix', '--no-color']);
    expect(run.code, run.stderr).not.toBe(2);
    const after = JSON.parse((await cli(dir, ['--format', 'json'])).stdout) as typeof before;
    expect(after.findings.filter(safe)).toEqual([]);
    // One fix can settle more than its own finding (SESSION_COOKIE_SECURE = True also makes SameSite=None safe).
    expect(after.findings.length).toBeLessThanOrEqual(before.findings.length - fixable.length);
    expect(after.findings.map((f) => f.ruleId)).toContain('dynamodb-session-rotation-not-atomic');

    expect((await cli(dir, ['--fix-unsafe', '--no-color'])).code).not.toBe(2);
    const unsafeFixed = JSON.parse((await cli(dir, ['--format', 'json'])).stdout) as typeof before;
    expect(unsafeFixed.findings.map((f) => f.ruleId)).not.toContain('dynamodb-session-rotation-not-atomic');
    expect(readFileSync(path.join(dir, 'seed/writeup_remediation.py'), 'utf8')).toContain(
      'table.meta.client.transact_write_items(TransactItems=[',
    );
    const parser = await loadPythonParser();
    for (const file of ['accounts/views.py', 'dynamo_sessions/backend.py', 'seed/writeup_remediation.py']) {
      const tree = parser.parse(readFileSync(path.join(dir, file), 'utf8'));
      expect(syntaxErrorCount(tree.rootNode), file).toBe(0);
      tree.delete();
    }

    const views = readFileSync(path.join(dir, 'accounts/views.py'), 'utf8');
    expect(views).toContain("    request.session.cycle_key()\n    request.session['user_id'] = user.id");
  });
});
