import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

export type SourceReadResult =
  | { ok: true; text: string; decodedAsLatin1: boolean }
  | { ok: false; code: string; reason: string };

/** A file whose average line is this long is treated as minified or generated and not parsed. */
const MINIFIED_AVERAGE_LINE = 1000;
const MINIFIED_MIN_SIZE = 20_000;

/**
 * Reads a source file defensively: size limit before reading, UTF-16 by BOM, binary detection by a
 * NUL byte where source cannot have one (see `nulOutsideLiterals`), BOM removal, and a Latin-1 fallback for text that is not valid UTF-8 (so positions still line
 * up with what an editor shows for such files). Never throws: every failure is a reason.
 */
export function readSource(absPath: string, maxBytes: number): SourceReadResult {
  let fd: number;
  try {
    // One open, then questions about the open file: every file of the tree is read, and looking the
    // path up twice (stat, then open) cost more than the read. Non-blocking, so a FIFO named like a
    // source file is opened and turned away below instead of waiting for a writer (regular files
    // ignore the flag).
    fd = openSync(absPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return unreadable(error);
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, code: 'not-a-file', reason: 'not a regular file' };
    if (stat.size > maxBytes) {
      return {
        ok: false,
        code: 'too-large',
        reason: `${Math.round(stat.size / 1024)} KiB exceeds --max-file-size ${Math.round(maxBytes / 1024)} KiB`,
      };
    }
    bytes = readFileSync(fd);
  } catch (error) {
    return unreadable(error);
  } finally {
    closeSync(fd);
  }
  // UTF-16 text (Windows editors still write it) is full of NUL bytes, so its BOM is checked first.
  const utf16 = utf16Encoding(bytes);
  if (utf16) {
    try {
      const text = new TextDecoder(utf16, { fatal: true, ignoreBOM: false }).decode(bytes);
      if (!nulOutsideLiterals(text)) return minifiedOr(text, false);
    } catch {
      // Not valid UTF-16 after all: fall through to the binary check.
    }
  }
  let text: string;
  let decodedAsLatin1 = false;
  try {
    text = UTF8.decode(bytes);
  } catch {
    // Latin-1 maps each byte to one UTF-16 code unit, so columns match what an editor shows for
    // such files. A UTF-8 BOM in front of otherwise broken UTF-8 is still a BOM, not three letters.
    const start = hasUtf8Bom(bytes) ? 3 : 0;
    text = bytes.subarray(start).toString('latin1');
    decodedAsLatin1 = true;
  }
  // The whole file is searched (memchr speed), so binary content after a text head is still found;
  // only a file that has a NUL byte pays for the lexical check.
  if (bytes.includes(0) && nulOutsideLiterals(text)) {
    return { ok: false, code: 'binary', reason: 'binary file (contains NUL bytes)' };
  }
  return minifiedOr(text, decodedAsLatin1);
}

/** One decoder for every file: `decode` without `stream` starts afresh on each call, even after an error. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

enum Lex {
  Code,
  SingleQuoted,
  DoubleQuoted,
  Template,
  LineComment,
  BlockComment,
}

/**
 * True when the text has a NUL character where TypeScript and JavaScript cannot have one: outside a
 * string literal, a template literal and a comment (the scanner rejects it there as an invalid
 * character). Source code may hold a raw NUL inside a literal (`${a}\0${b}` written with the byte
 * itself) and is read; binary formats put NULs in their headers and all through their data (PNG,
 * ZIP, gzip, ELF, WebAssembly, UTF-16 without a byte-order mark), so one lands in "code" at once.
 *
 * A minimal lexer: quotes, template literals with nested `${…}`, and comments. Regular expression
 * literals are not told from division; a quote or `//` in one can only make more of its line look
 * like a literal, and single-quoted strings end at a line break, so an error stays on its line and
 * always errs towards reading the file as text (which the parser handles, NULs included).
 */
export function nulOutsideLiterals(text: string): boolean {
  let state = Lex.Code;
  // Open `${` expressions of enclosing template literals: the `{` depth inside each.
  const templateBraces: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    switch (state) {
      case Lex.Code:
        if (c === 0) return true;
        if (c === 39 /* ' */) state = Lex.SingleQuoted;
        else if (c === 34 /* " */) state = Lex.DoubleQuoted;
        else if (c === 96 /* ` */) state = Lex.Template;
        else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) state = Lex.LineComment;
        else if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
          state = Lex.BlockComment;
          i++;
        } else if (c === 123 /* { */ && templateBraces.length > 0) templateBraces[templateBraces.length - 1]++;
        else if (c === 125 /* } */ && templateBraces.length > 0) {
          if (templateBraces[templateBraces.length - 1] === 0) {
            templateBraces.pop();
            state = Lex.Template;
          } else templateBraces[templateBraces.length - 1]--;
        }
        break;
      case Lex.SingleQuoted:
      case Lex.DoubleQuoted:
        if (c === 92 /* \ */) i++;
        else if (c === (state === Lex.SingleQuoted ? 39 : 34) || c === 10 || c === 13) state = Lex.Code;
        break;
      case Lex.Template:
        if (c === 92) i++;
        else if (c === 96) state = Lex.Code;
        else if (c === 36 /* $ */ && text.charCodeAt(i + 1) === 123) {
          templateBraces.push(0);
          state = Lex.Code;
          i++;
        }
        break;
      case Lex.LineComment:
        if (c === 10 || c === 13) state = Lex.Code;
        break;
      case Lex.BlockComment:
        if (c === 42 && text.charCodeAt(i + 1) === 47) {
          state = Lex.Code;
          i++;
        }
        break;
    }
  }
  return false;
}

function minifiedOr(text: string, decodedAsLatin1: boolean): SourceReadResult {
  if (looksMinified(text)) {
    return { ok: false, code: 'minified', reason: 'minified or generated code (very long lines)' };
  }
  return { ok: true, text, decodedAsLatin1 };
}

function utf16Encoding(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

function hasUtf8Bom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

function looksMinified(text: string): boolean {
  if (text.length < MINIFIED_MIN_SIZE) return false;
  let lines = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return text.length / lines > MINIFIED_AVERAGE_LINE;
}

function unreadable(error: unknown): SourceReadResult {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { ok: false, code: 'vanished', reason: 'file disappeared during the scan' };
  // Opening a socket (ENXIO) or, on some systems, a directory (EISDIR) fails before fstat can say so.
  if (code === 'ENXIO' || code === 'EISDIR') return { ok: false, code: 'not-a-file', reason: 'not a regular file' };
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, code: 'unreadable', reason: 'permission denied' };
  return { ok: false, code: 'unreadable', reason: (error as Error).message };
}
