import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/fix/diff.js';

/**
 * A strict patch applier for unified diffs: every context and removed line must match the original
 * exactly at the position the hunk header states, so a wrong header or line fails the test.
 */
function applyPatch(before: string, patch: string): string {
  const src = before === '' ? [] : before.split(/(?<=\n)/);
  const lines = patch.split('\n');
  expect(lines[0]).toMatch(/^--- a\//);
  expect(lines[1]).toMatch(/^\+\+\+ b\//);
  const out: string[] = [];
  let pos = 0;
  let i = 2;
  while (i < lines.length && lines[i] !== '') {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]);
    if (!m) throw new Error(`bad hunk header: ${lines[i]}`);
    const oldCount = m[2] === undefined ? 1 : Number(m[2]);
    const newCount = m[4] === undefined ? 1 : Number(m[4]);
    const oldStart = oldCount === 0 ? Number(m[1]) : Number(m[1]) - 1;
    expect(oldStart).toBeGreaterThanOrEqual(pos);
    out.push(...src.slice(pos, oldStart));
    pos = oldStart;
    i++;
    let seenOld = 0;
    let seenNew = 0;
    while (i < lines.length && /^[ +-]/.test(lines[i])) {
      const kind = lines[i][0];
      let body = `${lines[i].slice(1)}\n`;
      if (lines[i + 1] === '\\ No newline at end of file') {
        body = body.slice(0, -1);
        i++;
      }
      if (kind !== '+') {
        expect(src[pos]).toBe(body);
        pos++;
        seenOld++;
      }
      if (kind !== '-') {
        out.push(body);
        seenNew++;
      }
      i++;
    }
    expect([seenOld, seenNew]).toEqual([oldCount, newCount]);
  }
  out.push(...src.slice(pos));
  return out.join('');
}

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

describe('unifiedDiff', () => {
  it('is empty for identical texts', () => {
    expect(unifiedDiff('a.ts', 'x\n', 'x\n')).toBe('');
  });

  it('renders an insertion with three lines of context', () => {
    const before = numbered(10);
    const after = before.replace('line 5\n', 'line 5\n  req.session.regenerate(done);\n');
    expect(unifiedDiff('src/app.ts', before, after)).toBe(
      [
        '--- a/src/app.ts',
        '+++ b/src/app.ts',
        '@@ -3,6 +3,7 @@',
        ' line 3',
        ' line 4',
        ' line 5',
        '+  req.session.regenerate(done);',
        ' line 6',
        ' line 7',
        ' line 8',
        '',
      ].join('\n'),
    );
  });

  it('renders a deletion at the start of the file', () => {
    const before = numbered(5);
    const after = before.replace('line 1\n', '');
    expect(unifiedDiff('a.ts', before, after, 1)).toBe(
      ['--- a/a.ts', '+++ b/a.ts', '@@ -1,2 +1 @@', '-line 1', ' line 2', ''].join('\n'),
    );
  });

  it('names the line before when a side of the hunk is empty', () => {
    expect(unifiedDiff('a.ts', '', 'new\n')).toBe(['--- a/a.ts', '+++ b/a.ts', '@@ -0,0 +1 @@', '+new', ''].join('\n'));
    expect(unifiedDiff('a.ts', 'old\n', '')).toBe(['--- a/a.ts', '+++ b/a.ts', '@@ -1 +0,0 @@', '-old', ''].join('\n'));
  });

  it('splits distant changes into separate hunks and merges close ones', () => {
    const before = numbered(30);
    const after = before.replace('line 2\n', 'LINE 2\n').replace('line 8\n', 'LINE 8\n').replace('line 25\n', '');
    const diff = unifiedDiff('a.ts', before, after);
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain('@@ -1,11 +1,11 @@');
    expect(diff).toContain('@@ -22,7 +22,6 @@');
    expect(applyPatch(before, diff)).toBe(after);
  });

  it('is minimal: a moved-around block shows only the lines that changed', () => {
    const before = 'a\nb\nc\nd\ne\nf\n';
    const after = 'a\nc\nd\nb\ne\nf\n';
    const diff = unifiedDiff('a.ts', before, after, 0);
    const changed = diff.split('\n').filter((l) => /^[+-](?![+-])/.test(l));
    expect(changed).toHaveLength(2);
    expect(applyPatch(before, diff)).toBe(after);
  });

  it('marks a missing newline at the end of either side', () => {
    const diff = unifiedDiff('a.ts', 'x\ny', 'x\ny\n');
    expect(diff).toBe(
      ['--- a/a.ts', '+++ b/a.ts', '@@ -1,2 +1,2 @@', ' x', '-y', '\\ No newline at end of file', '+y', ''].join('\n'),
    );
    expect(applyPatch('x\ny', diff)).toBe('x\ny\n');
    expect(applyPatch('x\ny\n', unifiedDiff('a.ts', 'x\ny\n', 'x\nz'))).toBe('x\nz');
  });

  it('keeps \\r so the diff applies to a CRLF file', () => {
    const before = 'a\r\nb\r\nc\r\n';
    const after = 'a\r\nB\r\nc\r\n';
    const diff = unifiedDiff('a.ts', before, after);
    expect(diff).toContain('-b\r\n+B\r\n');
    expect(applyPatch(before, diff)).toBe(after);
  });

  it('applies back for many random edits', () => {
    // A fixed-seed generator keeps the cases reproducible.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const before = Array.from({ length: rand(40) }, () => `${'abcde'[rand(5)]}\n`);
      const after = [...before];
      for (let e = rand(6); e > 0; e--) {
        const at = rand(after.length + 1);
        if (rand(2) === 0) after.splice(at, 1);
        else after.splice(at, 0, `${'abcdefg'[rand(7)]}\n`);
      }
      const diff = unifiedDiff('r.ts', before.join(''), after.join(''), rand(4));
      if (before.join('') === after.join('')) expect(diff).toBe('');
      else expect(applyPatch(before.join(''), diff)).toBe(after.join(''));
    }
  });

  it('handles a big file with a small change, and a rewrite beyond the Myers cap', () => {
    const before = numbered(20000);
    const after = before.replace('line 10000\n', 'changed\n');
    const diff = unifiedDiff('big.ts', before, after);
    expect(diff).toContain('@@ -9997,7 +9997,7 @@');
    expect(applyPatch(before, diff)).toBe(after);

    // Every line differs, so the edit distance exceeds the Myers cap and the window is replaced.
    const rewritten = before.replace(/line/g, 'LINE');
    expect(applyPatch(before, unifiedDiff('big.ts', before, rewritten))).toBe(rewritten);
  });
});
