/**
 * GitHub's `primaryLocationLineHash`, computed the way github/codeql-action's upload step does
 * (src/fingerprints.ts, `hash`). If our value differs from the one the action would compute, the
 * action logs a warning on every upload and alerts can lose their identity across pushes, so this
 * is a port, not a redesign; the action's own test vectors are in test/reporters/fingerprint.test.ts.
 *
 * For each line: skip spaces and tabs, turn `\r` and `\r\n` into `\n`, append a 0xFFFF end-of-file
 * mark and zero padding, and hash the BLOCK_SIZE characters that start at the line's first kept
 * character with a polynomial rolling hash (multiplier 37, arithmetic mod 2^64). Equal hashes are
 * told apart by a running count: `hex:1`, `hex:2`, ...
 */

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const EOF = 0xffff;
const BLOCK_SIZE = 100;

/**
 * The action keeps the hash in a signed 64-bit Long and prints `toUnsigned()`; working mod 2^64 in
 * two unsigned 32-bit halves gives the same bits without allocating a BigInt per character.
 */
class U64 {
  constructor(
    public hi = 0,
    public lo = 0,
  ) {}
}

/**
 * (a * k) mod 2^64 for a factor k below 2^16 (the multiplier 37, or a UTF-16 code unit): each half's
 * product stays below 2^49, exact in a double, so no limbs are needed. Every character of every file
 * with a finding goes through this twice.
 */
function mulSmall(aHi: number, aLo: number, k: number, out: U64): void {
  const low = aLo * k;
  const carry = Math.floor(low / 0x100000000);
  out.lo = low >>> 0;
  out.hi = (aHi * k + carry) >>> 0;
}

function add(aHi: number, aLo: number, bHi: number, bLo: number, out: U64): void {
  const lo = aLo + bLo;
  out.lo = lo >>> 0;
  out.hi = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function sub(aHi: number, aLo: number, bHi: number, bLo: number, out: U64): void {
  const lo = aLo - bLo;
  out.lo = lo >>> 0;
  out.hi = (aHi - bHi - (lo < 0 ? 1 : 0)) >>> 0;
}

function toHex(value: U64): string {
  if (value.hi === 0) return value.lo.toString(16);
  return value.hi.toString(16) + value.lo.toString(16).padStart(8, '0');
}

/** 37^BLOCK_SIZE mod 2^64: the weight of the character leaving the window. */
const FIRST_MOD = (() => {
  const acc = new U64(0, 1);
  for (let i = 0; i < BLOCK_SIZE; i++) mulSmall(acc.hi, acc.lo, 37, acc);
  return acc;
})();

/**
 * One `primaryLocationLineHash` per line of `text` (index 0 is line 1), where lines end at `\n`,
 * `\r\n` or a lone `\r`. Pass the file exactly as GitHub will read it: a UTF-8 BOM, if present, is
 * part of line 1's hash, because the action decodes the file without stripping it.
 */
export function primaryLocationLineHashes(text: string): string[] {
  const window = new Int32Array(BLOCK_SIZE);
  const lineNumbers = new Int32Array(BLOCK_SIZE).fill(-1);
  const hash = new U64();
  const tmp = new U64();
  const counts = new Map<string, number>();
  const hashes: string[] = [];

  let index = 0;
  let lineNumber = 0;
  let lineStart = true;
  let prevCR = false;

  const outputHash = () => {
    const hex = toHex(hash);
    const count = (counts.get(hex) ?? 0) + 1;
    counts.set(hex, count);
    hashes[lineNumbers[index] - 1] = `${hex}:${count}`;
    lineNumbers[index] = -1;
  };

  const updateHash = (current: number) => {
    const begin = window[index];
    window[index] = current;
    // hash = 37 * hash + current - FIRST_MOD * begin  (mod 2^64)
    mulSmall(hash.hi, hash.lo, 37, hash);
    add(hash.hi, hash.lo, 0, current, hash);
    mulSmall(FIRST_MOD.hi, FIRST_MOD.lo, begin, tmp);
    sub(hash.hi, hash.lo, tmp.hi, tmp.lo, hash);
    index = (index + 1) % BLOCK_SIZE;
  };

  const processCharacter = (code: number) => {
    if (code === SPACE || code === TAB || (prevCR && code === LF)) {
      prevCR = false;
      return;
    }
    let current = code;
    if (current === CR) {
      current = LF;
      prevCR = true;
    } else {
      prevCR = false;
    }
    if (lineNumbers[index] !== -1) outputHash();
    if (lineStart) {
      lineStart = false;
      lineNumber++;
      lineNumbers[index] = lineNumber;
    }
    if (current === LF) lineStart = true;
    updateHash(current);
  };

  for (let i = 0; i < text.length; i++) processCharacter(text.charCodeAt(i));
  processCharacter(EOF);
  for (let i = 0; i < BLOCK_SIZE; i++) {
    if (lineNumbers[index] !== -1) outputHash();
    updateHash(0);
  }
  return hashes;
}
