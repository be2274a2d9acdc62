import { boundHeapGrowth } from './heap.js';
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

// Setting exitCode instead of calling process.exit lets piped stdout drain completely.
process.exitCode = await main(process.argv);
