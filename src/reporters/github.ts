/**
 * `--format github`: GitHub Actions workflow commands, so findings show as annotations on the pull
 * request without code scanning (a private repository without Advanced Security, say).
 *
 *   ::error file=src/app.ts,line=3,col=9,endLine=3,endColumn=30,title=fixate missing-session-regeneration::message
 *
 * Escaping follows @actions/core (actions/toolkit, packages/core/src/command.ts): in the message
 * `%`, `\r` and `\n` become `%25`, `%0D`, `%0A`; in property values `:` and `,` also become `%3A`,
 * `%2C`. Every line a finding could otherwise inject (a message quoting code) stays inside one command.
 *
 * GitHub shows at most 10 error, 10 warning and 10 notice annotations per step, and 50 per job
 * (actions/toolkit docs/problem-matchers.md, "Limitations"); commands past that are dropped without
 * a word. So at most ANNOTATIONS_PER_LEVEL of each level are printed, in report order, and one plain
 * line says how many more there are and how to see them.
 */
import type { Finding, ScanResult, Severity } from '../types.js';
import { SEVERITIES, sortFindings } from './common.js';

export const ANNOTATIONS_PER_LEVEL = 10;

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(finding: Finding): string {
  const { path, region } = finding.location;
  const properties: [string, string | number][] = [
    ['file', path],
    ['line', region.startLine],
    ['col', region.startColumn],
    ['endLine', region.endLine],
  ];
  // GitHub reads a column range only within one line.
  if (region.endLine === region.startLine) properties.push(['endColumn', region.endColumn]);
  properties.push(['title', `fixate ${finding.ruleId}${finding.testCode ? ' (test code)' : ''}`]);
  const fix = finding.fixes[0];
  const message = fix ? `${finding.message}\nFix: ${fix.description}` : finding.message;
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${COMMAND[finding.severity]} ${props}::${escapeData(message)}`;
}

export function renderGithub(result: ScanResult): string {
  const findings = sortFindings(result.findings.filter((f) => !f.suppression));
  const shown: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  const hidden: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  const lines: string[] = [];
  for (const finding of findings) {
    if (shown[finding.severity] < ANNOTATIONS_PER_LEVEL) {
      shown[finding.severity]++;
      lines.push(annotation(finding));
    } else {
      hidden[finding.severity]++;
    }
  }
  const more = SEVERITIES.filter((s) => hidden[s] > 0).map((s) => `${hidden[s]} ${s}${hidden[s] === 1 ? '' : 's'}`);
  const total = findings.length;
  const known = result.baseline?.unchanged.length ?? 0;
  const parts = [`fixate: ${total} ${total === 1 ? 'finding' : 'findings'}`];
  if (more.length > 0) {
    parts.push(
      `${more.join(', ')} not annotated (GitHub shows ${ANNOTATIONS_PER_LEVEL} annotations of each level per step); run fixate --format text to see them all`,
    );
  }
  if (known > 0) parts.push(`${known} known ${known === 1 ? 'finding' : 'findings'} in the baseline left out`);
  lines.push(`${parts.join('; ')}.`);
  return `${lines.join('\n')}\n`;
}
