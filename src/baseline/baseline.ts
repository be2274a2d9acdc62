/**
 * Baselines: the findings a project already has, recorded so that CI reports only new ones.
 *
 * A finding is identified by its rule, its file and GitHub's `primaryLocationLineHash` of its
 * primary line (the hash SARIF carries), never by its line number. That hash covers the line and
 * the next 100 non-blank characters after its start, so it survives code moving up or down but not
 * a change right after the line. Matching is therefore done in three rounds, each taking only
 * entries still unmatched: the full hash (`hex:count`); the hash without its occurrence count (an
 * identical line added above renumbers it); and a hash of the finding's own code with whitespace
 * removed (`codeHash`), for a block moved elsewhere in the file.
 *
 * Pure data in, data out (only `src/types.ts`), so the CLI, the reporters and library users share it.
 */
import { createHash } from 'node:crypto';
import type { BaselineEntry, Finding, ScanResult, Severity } from '../types.js';

export const BASELINE_VERSION = 1;
export const DEFAULT_BASELINE_FILE = '.fixate-baseline.json';

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  tool: 'fixate';
  findings: BaselineEntry[];
}

/** A baseline file that cannot be used; the CLI turns it into exit code 2. */
export class BaselineError extends Error {
  override name = 'BaselineError';
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return compare(a.path, b.path) || a.line - b.line || compare(a.ruleId, b.ruleId) || compare(a.lineHash, b.lineHash);
}

/** The finding's source line(s) without any whitespace, hashed: its identity wherever it moves. */
export function codeHash(snippet: string): string {
  return createHash('sha256').update(snippet.replace(/\s+/g, '')).digest('hex').slice(0, 16);
}

function entryOf(finding: Finding): BaselineEntry {
  return {
    ruleId: finding.ruleId,
    path: finding.location.path,
    lineHash: finding.lineHash,
    codeHash: codeHash(finding.snippet),
    line: finding.location.region.startLine,
    message: finding.message,
  };
}

/** The baseline of a scan: every unsuppressed finding, sorted, with no timestamp. */
export function createBaseline(result: ScanResult): BaselineFile {
  const findings = result.findings.filter((f) => !f.suppression).map(entryOf);
  return { version: BASELINE_VERSION, tool: 'fixate', findings: findings.sort(compareEntries) };
}

export function renderBaseline(result: ScanResult): string {
  return `${JSON.stringify(createBaseline(result), null, 2)}\n`;
}

/** Reads a baseline file's text; `file` only names it in errors. */
export function parseBaseline(text: string, file: string): BaselineEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new BaselineError(`${file}: not a baseline (invalid JSON: ${(error as Error).message})`);
  }
  const fail = (why: string): never => {
    throw new BaselineError(`${file}: not a fixate baseline (${why}); create one with \`fixate baseline\``);
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) fail('expected a JSON object');
  const record = data as Record<string, unknown>;
  if (record.version !== BASELINE_VERSION) fail(`"version" must be ${BASELINE_VERSION}`);
  if (!Array.isArray(record.findings)) fail('"findings" must be an array');
  return (record.findings as unknown[]).map((item, i) => {
    const entry = item as Record<string, unknown> | null;
    const isString = (key: string) => typeof entry?.[key] === 'string' && entry[key] !== '';
    if (!entry || !isString('ruleId') || !isString('path') || !isString('lineHash')) {
      fail(`"findings[${i}]" needs "ruleId", "path" and "lineHash" strings`);
    }
    return {
      ruleId: entry!.ruleId as string,
      path: entry!.path as string,
      lineHash: entry!.lineHash as string,
      ...(typeof entry!.codeHash === 'string' ? { codeHash: entry!.codeHash } : {}),
      line: typeof entry!.line === 'number' ? entry!.line : 0,
      message: typeof entry!.message === 'string' ? entry!.message : '',
    };
  });
}

export interface ApplyBaselineOptions {
  /** Shown in reports; relative to the working directory. */
  file: string;
  /**
   * Whether an entry's file was reported on in this scan, so an entry there that is no longer
   * found is `absent` (fixed). Default: every file under the scanned roots that was not skipped.
   * `--changed-since` scans report on changed files only, so the CLI passes `() => false` then.
   */
  reportedOn?: (path: string) => boolean;
}

function withoutCount(lineHash: string): string {
  const colon = lineHash.lastIndexOf(':');
  return colon === -1 ? lineHash : lineHash.slice(0, colon);
}

/**
 * Splits the findings into new and known (`unchanged`): the result's `findings` become the new ones,
 * its `bySeverity` counts only them, and `baseline` holds the known ones and the absent entries.
 * Suppressed findings are passed through as they are (they never count).
 */
export function applyBaseline(
  result: ScanResult,
  entries: readonly BaselineEntry[],
  options: ApplyBaselineOptions,
): ScanResult {
  const unused = new Set(entries.map((_, i) => i));
  const byKey = (hashOf: (lineHash: string, code: string | undefined) => string | undefined) => {
    const keyOf = (ruleId: string, path: string, lineHash: string, code: string | undefined) => {
      const hash = hashOf(lineHash, code);
      return hash === undefined ? undefined : `${ruleId}\0${path}\0${hash}`;
    };
    const map = new Map<string, number[]>();
    entries.forEach((e, i) => {
      const key = keyOf(e.ruleId, e.path, e.lineHash, e.codeHash);
      if (key !== undefined) map.set(key, [...(map.get(key) ?? []), i]);
    });
    return (finding: Finding): boolean => {
      const key = keyOf(finding.ruleId, finding.location.path, finding.lineHash, codeHash(finding.snippet));
      const candidates = (key !== undefined && map.get(key)) || [];
      const index = candidates.find((i) => unused.has(i));
      if (index === undefined) return false;
      unused.delete(index);
      return true;
    };
  };
  const rounds = [byKey((lineHash) => lineHash), byKey((lineHash) => withoutCount(lineHash)), byKey((_, code) => code)];

  const active = result.findings.filter((f) => !f.suppression);
  const known = new Set<Finding>();
  for (const round of rounds) {
    for (const finding of active) if (!known.has(finding) && round(finding)) known.add(finding);
  }

  const findings = result.findings.map(
    (f): Finding => (f.suppression ? f : { ...f, baselineState: known.has(f) ? 'unchanged' : 'new' }),
  );
  const fresh = findings.filter((f) => f.baselineState !== 'unchanged');
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of fresh) if (!f.suppression) bySeverity[f.severity]++;

  const reportedOn = options.reportedOn ?? defaultReportedOn(result);
  const ruleIds = new Set(result.rules.map((r) => r.id));
  const absent = [...unused]
    .map((i) => entries[i])
    .filter((e) => ruleIds.has(e.ruleId) && reportedOn(e.path))
    .sort(compareEntries);

  return {
    ...result,
    findings: fresh,
    stats: { ...result.stats, bySeverity },
    baseline: { file: options.file, unchanged: findings.filter((f) => f.baselineState === 'unchanged'), absent },
  };
}

function defaultReportedOn(result: ScanResult): (path: string) => boolean {
  const skipped = new Set(result.notifications.filter((n) => n.skipped && n.path).map((n) => n.path));
  const under = (root: string, file: string) => root === '.' || file === root || file.startsWith(`${root}/`);
  return (file) => !skipped.has(file) && result.roots.some((root) => under(root, file));
}
