import { describe, expect, it } from 'vitest';
import { applyEdits, lineStarts, offsetToPosition, positionToOffset, regionOf } from '../../src/fix/edits.js';

describe('applyEdits', () => {
  it('applies edits given in any order against the original offsets', () => {
    const text = 'req.session.user = user;';
    const out = applyEdits(text, [
      { start: 24, end: 24, newText: ' });' },
      { start: 0, end: 0, newText: 'req.session.regenerate(() => { ' },
      { start: 19, end: 23, newText: 'user.id' },
    ]);
    expect(out).toBe('req.session.regenerate(() => { req.session.user = user.id; });');
  });

  it('allows an insertion right before or after a replacement', () => {
    expect(
      applyEdits('abc', [
        { start: 1, end: 2, newText: 'B' },
        { start: 1, end: 1, newText: '<' },
        { start: 2, end: 2, newText: '>' },
      ]),
    ).toBe('a<B>c');
  });

  it('throws on overlapping spans', () => {
    expect(() =>
      applyEdits('abcdef', [
        { start: 0, end: 3, newText: 'x' },
        { start: 2, end: 4, newText: 'y' },
      ]),
    ).toThrow(/overlap/);
  });

  it('throws on two insertions at the same offset, whose order would be arbitrary', () => {
    expect(() =>
      applyEdits('abc', [
        { start: 1, end: 1, newText: 'x' },
        { start: 1, end: 1, newText: 'y' },
      ]),
    ).toThrow(/overlap/);
  });

  it('throws on spans outside the text', () => {
    expect(() => applyEdits('abc', [{ start: 2, end: 4, newText: '' }])).toThrow(RangeError);
    expect(() => applyEdits('abc', [{ start: 2, end: 1, newText: '' }])).toThrow(RangeError);
  });

  it('keeps surrogate pairs intact when edits are on UTF-16 offsets', () => {
    const text = "const c = '🍪'; x;";
    const start = text.indexOf('x');
    expect(applyEdits(text, [{ start, end: start + 1, newText: 'y' }])).toBe("const c = '🍪'; y;");
  });
});

describe('regionOf', () => {
  it('is 1-based with an exclusive end column', () => {
    const text = 'line one\n  req.session.user = u;\n';
    const start = text.indexOf('req');
    expect(regionOf(text, start, start + 'req.session.user'.length)).toEqual({
      startLine: 2,
      startColumn: 3,
      endLine: 2,
      endColumn: 19,
    });
  });

  it('ends a CRLF line before the \\r', () => {
    const text = 'a = 1;\r\nbb = 2;\r\nccc';
    expect(lineStarts(text)).toEqual([0, 8, 17]);
    // The whole of line 1 including its terminator ends at the column after ';'.
    expect(regionOf(text, 0, 8)).toEqual({ startLine: 1, startColumn: 1, endLine: 2, endColumn: 1 });
    expect(regionOf(text, 0, 6)).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 7 });
    // An offset between \r and \n still belongs to line 1, at its end.
    expect(offsetToPosition(text, lineStarts(text), 7)).toEqual({ line: 1, column: 7 });
    expect(regionOf(text, 17, 20)).toEqual({ startLine: 3, startColumn: 1, endLine: 3, endColumn: 4 });
  });

  it('treats a lone \\r as a line break, as GitHub fingerprinting does', () => {
    expect(regionOf('a\rb', 2, 3)).toEqual({ startLine: 2, startColumn: 1, endLine: 2, endColumn: 2 });
  });

  it('counts columns in UTF-16 code units', () => {
    const text = "const s = 'sessión 🍪'; genid(s);";
    const start = text.indexOf('genid');
    // 'ó' is one unit, '🍪' is two, so genid starts at JS index + 1.
    expect(regionOf(text, start, start + 5)).toEqual({
      startLine: 1,
      startColumn: start + 1,
      endLine: 1,
      endColumn: start + 6,
    });
    expect(start).toBe(24);
  });

  it('round-trips through positionToOffset', () => {
    const text = 'ab\r\ncd\nef\rgh';
    const starts = lineStarts(text);
    for (let offset = 0; offset <= text.length; offset++) {
      if (text[offset - 1] === '\r' && text[offset] === '\n') continue;
      const { line, column } = offsetToPosition(text, starts, offset);
      expect(positionToOffset(text, starts, line, column)).toBe(offset);
    }
  });

  it('handles an empty text and a position at the very end', () => {
    expect(regionOf('', 0, 0)).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
    expect(regionOf('x\n', 2, 2)).toEqual({ startLine: 2, startColumn: 1, endLine: 2, endColumn: 1 });
  });
});
