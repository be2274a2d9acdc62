import { Chalk, type ChalkInstance } from 'chalk';
import type { Finding, Fix, FlowStep, Location, Notification, RuleDescriptor, ScanResult, Severity } from '../types.js';
import { escapeUnsafe, SEVERITIES, skippedByCode, sortFindings, sortNotifications } from './common.js';

export interface TextOptions {
  color: boolean;
  /** Also print the internal stack (`detail`) of notifications. */
  debug?: boolean;
}

/** Lines of a finding's region shown in its code frame. */
export const MAX_FRAME_LINES = 6;
/** Control characters and bidi overrides in scanned code are shown escaped (see `escapeUnsafe`). */
const clean = escapeUnsafe;

/** Like `clean`, for multi-line text whose line breaks are meant. */
function cleanLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map(clean);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function position(location: Location): string {
  return `${clean(location.path)}:${location.region.startLine}:${location.region.startColumn}`;
}

/** Terminal columns taken by `text`, counting a surrogate pair as one (close enough for carets). */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Code-frame lines longer than this many UTF-16 units are cut to a window around the region. */
export const CODE_FRAME_WIDTH = 160;
/** Columns kept before a region that is itself wider than the window. */
const LEAD_WHEN_WIDE = 16;
const ELLIPSIS = '…';

/**
 * The part of `line` to show for a region `[from, to)` (UTF-16 offsets): the whole line when it is
 * short, else a `CODE_FRAME_WIDTH` window centred on the region (or starting just before it when the
 * region is wider), never splitting a surrogate pair. A minified line is tens of thousands of
 * characters; printing it (and a caret line as long) makes the report unreadable and huge.
 */
export function frameWindow(line: string, from: number, to: number): { start: number; end: number } {
  if (line.length <= CODE_FRAME_WIDTH) return { start: 0, end: line.length };
  const span = Math.max(0, to - from);
  const lead = span >= CODE_FRAME_WIDTH ? LEAD_WHEN_WIDE : Math.floor((CODE_FRAME_WIDTH - span) / 2);
  let start = Math.max(0, from - lead);
  let end = Math.min(line.length, start + CODE_FRAME_WIDTH);
  start = Math.max(0, end - CODE_FRAME_WIDTH);
  const isLowSurrogate = (i: number) => {
    const code = line.charCodeAt(i);
    return i > 0 && code >= 0xdc00 && code <= 0xdfff;
  };
  if (isLowSurrogate(start)) start--;
  if (isLowSurrogate(end)) end++;
  return { start, end };
}

class TextRenderer {
  private readonly out: string[] = [];
  private readonly c: ChalkInstance;
  private readonly rules: Map<string, RuleDescriptor>;

  constructor(
    private readonly result: ScanResult,
    private readonly options: TextOptions,
  ) {
    this.c = new Chalk({ level: options.color ? 1 : 0 });
    this.rules = new Map(result.rules.map((rule) => [rule.id, rule]));
  }

  render(): string {
    const visible = sortFindings(this.result.findings.filter((f) => !f.suppression));
    let currentPath: string | undefined;
    for (const finding of visible) {
      if (finding.location.path !== currentPath) {
        currentPath = finding.location.path;
        this.line(this.c.bold.underline(clean(currentPath)));
        this.line();
      }
      this.finding(finding);
    }
    this.notifications();
    this.summary(visible.length);
    return `${this.out.join('\n')}\n`;
  }

  private line(text = ''): void {
    this.out.push(text);
  }

  private severity(severity: Severity | Notification['level'], text: string = severity): string {
    if (severity === 'error') return this.c.red.bold(text);
    if (severity === 'warning') return this.c.yellow.bold(text);
    return this.c.blue.bold(text);
  }

  private finding(finding: Finding): void {
    const { c } = this;
    const rule = this.rules.get(finding.ruleId);
    const test = finding.testCode ? `  ${c.dim('(test code)')}` : '';
    this.line(
      `${position(finding.location)}  ${this.severity(finding.severity)}  ${c.dim(clean(finding.ruleId))}${test}`,
    );
    for (const text of cleanLines(finding.message)) this.line(`  ${c.bold(text)}`);
    this.codeFrame(finding);
    for (const related of finding.related) {
      this.line(`  related: ${c.cyan(position(related))} ${clean(related.message)}`);
    }
    if (finding.flow && finding.flow.length > 0) this.flow(finding.location.path, finding.flow);
    if (rule) {
      const [first, ...rest] = cleanLines(rule.description);
      this.line(`  why: ${first}`);
      for (const text of rest) this.line(`       ${text}`);
    }
    for (const fix of finding.fixes) this.fix(fix);
    if (rule?.docsUrl) this.line(`  docs: ${c.underline(clean(rule.docsUrl))}`);
    this.line(`        run \`fixate explain ${clean(finding.ruleId)}\``);
    this.line();
  }

