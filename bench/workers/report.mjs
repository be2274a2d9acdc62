/**
 * Workers print one marked JSON line on stdout, so whatever else a tool prints (warnings, progress)
 * cannot be mistaken for the result.
 */
export const MARKER = '@@fixate-bench-result ';

export function report(result) {
  const u = process.resourceUsage();
  const line = JSON.stringify({
    ...result,
    // Reported by the child itself, for machines without GNU time.
    usage: { maxRssKb: u.maxRSS, userMs: u.userCPUTime / 1000, sysMs: u.systemCPUTime / 1000 },
  });
  process.stdout.write(`\n${MARKER}${line}\n`);
}

export function fail(reason, exitCode = 3) {
  report({ ok: false, reason });
  process.exitCode = exitCode;
}
