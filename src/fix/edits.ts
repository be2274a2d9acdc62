import type { Region } from '../types.js';

/** The part of a TextEdit that applying needs; a full `TextEdit` is accepted too. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/**
 * Applies non-overlapping edits to `text`, given as 0-based UTF-16 offsets into the original text.
 * The order of `edits` does not matter. Throws on out-of-range or overlapping spans, and on two
 * insertions at the same offset (their order would be a guess).
 */
export function applyEdits(text: string, edits: readonly OffsetEdit[]): string {
  const sorted = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.index - b.index)
    .map(({ edit }) => edit);

  for (const edit of sorted) {
    if (
      !Number.isInteger(edit.start) ||
      !Number.isInteger(edit.end) ||
      edit.start < 0 ||
      edit.end < edit.start ||
      edit.end > text.length
    ) {
      throw new RangeError(`Edit [${edit.start}, ${edit.end}) is outside the text (length ${text.length})`);
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const next = sorted[i];
    const sameInsertionPoint = prev.start === prev.end && next.start === next.end && prev.start === next.start;
    if (prev.end > next.start || sameInsertionPoint) {
      throw new Error(`Edits overlap: [${prev.start}, ${prev.end}) and [${next.start}, ${next.end})`);
    }
  }

  // From the end, so earlier offsets stay valid while later spans change length.
  let out = text;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const { start, end, newText } = sorted[i];
    out = out.slice(0, start) + newText + out.slice(end);
  }
  return out;
}

/**
 * Offsets at which each line starts. A line ends before `\r\n`, `\n` or a lone `\r`; the lone CR
 * counts because GitHub's fingerprinting (and so `primaryLocationLineHash`) numbers lines that way.
 */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Length of line `index` (0-based) without its terminator. */
function lineContentEnd(text: string, starts: readonly number[], index: number): number {
  let end = index + 1 < starts.length ? starts[index + 1] : text.length;
  if (end > starts[index] && text.charCodeAt(end - 1) === 10) end--;
  if (end > starts[index] && text.charCodeAt(end - 1) === 13) end--;
  return end;
}

/**
 * 1-based line and UTF-16 column of `offset`. An offset inside a line terminator maps to the column
 * just after the line's last character, so a span never ends "between" `\r` and `\n`.
 */
export function offsetToPosition(
  text: string,
  starts: readonly number[],
  offset: number,
): { line: number; column: number } {
  if (offset < 0 || offset > text.length) {
    throw new RangeError(`Offset ${offset} is outside the text (length ${text.length})`);
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  const contentEnd = lineContentEnd(text, starts, lo);
  return { line: lo + 1, column: Math.min(offset, contentEnd) - starts[lo] + 1 };
}

/** 0-based offset of a 1-based line and column; columns past the line's end clamp to it. */
export function positionToOffset(text: string, starts: readonly number[], line: number, column: number): number {
  if (line < 1 || line > starts.length) {
    throw new RangeError(`Line ${line} is outside the text (${starts.length} lines)`);
  }
  const start = starts[line - 1];
  return Math.min(start + Math.max(column, 1) - 1, lineContentEnd(text, starts, line - 1));
}

/** The SARIF region (1-based, `endColumn` exclusive, UTF-16 columns) of the span [start, end). */
export function regionOf(
  text: string,
  start: number,
  end: number,
  starts: readonly number[] = lineStarts(text),
): Region {
  if (end < start) throw new RangeError(`Span [${start}, ${end}) ends before it starts`);
  const from = offsetToPosition(text, starts, start);
  const to = offsetToPosition(text, starts, end);
  return { startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column };
}
