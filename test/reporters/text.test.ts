import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/reporters/index.js';
import { CODE_FRAME_WIDTH, frameWindow } from '../../src/reporters/text.js';
import type { Finding, ScanResult } from '../../src/types.js';
import { emptyResult, LOGIN_PATH, SESSION_PATH, sampleResult } from './sample-result.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (result: ScanResult = sampleResult(), debug = false) => renderText(result, { color: false, debug });
const lines = (text: string) => text.split('\n');

/** The code frame line for `lineNo` and the caret line under it. */
function frame(text: string, lineNo: number): [string, string] {
  const all = lines(text);
  const i = all.findIndex((l) => new RegExp(`^  > +${lineNo} \\| `).test(l));
  expect(i, `no frame line for ${lineNo}`).toBeGreaterThanOrEqual(0);
  return [all[i], all[i + 1]];
}

describe('renderText', () => {
  it('groups findings by file, files sorted, with path:line:col, severity and rule id', () => {
    const text = plain();
    const headers = lines(text).filter((l) => /^\S+.*:\d+:\d+ {2}(error|warning|note) {2}\S+$/.test(l));
    expect(headers).toEqual([
      `${LOGIN_PATH}:10:3  error  missing-session-regeneration`,
      `${LOGIN_PATH}:15:3  warning  logout-without-destroy`,
      `${SESSION_PATH}:9:12  error  client-chosen-session-id`,
    ]);
    expect(text.indexOf(`${LOGIN_PATH}\n`)).toBeLessThan(text.indexOf(`${SESSION_PATH}\n`));
    expect(text).toContain('  The session gets `userId` after a password check without a new session id\n');
  });

  it('puts carets under the region in the code frame', () => {
    const [code, carets] = frame(plain(), 9);
    expect(code).toBe("  > 9 |     return sid || crypto.randomUUID(); // 🍪 adopts the caller's id");
    const column = code.indexOf('sid ||');
    expect(carets.indexOf('^')).toBe(column);
    expect(carets.slice(column)).toBe('^'.repeat('sid || crypto.randomUUID()'.length));
    expect(carets).toMatch(/^ {6}\| {12}\^/);
  });

  it('aligns carets after tabs and astral characters, and marks every line of a multi-line region', () => {
    const scan = sampleResult();
    const finding: Finding = {
      ...scan.findings[0],
      location: { path: 'a.ts', region: { startLine: 99, startColumn: 19, endLine: 100, endColumn: 8 } },
      snippet: "\t\tconst s = '🍪'; genid(s,\r\n\t\t  req);",
      related: [],
      fixes: [],
    };
    const text = plain({ ...scan, findings: [finding] });
    const [first, firstCarets] = frame(text, 99);
    const [second, secondCarets] = frame(text, 100);
    // Column 19 counts 🍪 as two UTF-16 units; on screen it is one column, so the pad is 15 wide.
    expect(first).toBe("  >  99 | \t\tconst s = '🍪'; genid(s,");
    expect(firstCarets).toBe(`        | \t\t${' '.repeat(15)}${'^'.repeat('genid(s,'.length)}`);
    expect(second).toBe('  > 100 | \t\t  req);');
    expect(secondCarets).toBe('        | \t\t  ^^^');
  });

  describe('long lines', () => {
    /** A one-line finding at 1-based `column` spanning `length` characters of `line`. */
    const longLineReport = (line: string, column: number, length: number) => {
      const scan = sampleResult();
      const finding: Finding = {
        ...scan.findings[0],
        location: {
          path: 'min.js',
          region: { startLine: 7, startColumn: column, endLine: 7, endColumn: column + length },
        },
        snippet: line,
        related: [],
        fixes: [],
      };
      return plain({ ...scan, findings: [finding] });
    };
    /** The text shown above the carets (for frames without tabs or astral characters). */
    const underCarets = (code: string, carets: string) => {
      const first = carets.indexOf('^');
      return code.slice(first, carets.lastIndexOf('^') + 1);
    };
    const filler = (n: number) => 'abcdefghij'.repeat(Math.ceil(n / 10)).slice(0, n);

    it('cuts a 60,000-character line to a window around the region, carets still under it', () => {
      const target = 'session.regenerate(cb)';
      const line = `${filler(30_000)}${target}${filler(60_000 - 30_000 - target.length)}`;
      const text = longLineReport(line, 30_001, target.length);
      const [code, carets] = frame(text, 7);
      expect(code.startsWith('  > 7 | …')).toBe(true);
      expect(code.endsWith('…')).toBe(true);
      expect(code.length).toBeLessThanOrEqual('  > 7 | '.length + CODE_FRAME_WIDTH + 2);
      expect(underCarets(code, carets)).toBe(target);
      expect(carets).toMatch(
        new RegExp(`^ {6}\\| {${CODE_FRAME_WIDTH / 2 - 20},${CODE_FRAME_WIDTH / 2}}\\^{${target.length}}$`),
      );
      // The region sits in the middle of the window.
      const shown = code.slice('  > 7 | …'.length, -1);
      expect(line.includes(shown)).toBe(true);
      expect(Math.abs(shown.indexOf(target) - (shown.length - shown.indexOf(target) - target.length))).toBeLessThan(3);
      // The whole report, not just the frame, stays small.
      expect(text.length).toBeLessThan(5_000);
    });

    it('marks only the side that was cut at the start and the end of the line', () => {
      const line = `genid(x)${filler(1_000)}`;
      const [startCode, startCarets] = frame(longLineReport(line, 1, 8), 7);
      expect(startCode).toBe(`  > 7 | ${line.slice(0, CODE_FRAME_WIDTH)}…`);
      expect(underCarets(startCode, startCarets)).toBe('genid(x)');

      const tail = `${filler(1_000)}genid(x)`;
      const [endCode, endCarets] = frame(longLineReport(tail, 1_001, 8), 7);
      expect(endCode).toBe(`  > 7 | …${tail.slice(-CODE_FRAME_WIDTH)}`);
      expect(underCarets(endCode, endCarets)).toBe('genid(x)');
    });

    it('a region wider than the window is shown from just before its start, carets to the cut', () => {
      const line = `${filler(500)}${'X'.repeat(400)}${filler(500)}`;
      const [code, carets] = frame(longLineReport(line, 501, 400), 7);
      expect(code).toBe(`  > 7 | …${filler(500).slice(-16)}${'X'.repeat(CODE_FRAME_WIDTH - 16)}…`);
      expect(underCarets(code, carets)).toBe('X'.repeat(CODE_FRAME_WIDTH - 16));
    });

    it('keeps tabs in the pad and never splits a surrogate pair at the cut', () => {
      const line = `${'🍪'.repeat(200)}\tgenid(s)${'\t'.repeat(3)}${filler(800)}`;
      const from = 400 + 1;
      const [code, carets] = frame(longLineReport(line, from + 1, 8), 7);
      const { start, end } = frameWindow(line, from, from + 8);
      // Not starting on the second half of a pair, nor ending on the first half of one.
      expect(line.charCodeAt(start)).not.toBe(0xdf6a);
      expect(line.charCodeAt(start - 1)).toBe(0xdf6a);
      expect(line.charCodeAt(end - 1)).not.toBe(0xd83c);
      expect(code).toBe(`  > 7 | …${line.slice(start, end)}…`);
      // One column per cookie, the ellipsis and the tab are kept: the carets start under "genid".
      const cookies = (from - 1 - start) / 2;
      expect(carets).toBe(`      | ${' '.repeat(1 + cookies)}\t${'^'.repeat(8)}`);
    });

    it('leaves lines up to the window width unchanged', () => {
      const line = `${filler(CODE_FRAME_WIDTH - 8)}genid(x)`;
      expect(line).toHaveLength(CODE_FRAME_WIDTH);
      const [code, carets] = frame(longLineReport(line, CODE_FRAME_WIDTH - 7, 8), 7);
      expect(code).toBe(`  > 7 | ${line}`);
      expect(underCarets(code, carets)).toBe('genid(x)');
      expect(frameWindow(line, 0, 1)).toEqual({ start: 0, end: line.length });
    });
  });

  it('says when the snippet stops before the end of the region', () => {
    const scan = sampleResult();
    const finding: Finding = {
      ...scan.findings[0],
      location: { path: 'a.ts', region: { startLine: 1, startColumn: 1, endLine: 9, endColumn: 2 } },
      snippet: 'a(\nb,\nc,',
      related: [],
      fixes: [],
    };
    const text = plain({ ...scan, findings: [finding] });
    expect(text).toContain('  > 3 | c,\n      | ^^\n      | ... 6 more lines\n');
  });

  it('shows related locations, the data flow, the why, the fix diff and the docs', () => {
    const text = plain();
    expect(text).toContain(`  related: ${LOGIN_PATH}:7:24 the password check\n`);
    expect(text).toContain(
      [
        '  flow:',
        '    from `req.query.sid` (line 8, column 24)',
        '    via  `sid` (line 8, column 11)',
        '    into `genid` return value (line 9, column 12)',
      ].join('\n'),
    );
    expect(text).toContain('  why: A login that keeps the pre-login session id lets an attacker');
    expect(text).toContain('  safe fix: Regenerate the session and write the user inside the callback\n');
    expect(text).toContain(`    --- a/${LOGIN_PATH}\n    +++ b/${LOGIN_PATH}\n    @@ -7,8 +7,11 @@\n`);
    expect(text).toContain('    -  req.session.userId = user.id;\n');
    expect(text).toContain('    +  req.session.regenerate((err) => {\n');
    expect(text).toContain('  unsafe fix, review before applying: Always generate the id on the server\n');
    expect(text).toContain(
      '  docs: https://github.com/fixate-dev/fixate/blob/main/rules/missing-session-regeneration/README.md\n' +
        '        run `fixate explain missing-session-regeneration`\n',
    );
  });

  it('does not print suppressed findings, only counts them', () => {
    const text = plain();
    expect(text).not.toMatch(/insecure-session-cookie$/m);
    expect(text).not.toContain('Without Secure the session cookie');
    expect(text).not.toMatch(/^ {2}> +12 \|/m);
    expect(text).toContain('3 findings: 2 errors, 1 warning, 0 notes, 1 suppressed.\n');
  });

  it('ends with notifications and a summary of files', () => {
    const text = plain();
    expect(text).toContain(
      [
        'Notifications',
        '  warning  binary  assets/100% real/logo.ts  The file looks binary. (file skipped)',
        '  error  rule-crashed  src/auth/login.ts  [logout-without-destroy]  Rule logout-without-destroy crashed; its findings for this file may be incomplete.',
        "  warning  parse-error  src/broken.ts:3:14  Could not parse the file: ')' expected. (file skipped)",
      ].join('\n'),
    );
    expect(
      text.endsWith('Files: 3 files scanned, 2 skipped (1 binary, 1 parse-error), 2 pre-filtered, 7 discovered.\n'),
    ).toBe(true);
  });

  it('prints internal stacks only under debug', () => {
    expect(plain()).not.toContain('at parseFile');
    const debug = plain(sampleResult(), true);
    expect(debug).toContain(
      "  warning  parse-error  src/broken.ts:3:14  Could not parse the file: ')' expected. (file skipped)\n      SyntaxError: ')' expected.\n          at parseFile",
    );
  });

  it('has no ANSI codes without colour, and only adds colour with it', () => {
    expect(plain()).not.toMatch(ANSI);
    const colored = renderText(sampleResult(), { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored).toContain('\u001b[31m\u001b[1merror\u001b[22m\u001b[39m');
    expect(colored).toContain('\u001b[32m+  req.session.regenerate((err) => {\u001b[39m');
    // Colour never carries meaning alone: without the escapes it is the plain report.
    expect(colored.replace(ANSI, '')).toBe(plain());
  });

  it('shows control and bidi characters from scanned code escaped, never raw', () => {
    const scan = sampleResult();
    scan.findings[0] = {
      ...scan.findings[0],
      message: 'Evil \u001b[2J message',
      snippet: '  req.session.userId = user.id; // \u202e\u001b]0;owned\u0007',
    };
    const text = renderText(scan, { color: false });
    for (const raw of ['\u001b', '\u0007', '\u202e']) expect(text).not.toContain(raw);
    expect(text).toContain('Evil \\x1b[2J message');
    expect(text).toContain('// \\u202e\\x1b]0;owned\\x07');
  });

  it('is byte-identical across runs and ignores wall time', () => {
    const other = sampleResult();
    other.durationMs = 1;
    other.findings.reverse();
    other.notifications.reverse();
    expect(plain(other)).toBe(plain());
    expect(plain()).not.toMatch(/1234|ms\b/);
  });

  it('prints a short summary when there is nothing to report', () => {
    expect(plain(emptyResult())).toBe(
      'No findings.\nFiles: 3 files scanned, 0 skipped, 1 pre-filtered, 4 discovered.\n',
    );
  });
});
