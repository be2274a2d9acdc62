import { setDeadline, TimeBudgetExceeded } from '../analysis/budget.js';
import type { ts } from '#typescript';
import { checkReport, type ReportDescriptor, type Rule, type Target } from '../rule.js';
import type { Finding, Notification, Severity } from '../types.js';
import type { FindingBuilder, ReportedFile } from './findings.js';
import { findSuppression, parseSuppressions, type SuppressionDirective } from './suppressions.js';

/** What every language's per-file analysis shares: where findings and notifications go. */
export interface AnalysisSink {
  builder: FindingBuilder;
  findings: Finding[];
  notify: (notification: Notification) => void;
  debug: boolean;
}

/** One line naming the error; anything can be thrown, including null or an object without a message. */
export function describeError(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'nesting too deep (stack overflow)';
  if (error instanceof Error) return error.message.split('\n')[0] || error.name;
  try {
    return String(error);
  } catch {
    return 'unprintable error';
  }
}

/** The `report` a rule is handed for one file: checks the descriptor, builds the finding, applies suppressions. */
export function reporterFor(
  rule: Rule,
  severity: Severity,
  file: ReportedFile,
  directives: SuppressionDirective[],
  sink: AnalysisSink,
): (descriptor: ReportDescriptor) => void {
  return (descriptor) => {
    checkReport(rule, descriptor);
    const finding = sink.builder.build(rule, file, descriptor, severity, (error, suggestionId) =>
      sink.notify({
        level: 'error',
        code: 'fix-failed',
        message: `rule ${rule.id} offered a fix ("${suggestionId}") on ${file.path} that cannot be applied (${describeError(error)}); the finding is kept without it`,
        path: file.path,
        ruleId: rule.id,
        skipped: false,
        detail: sink.debug ? (error as Error)?.stack : undefined,
      }),
    );
    // A finding placed in another file (a secret defined in a config module, a default in a JSON5
    // config file) is suppressed by the comments of the file it is shown in.
    const shownIn = finding.location.path === file.path ? directives : directivesOfTarget(descriptor.target);
    const directive = shownIn && findSuppression(shownIn, rule.id, finding.location.region.startLine);
    if (directive) {
      finding.suppression = { kind: 'inSource', justification: directive.justification ?? '' };
    }
    sink.findings.push(finding);
  };
}

const directivesBySourceFile = new WeakMap<ts.SourceFile, SuppressionDirective[]>();

function directivesOfTarget(target: Target): SuppressionDirective[] | undefined {
  const sourceFile =
    'getSourceFile' in target ? target.getSourceFile() : target.file ? target.file.sourceFile : undefined;
  if (!sourceFile) return undefined;
  let directives = directivesBySourceFile.get(sourceFile);
  if (!directives) {
    directives = parseSuppressions(sourceFile.text);
    directivesBySourceFile.set(sourceFile, directives);
  }
  return directives;
}

function ruleCrashNotification(rule: Rule, path: string, error: unknown, debug: boolean): Notification {
  return {
    level: 'error',
    code: 'rule-crashed',
    message: `rule ${rule.id} failed on ${path}: ${describeError(error)}; other rules still ran on this file`,
    path,
    ruleId: rule.id,
    skipped: false,
    detail: debug ? (error as Error)?.stack : undefined,
  };
}

function timeBudgetNotification(path: string, budgetMs: number): Notification {
  return {
    level: 'warning',
    code: 'time-budget',
    message: `${path}: analysis exceeded the per-file budget of ${budgetMs} ms and was abandoned (raise it with --file-time-budget)`,
    path,
    skipped: true,
  };
}

/** A directive without a reason still applies; the note makes the omission visible. */
function noteSuppressionsWithoutReason(path: string, directives: SuppressionDirective[], sink: AnalysisSink): void {
  for (const directive of directives) {
    if (directive.justification) continue;
    sink.notify({
      level: 'note',
      code: 'suppression-without-reason',
      message: `${path}:${directive.commentLine}: fixate-ignore directive has no reason; write one after "--"`,
      path,
      region: { startLine: directive.commentLine, startColumn: 1, endLine: directive.commentLine, endColumn: 1 },
      skipped: false,
    });
  }
}

/** Isolates rules on one file: a rule that throws is reported once and not run again on that file. */
export class RuleGuard {
  private readonly crashed = new Set<string>();

  constructor(
    private readonly path: string,
    private readonly sink: AnalysisSink,
  ) {}

  crash(rule: Rule, error: unknown): void {
    this.crashed.add(rule.id);
    this.sink.notify(ruleCrashNotification(rule, this.path, error, this.sink.debug));
  }

  /** Runs a rule's listener; a blown time budget is not the rule's fault and propagates. */
  run(rule: Rule, work: () => void): void {
    if (this.crashed.has(rule.id)) return;
    try {
      work();
    } catch (error) {
      if (error instanceof TimeBudgetExceeded) throw error;
      this.crash(rule, error);
    }
  }
}

/**
 * The per-file analysis frame every language shares: `walk` dispatches listeners (through the guard)
 * and checks the deadline, then each rule's `onEnd` runs. A blown budget abandons the file with a
 * warning and keeps what was found; suppressions without a reason are noted.
 */
export function analyseWithinBudget(
  path: string,
  budgetMs: number,
  sink: AnalysisSink,
  guard: RuleGuard,
  instances: { rule: Rule; onEnd?: () => void }[],
  directives: SuppressionDirective[],
  walk: (deadline: number) => void,
): void {
  const deadline = performance.now() + budgetMs;
  setDeadline(deadline);
  try {
    walk(deadline);
    for (const { rule, onEnd } of instances) if (onEnd) guard.run(rule, onEnd);
  } catch (error) {
    if (!(error instanceof TimeBudgetExceeded)) throw error;
    sink.notify(timeBudgetNotification(path, budgetMs));
  } finally {
    setDeadline(Number.POSITIVE_INFINITY);
  }
  noteSuppressionsWithoutReason(path, directives, sink);
}
