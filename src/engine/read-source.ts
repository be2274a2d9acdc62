import { readFileSync, statSync } from 'node:fs';

export type SourceReadResult =
  | { ok: true; text: string; decodedAsLatin1: boolean }
  | { ok: false; code: string; reason: string };

const BINARY_PROBE_BYTES = 8192;
/** A file whose average line is this long is treated as minified or generated and not parsed. */
const MINIFIED_AVERAGE_LINE = 1000;
const MINIFIED_MIN_SIZE = 20_000;

/**
 * Reads a source file defensively: size limit before reading, binary detection by NUL byte, BOM
 * removal, and a Latin-1 fallback for text that is not valid UTF-8 (so positions still line up with
 * what an editor shows for such files).
 */
export function readSource(absPath: string, maxBytes: number): SourceReadResult {
  let size: number;
  try {
    const stat = statSync(absPath);
    if (!stat.isFile()) return { ok: false, code: 'not-a-file', reason: 'not a regular file' };
    size = stat.size;
  } catch (error) {
    return unreadable(error);
  }
  if (size > maxBytes) {
    return {
      ok: false,
      code: 'too-large',
      reason: `${Math.round(size / 1024)} KiB exceeds --max-file-size ${Math.round(maxBytes / 1024)} KiB`,
    };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(absPath);
  } catch (error) {
    return unreadable(error);
  }
  if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
    return { ok: false, code: 'binary', reason: 'binary file (contains NUL bytes)' };
  }
  let text: string;
  let decodedAsLatin1 = false;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    text = bytes.toString('latin1');
    decodedAsLatin1 = true;
  }
  if (looksMinified(text)) {
    return { ok: false, code: 'minified', reason: 'minified or generated code (very long lines)' };
  }
  return { ok: true, text, decodedAsLatin1 };
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
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, code: 'unreadable', reason: 'permission denied' };
  return { ok: false, code: 'unreadable', reason: (error as Error).message };
}
