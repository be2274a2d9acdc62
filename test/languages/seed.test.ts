import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { scan } from '../../src/index.js';

/**
 * The write-up fixate started from (../shared/seed) offers `rotate_session_key` and `validate_session`
 * as its remediation. The fixture keeps that code as written; fixate must say what is wrong with it.
 */
const root = path.resolve(import.meta.dirname, '../..');
const file = path.join(root, 'fixtures/projects/django-dynamodb/seed/writeup_remediation.py');
const lines = readFileSync(file, 'utf8').split('\n');
const lineOf = (text: string) => lines.findIndex((line) => line.includes(text)) + 1;

describe("the write-up's remediation code", async () => {
  const result = await scan({ paths: [file], cwd: root, ruleSet: await loadRules() });
  const rotate = { from: lineOf('def rotate_session_key'), to: lineOf('def validate_session') - 1 };
  const validate = { from: lineOf('def validate_session'), to: lines.length };
  const inFunction = (range: { from: number; to: number }) =>
    result.findings
      .filter((f) => f.location.region.startLine >= range.from && f.location.region.startLine <= range.to)
      .map((f) => `${f.ruleId}:${f.location.region.startLine}`)
      .sort();

  it('rotate_session_key is a non-atomic rotation (put, then a separate delete) of an unchecked, stale read', () => {
    expect(inFunction(rotate)).toEqual(
      [
        `dynamodb-session-missing-expiry:${lineOf("resp = table.get_item(Key={'session_key': old_key})")}`,
        `dynamodb-session-rotation-not-atomic:${lineOf('table.put_item(Item={')}`,
        `dynamodb-session-stale-read:${lineOf("resp = table.get_item(Key={'session_key': old_key})")}`,
      ].sort(),
    );
    const rotation = result.findings.find((f) => f.ruleId === 'dynamodb-session-rotation-not-atomic');
    expect(rotation?.related[0].region.startLine).toBe(lineOf('table.delete_item('));
    expect(rotation?.fixes[0]?.diff).toContain('transact_write_items');
  });

  it('validate_session is an eventually consistent read that never checks expiry', () => {
    const read = lineOf("resp = table.get_item(Key={'session_key': session_key})");
    expect(inFunction(validate)).toEqual([
      `dynamodb-session-missing-expiry:${read}`,
      `dynamodb-session-stale-read:${read}`,
    ]);
  });
});
