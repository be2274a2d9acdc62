import { describe, expect, it } from 'vitest';
import { primaryLocationLineHashes } from '../../src/engine/fingerprint.js';

/**
 * Vectors from github/codeql-action src/fingerprints.test.ts ("hash"). The line count must match
 * the action's own check: `input.split(/\r\n|\r|\n/).length`.
 */
const vectors: [string, string, string[]][] = [
  ['empty file', '', ['c129715d7a2bc9a3:1']],
  [
    'leading spaces and tabs',
    ' a\nb\n  \t\tc\n d',
    ['271789c17abda88f:1', '54703d4cd895b18:1', '180aee12dab6264:1', 'a23a3dc5e078b07b:1'],
  ],
  [
    'no trailing newline',
    ' hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End',
    [
      '8b7cf3e952e7aeb2:1',
      'b1ae1287ec4718d9:1',
      'bff680108adb0fcc:1',
      'c6805c5e1288b612:1',
      'b86d3392aea1be30:1',
      'e6ceba753e1a442:1',
    ],
  ],
  ...(['\n', '\r', '\r\n'] as const).map((eol): [string, string, string[]] => [
    `${JSON.stringify(eol)} line endings`,
    ` hello; \t${eol}world!!!${eol}${eol}${eol}  \t\tGreetings${eol} End${eol}`,
    [
      'e9496ae3ebfced30:1',
      'fb7c023a8b9ccb3f:1',
      'ce8ba1a563dcdaca:1',
      'e20e36e16fcb0cc8:1',
      'b3edc88f2938467e:1',
      'c8e28b0b4002a3a0:1',
      'c129715d7a2bc9a3:1',
    ],
  ]),
  [
    'mixed line endings',
    ' hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n',
    [
      'e9496ae3ebfced30:1',
      'fb7c023a8b9ccb3f:1',
      'ce8ba1a563dcdaca:1',
      'e20e36e16fcb0cc8:1',
      'b3edc88f2938467e:1',
      'c8e28b0b4002a3a0:1',
      'c129715d7a2bc9a3:1',
    ],
  ],
  [
    'repeated lines are counted',
    'Lorem ipsum dolor sit amet.\n'.repeat(10),
    [
      'a7f2ff13bc495cf2:1',
      'a7f2ff13bc495cf2:2',
      'a7f2ff13bc495cf2:3',
      'a7f2ff13bc495cf2:4',
      'a7f2ff13bc495cf2:5',
      'a7f2ff13bc495cf2:6',
      'a7f2ff1481e87703:1',
      'a9cf91f7bbf1862b:1',
      '55ec222b86bcae53:1',
      'cc97dc7b1d7d8f7b:1',
      'c129715d7a2bc9a3:1',
    ],
  ],
  [
    'short statements',
    'x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n',
    [
      'e54938cc54b302f1:1',
      'bb609acbe9138d60:1',
      '1131fd5871777f34:1',
      '5c482a0f8b35ea28:1',
      '54517377da7028d2:1',
      '2c644846cb18d53e:1',
      'f1b89f20de0d133:1',
      'c129715d7a2bc9a3:1',
    ],
  ],
];

describe('primaryLocationLineHashes', () => {
  it.each(vectors)('matches codeql-action: %s', (_name, input, expected) => {
    const hashes = primaryLocationLineHashes(input);
    expect(hashes).toEqual(expected);
    expect(hashes).toHaveLength(input.split(/\r\n|\r|\n/).length);
  });

  /**
   * Reference model: the action's algorithm written with BigInt, exactly as in the action (no
   * 32-bit tricks), to cross-check the fast implementation on inputs the vectors don't cover
   * (non-ASCII code units, surrogate pairs, lines longer than the window, hashes with high bits).
   */
  function reference(text: string): string[] {
    const MASK = (1n << 64n) - 1n;
    let firstMod = 1n;
    for (let i = 0; i < 100; i++) firstMod = (firstMod * 37n) & MASK;
    const window = new Array<number>(100).fill(0);
    const lineNumbers = new Array<number>(100).fill(-1);
    let hash = 0n;
    let index = 0;
    let lineNumber = 0;
    let lineStart = true;
    let prevCR = false;
    const counts: Record<string, number> = {};
    const out: string[] = [];
    const output = () => {
      const hex = hash.toString(16);
      counts[hex] = (counts[hex] ?? 0) + 1;
      out[lineNumbers[index] - 1] = `${hex}:${counts[hex]}`;
      lineNumbers[index] = -1;
    };
    const update = (c: number) => {
      const begin = window[index];
      window[index] = c;
      hash = (37n * hash + BigInt(c) - firstMod * BigInt(begin)) & MASK;
      index = (index + 1) % 100;
    };
    const process = (code: number) => {
      let c = code;
      if (c === 32 || c === 9 || (prevCR && c === 10)) {
        prevCR = false;
        return;
      }
      if (c === 13) {
        c = 10;
        prevCR = true;
      } else prevCR = false;
      if (lineNumbers[index] !== -1) output();
      if (lineStart) {
        lineStart = false;
        lineNumber++;
        lineNumbers[index] = lineNumber;
      }
      if (c === 10) lineStart = true;
      update(c);
    };
    for (let i = 0; i < text.length; i++) process(text.charCodeAt(i));
    process(0xffff);
    for (let i = 0; i < 100; i++) {
      if (lineNumbers[index] !== -1) output();
      update(0);
    }
    return out;
  }

  it('agrees with a BigInt reference on unicode, long lines and CRLF', () => {
    const text = [
      '\uFEFFimport session from "express-session";',
      "const name = 'sessión-ünïcode 🍪';",
      `const long = '${'x'.repeat(350)}';`,
      '\t\treq.session.regenerate((err) => {\r',
      '  \u2028 still line 5 for GitHub',
      '',
    ].join('\n');
    expect(primaryLocationLineHashes(text)).toEqual(reference(text));
    const hashes = primaryLocationLineHashes(text);
    expect(hashes.some((h) => h.split(':')[0].length === 16)).toBe(true);
  });

  it('is position independent only within the window: an edit far below does not change a line hash', () => {
    const base = `${'a\n'.repeat(5)}${'line that is long enough to fill the window '.repeat(3)}\nend\n`;
    const edited = base.replace('end', 'END');
    const before = primaryLocationLineHashes(base);
    const after = primaryLocationLineHashes(edited);
    expect(after[0]).toBe(before[0]);
    expect(after[6]).not.toBe(before[6]);
  });
});
