/**
 * fixate's full scan through its public API, in a process of its own so its peak RSS is its own.
 *
 *   node bench/workers/scan.mjs <root> [<dist/src/index.js>] [--no-prefilter]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fail, report } from './report.mjs';

const [rootArg, entryArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const root = path.resolve(rootArg);
const noPrefilter = process.argv.includes('--no-prefilter');
const entry = entryArg
  ? path.resolve(entryArg)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/src/index.js');

async function main() {
  if (!existsSync(entry)) return fail('dist/src/index.js missing (npm run build)');
  let mod;
  try {
    mod = await import(pathToFileURL(entry).href);
  } catch (err) {
    return fail(`cannot load dist/src/index.js: ${err.message.split('\n')[0]}`);
  }
  if (typeof mod.scan !== 'function') return fail('dist/src/index.js does not export scan()');
  const t0 = performance.now();
  const result = await mod.scan({ paths: [root], cwd: root, ...(noPrefilter ? { noPrefilter: true } : {}) });
  const workMs = performance.now() - t0;
  const byRule = {};
  for (const f of result.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  const notifications = {};
  for (const n of result.notifications) notifications[n.code] = (notifications[n.code] ?? 0) + 1;
  report({
    ok: true,
    workMs,
    findings: result.findings.length,
    filesWithFindings: new Set(result.findings.map((f) => f.location.path)).size,
    findingPaths: [...new Set(result.findings.map((f) => f.location.path))].sort(),
    byRule,
    stats: result.stats,
    notifications,
  });
}

main().catch((err) => {
  fail(`scan() threw: ${err?.stack ?? err}`, 4);
});