  /**
   * The snippet holds exactly the primary lines, numbered from `startLine`. Carets cover the region
   * on each line; leading indentation of continuation lines is not underlined.
   */
  private codeFrame(finding: Finding): void {
    if (finding.snippet === '') return;
    const { c } = this;
    const { startLine, startColumn, endLine, endColumn } = finding.location.region;
    const lines = finding.snippet.split(/\r\n|\r|\n/).slice(0, MAX_FRAME_LINES);
    const gutter = String(startLine + lines.length - 1).length;
    this.line();
    lines.forEach((raw, i) => {
      const lineNo = startLine + i;
      const inRegion = lineNo <= endLine;
      const marker = inRegion ? this.severity(finding.severity, '>') : ' ';
      const from = !inRegion ? 0 : lineNo === startLine ? startColumn - 1 : raw.length - raw.trimStart().length;
      const to = !inRegion ? 0 : lineNo === endLine ? Math.max(endColumn - 1, from) : raw.length;
      const { start, end } = frameWindow(raw, from, to);
      const before = start > 0 ? ELLIPSIS : '';
      const after = end < raw.length ? ELLIPSIS : '';
      const shown = `${before}${clean(raw.slice(start, end))}${after}`;
      this.line(`  ${marker} ${c.dim(`${String(lineNo).padStart(gutter)} |`)} ${shown}`.trimEnd());
      if (!inRegion) return;
      // The pad repeats the shown text's tabs so the carets line up however wide the terminal's tabs are.
      const pad = `${before}${clean(raw.slice(start, Math.max(start, from)))}`.replace(/[^\t]/gu, ' ');
      const carets = '^'.repeat(Math.max(1, width(clean(raw.slice(Math.max(start, from), Math.min(to, end))))));
      this.line(`    ${' '.repeat(gutter)} ${c.dim('|')} ${pad}${this.severity(finding.severity, carets)}`);
    });
    // Frames show a few lines of a long region; say so rather than let the frame look complete.
    const hidden = endLine - (startLine + lines.length - 1);
    if (hidden > 0) this.line(`    ${' '.repeat(gutter)} ${c.dim(`| ... ${plural(hidden, 'more line')}`)}`);
    this.line();
  }

  private flow(primaryPath: string, steps: FlowStep[]): void {
    this.line('  flow:');
    steps.forEach((step, i) => {
      const verb = i === 0 ? 'from' : i === steps.length - 1 ? 'into' : 'via ';
      const where =
        step.path === primaryPath ? `line ${step.region.startLine}, column ${step.region.startColumn}` : position(step);
      this.line(`    ${verb} ${clean(step.message)} ${this.c.dim(`(${where})`)}`);
    });
  }

  private fix(fix: Fix): void {
    const { c } = this;
    const safety = fix.safety === 'safe' ? c.green('safe fix') : c.yellow('unsafe fix, review before applying');
    this.line(`  ${safety}: ${clean(fix.description)}`);
    if (fix.diff === '') return;
    for (const text of fix.diff.replace(/\n$/, '').split('\n')) {
      const shown = clean(text.replace(/\r$/, ''));
      if (text.startsWith('+++') || text.startsWith('---')) this.line(`    ${c.bold(shown)}`);
      else if (text.startsWith('+')) this.line(`    ${c.green(shown)}`);
      else if (text.startsWith('-')) this.line(`    ${c.red(shown)}`);
      else if (text.startsWith('@@')) this.line(`    ${c.cyan(shown)}`);
      else this.line(`    ${shown}`.trimEnd());
    }
  }

  private notifications(): void {
    const notifications = sortNotifications(this.result.notifications);
    if (notifications.length === 0) return;
    this.line(this.c.bold('Notifications'));
    for (const n of notifications) {
      const where =
        n.path === undefined ? '' : `  ${n.region ? position({ path: n.path, region: n.region }) : clean(n.path)}`;
      const rule = n.ruleId ? `  [${clean(n.ruleId)}]` : '';
      const skipped = n.skipped ? ' (file skipped)' : '';
      this.line(`  ${this.severity(n.level)}  ${clean(n.code)}${where}${rule}  ${clean(n.message)}${skipped}`);
      if (this.options.debug && n.detail) {
        for (const text of cleanLines(n.detail)) this.line(`      ${this.c.dim(text)}`.trimEnd());
      }
    }
    this.line();
  }

  private summary(shown: number): void {
    const { stats } = this.result;
    const { c } = this;
    const total = SEVERITIES.reduce((sum, s) => sum + stats.bySeverity[s], 0);
    const suppressed = stats.suppressed > 0 ? `, ${stats.suppressed} suppressed` : '';
    if (total === 0 && shown === 0) {
      this.line(`${c.green.bold('No findings')}${suppressed}.`);
    } else {
      const parts = SEVERITIES.map((s) => this.severity(s, plural(stats.bySeverity[s], s)));
      this.line(`${c.bold(plural(total, 'finding'))}: ${parts.join(', ')}${suppressed}.`);
    }
    const baseline = this.result.baseline;
    if (baseline) {
      const known = baseline.unchanged.length;
      const fixed = baseline.absent.length;
      this.line(
        `Baseline ${clean(baseline.file)}: ${plural(known, 'known finding')} left out` +
          (fixed > 0 ? `, ${fixed} no longer found.` : '.'),
      );
    }
    if (stats.testFindingsLeftOut > 0) {
      this.line(
        `Test code: ${plural(stats.testFindingsLeftOut, 'finding')} left out (--include-tests reports them as notes).`,
      );
    }
    const reasons = skippedByCode(this.result.notifications)
      .map(([code, count]) => `${count} ${clean(code)}`)
      .join(', ');
    const files = [
      `${plural(stats.filesScanned, 'file')} scanned`,
      `${stats.filesSkipped} skipped${reasons ? ` (${reasons})` : ''}`,
      `${stats.filesPrefiltered} pre-filtered`,
      `${stats.filesDiscovered} discovered`,
    ];
    this.line(`Files: ${files.join(', ')}.`);
  }
}

/** The human-readable report: findings grouped by file, notifications, then a summary. */
export function renderText(result: ScanResult, options: TextOptions): string {
  return new TextRenderer(result, options).render();
}
