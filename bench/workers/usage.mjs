/**
 * Fallback for machines without GNU time: runs a script in this process and records this
 * process's own resource usage when it exits, however it exits.
 *
 *   node bench/workers/usage.mjs <usage.json> <script> [args...]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, script, ...args] = process.argv.slice(2);
const abs = path.resolve(script);
process.argv = [process.argv[0], abs, ...args];
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(
    out,
    JSON.stringify({ maxRssKb: u.maxRSS, userMs: u.userCPUTime / 1000, sysMs: u.systemCPUTime / 1000 }),
  );
});
await import(pathToFileURL(abs).href);
