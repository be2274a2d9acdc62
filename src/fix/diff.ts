/**
 * Unified diffs for `Fix.diff`. Lines are split on `\n` only and keep a `\r` before it, as git and
 * patch do, so a diff of a CRLF file still applies to that file.
 */

/**
 * Above this many edit steps in the changed window, Myers' trace (O(D²) memory) stops being worth
 * it; the window is then shown as one replacement, which is still a correct diff, just not minimal.
 */
const MAX_EDIT_DISTANCE = 2000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    lines.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/**
 * Myers' O(ND) shortest edit script between `a` and `b` (interned line ids). Returns null when the
 * distance exceeds `maxD`.
 */
function myers(a: Int32Array, b: Int32Array, maxD: number): Op['kind'][] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxD);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] holds v[-d..d] after step d, which is all the backtrack needs.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (found < 0) return null;

  const ops: Op['kind'][] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1];
    const at = (k: number) => prev[k + d - 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > (down ? prevX : prevX + 1) && y > (down ? prevY + 1 : prevY)) {
      ops.push(' ');
      x--;
      y--;
    }
    if (down) {
      ops.push('+');
      y--;
    } else {
      ops.push('-');
      x--;
    }
  }
  while (x > 0 && y > 0) {
    ops.push(' ');
    x--;
    y--;
  }
  return ops.reverse();
}

function editScript(before: string[], after: string[]): Op[] {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix++;
  }
  const oldMid = before.slice(prefix, before.length - suffix);
  const newMid = after.slice(prefix, after.length - suffix);

  const ids = new Map<string, number>();
  const intern = (lines: string[]) =>
    Int32Array.from(lines, (line) => {
      let id = ids.get(line);
      if (id === undefined) {
        id = ids.size;
        ids.set(line, id);
      }
      return id;
    });
  const kinds = myers(intern(oldMid), intern(newMid), MAX_EDIT_DISTANCE) ?? [
    ...oldMid.map(() => '-' as const),
    ...newMid.map(() => '+' as const),
  ];

  const ops: Op[] = before.slice(0, prefix).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  for (const kind of kinds) {
    if (kind === ' ') {
      ops.push({ kind, line: oldMid[i++] });
      j++;
    } else if (kind === '-') {
      ops.push({ kind, line: oldMid[i++] });
    } else {
      ops.push({ kind, line: newMid[j++] });
    }
  }
  for (const line of before.slice(before.length - suffix)) ops.push({ kind: ' ', line });
  return ops;
}

function range(start: number, count: number): string {
  // A hunk that adds to an empty side names the line before it, hence `start` not `start + 1`.
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}

function renderOp(op: Op): string {
  if (op.line.endsWith('\n')) return `${op.kind}${op.line.slice(0, -1)}\n`;
  return `${op.kind}${op.line}\n\\ No newline at end of file\n`;
}

/**
 * A unified diff (`--- a/path`, `+++ b/path`, `@@` hunks with `context` lines around each change)
 * from `before` to `after`. Returns '' when the texts are equal.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = editScript(splitLines(before), splitLines(after));

  // Line index in each side before each op, so any window's header can be read off directly.
  const oldAt = new Int32Array(ops.length + 1);
  const newAt = new Int32Array(ops.length + 1);
  for (let i = 0; i < ops.length; i++) {
    oldAt[i + 1] = oldAt[i] + (ops[i].kind === '+' ? 0 : 1);
    newAt[i + 1] = newAt[i] + (ops[i].kind === '-' ? 0 : 1);
  }

  const changes: number[] = [];
  ops.forEach((op, i) => {
    if (op.kind !== ' ') changes.push(i);
  });

  let out = `--- a/${path}\n+++ b/${path}\n`;
  let c = 0;
  while (c < changes.length) {
    let last = c;
    while (last + 1 < changes.length && changes[last + 1] - changes[last] - 1 <= 2 * context) last++;
    const from = Math.max(0, changes[c] - context);
    const to = Math.min(ops.length, changes[last] + 1 + context);
    out += `@@ -${range(oldAt[from], oldAt[to] - oldAt[from])} +${range(newAt[from], newAt[to] - newAt[from])} @@\n`;
    for (let i = from; i < to; i++) out += renderOp(ops[i]);
    c = last + 1;
  }
  return out;
}
