import { describe, expect, it } from 'vitest';
import type { FileContext } from '../../src/analysis/file-context.js';
import { presenceWhen } from '../../src/analysis/conditions.js';
import { ts } from '../../src/api.js';

/** What `if (<condition>)` taking the given branch says about `s.user`. */
function presence(condition: string, outcome: boolean) {
  const source = ts.createSourceFile('t.ts', `if (${condition}) {}`, ts.ScriptTarget.Latest, true);
  const statement = source.statements[0] as ts.IfStatement;
  const tested = (node: ts.Expression) => node.getText(source) === 's.user';
  // Only `null` / `undefined` are resolved, and those need no file.
  return presenceWhen(statement.expression, outcome, tested, {} as FileContext);
}

describe('presenceWhen', () => {
  it.each([
    ['s.user', true, 'held'],
    ['s.user', false, 'missing'],
    ['!s.user', true, 'missing'],
    ['!s.user', false, 'held'],
    ['s.user == null', true, 'missing'],
    ['s.user === undefined', false, 'held'],
    ['null != s.user', true, 'held'],
    ['s.user !== null', false, 'missing'],
    // Both sides of `&&` are true when it is; either side of `||` false says it for both.
    ['s.user && ok', true, 'held'],
    ['!s.user || stale', false, 'held'],
    ['s.user || other', false, 'missing'],
    // Only one side has to hold: nothing is known unless both sides agree.
    ['s.user && ok', false, undefined],
    ['!s.user || stale', true, undefined],
    ['!s.user || s.user == null', true, 'missing'],
    // Other tests say nothing.
    ['s.user === other', true, undefined],
    ['s.admin', true, undefined],
  ] as const)('%s being %s: %s', (condition, outcome, expected) => {
    expect(presence(condition, outcome)).toBe(expected);
  });
});
