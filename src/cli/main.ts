import v8 from 'node:v8';
import { runCli } from './program.js';

/** The process boundary: argv in, exit code out. Everything else lives in program.ts. */
export async function main(argv: readonly string[]): Promise<number> {
  boundHeapGrowth(process.env.NODE_OPTIONS ?? '', process.execArgv);
  // `fixate ... | head` closes stdout early; that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return runCli(argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
}

/**
 * Peak memory. When collection is cheap, V8 sets the next heap limit at up to four times the live
 * heap, so a scan whose live heap stays near 65 MB (the trees are bounded, see SourceProgram) peaked
 * at 400–490 MB RSS on a 3M-line tree. Growth by half the live size still let incremental marking's
 * floating garbage ratchet the limit up in one run of three (295–445 MB); growth by a fifth keeps the
 * peak at 225–250 MB, for about 5% more CPU at that size (docs/scaling.md). V8 reads this flag each
 * time it computes a limit, so setting it at start-up takes effect (Node keeps V8's flags writable for
 * `v8.setFlagsFromString`). A user's own heap settings (`node --max-old-space-size=… $(which
 * fixate)`, `NODE_OPTIONS=--max-old-space-size=…`) win, and a V8 that rejects the flag only costs the
 * saving.
 */
const HEAP_GROWING_PERCENT = 20;

function boundHeapGrowth(nodeOptions: string, execArgv: readonly string[]): void {
  const ownHeapSettings = /--(heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size|optimize[-_]for[-_]size)\b/;
  if (ownHeapSettings.test(nodeOptions) || execArgv.some((flag) => ownHeapSettings.test(flag))) return;
  try {
    v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  } catch {
    // Memory only: the scan is the same without it.
  }
}

// Setting exitCode instead of calling process.exit lets piped stdout drain completely.
process.exitCode = await main(process.argv);
