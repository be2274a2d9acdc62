import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Everything the CLI takes from the process, injectable so tests run the program in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Milliseconds on a monotonic clock (default `performance.now`); tests pass their own. */
  now?: () => number;
}

/** A failure the user can fix (bad flag, bad config, unwritable output): exit 2, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Colour policy for one stream. `--no-color` wins, then NO_COLOR (https://no-color.org: any
 * non-empty value), then FORCE_COLOR (chalk's convention: "0"/"false" off, anything else on),
 * then whether the stream is a terminal. chalk itself reads FORCE_COLOR but not NO_COLOR, and
 * looks at process.stdout rather than the stream we actually write to, so we decide here.
 */
export function shouldColor(stream: OutputStream, env: CliIo['env'], colorFlag = true): boolean {
  if (!colorFlag) return false;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Progress only helps a person watching a terminal; in CI logs it is noise. */
export function shouldShowProgress(stderr: OutputStream, env: CliIo['env'], quiet: boolean): boolean {
  return !quiet && stderr.isTTY === true && !env.CI;
}

/** Fails early, before a long scan, when a report could never be written to `file`. */
export function assertWritableTarget(file: string, flag: string): void {
  let stats: ReturnType<typeof statSync> | undefined;
  try {
    stats = statSync(file);
  } catch {
    return;
  }
  if (stats.isDirectory()) throw new UsageError(`${flag} ${file} is a directory; give a file path`);
}

function isSpecialFile(file: string): boolean {
  try {
    const stats = statSync(file);
    return !stats.isFile() && !stats.isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes through a temporary file in the same directory and renames it over the target, so a
 * crash or a full disk never leaves a truncated report for CI to upload.
 */
export function writeFileAtomic(file: string, content: string, flag: string): void {
  assertWritableTarget(file, flag);
  if (isSpecialFile(file)) {
    // `/dev/null`, `/dev/stdout`, a FIFO: renaming over them would replace a device node with a
    // regular file (as root, for every later process), so write straight into them.
    try {
      writeFileSync(file, content);
    } catch (error) {
      throw new UsageError(`cannot write ${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return;
  }
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, content, { flag: 'wx' });
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file was never created.
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot write ${flag} ${file}: ${reason}`);
  }
}
