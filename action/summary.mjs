// The fixate action's outputs and job summary, read from the SARIF report (no dependencies, so the
// action needs no install): `errors`, `warnings`, `notes` (new, unsuppressed findings) to
// $GITHUB_OUTPUT, and a short Markdown table to $GITHUB_STEP_SUMMARY.
// Usage: node summary.mjs <sarif> <github-output> <step-summary>
import { appendFileSync, readFileSync } from 'node:fs';

const [sarifPath, outputPath, summaryPath] = process.argv.slice(2);
const MAX_ROWS = 20;
const run = JSON.parse(readFileSync(sarifPath, 'utf8')).runs[0];
const findings = (run.results ?? []).filter(
  (r) => (r.baselineState ?? 'new') === 'new' && !(r.suppressions ?? []).length,
);
const counts = { error: 0, warning: 0, note: 0 };
for (const r of findings) counts[r.level ?? 'warning']++;
appendFileSync(outputPath, `errors=${counts.error}\nwarnings=${counts.warning}\nnotes=${counts.note}\n`);

const known = (run.results ?? []).filter((r) => r.baselineState === 'unchanged').length;
// Messages quote scanned code: keep table cells on one line and free of Markdown/HTML structure.
const cell = (text) => String(text).replace(/\s+/g, ' ').replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
const lines = ['### fixate', ''];
if (findings.length === 0) {
  lines.push('No new findings.');
} else {
  lines.push(`${counts.error} errors, ${counts.warning} warnings, ${counts.note} notes.`, '');
  lines.push('| severity | rule | location | message |', '|---|---|---|---|');
  for (const r of findings.slice(0, MAX_ROWS)) {
    const location = r.locations?.[0]?.physicalLocation;
    const where = `${decodeURIComponent(location?.artifactLocation?.uri ?? '')}:${location?.region?.startLine ?? ''}`;
    const message = (r.message?.text ?? '').split(/(?<=\.)\s/)[0];
    lines.push(`| ${r.level} | ${cell(r.ruleId)} | ${cell(where)} | ${cell(message)} |`);
  }
  if (findings.length > MAX_ROWS) lines.push('', `… and ${findings.length - MAX_ROWS} more in the SARIF report.`);
}
if (known > 0) lines.push('', `${known} known findings in the baseline left out.`);
appendFileSync(summaryPath, `${lines.join('\n')}\n`);
