import type * as Sarif from 'sarif';
import { compareStrings } from './common.js';
import { testCodeNotification } from './sarif.js';

/** Shard runs that cannot be one run: different tools, rules or categories. */
export class SarifMergeError extends Error {}

const LEVEL_RANK: Record<string, number> = { error: 0, warning: 1, note: 2, none: 3 };

/**
 * Merges the SARIF of `fixate --shard k/N` runs into the one run a full scan writes: the same rules
 * table, each result once (where two shards report the same rule at the same place, the one a full
 * scan keeps: the more severe, then the one with a fix), results and notifications in the full
 * scan's order, and notifications every shard repeats (about the tree, not a file) kept once.
 */
export function mergeSarif(logs: readonly Sarif.Log[]): Sarif.Log {
  if (logs.length === 0) throw new SarifMergeError('nothing to merge');
  const runs = logs.map((log, i) => {
    if (log.version !== '2.1.0' || log.runs?.length !== 1) {
      throw new SarifMergeError(`input ${i + 1} is not a single-run SARIF 2.1.0 log`);
    }
    return log.runs[0];
  });
  const first = runs[0];
  for (const [i, run] of runs.entries()) {
    if (JSON.stringify(run.tool) !== JSON.stringify(first.tool)) {
      throw new SarifMergeError(`input ${i + 1} comes from another tool, version or rule set than input 1`);
    }
    if (JSON.stringify(run.automationDetails) !== JSON.stringify(first.automationDetails)) {
      throw new SarifMergeError(`input ${i + 1} has another --sarif-category than input 1`);
    }
  }

  const best = new Map<string, Sarif.Result>();
  for (const run of runs) {
    for (const result of run.results ?? []) {
      const key = resultKey(result);
      const kept = best.get(key);
      if (!kept || preferred(result, kept)) best.set(key, result);
    }
  }
  const results = [...best.values()].sort(compareResults);

  let testFindingsLeftOut = 0;
  const counts = new Map<string, number>();
  const order: Sarif.Notification[] = [];
  for (const run of runs) {
    const inRun = new Map<string, number>();
    for (const notification of run.invocations?.[0]?.toolExecutionNotifications ?? []) {
      if (notification.descriptor?.id === 'test-code-left-out') {
        testFindingsLeftOut += Number(/^\d+/.exec(notification.message.text ?? '')?.[0] ?? 0);
        continue;
      }
      // Each shard repeats what it learnt about the tree; a file's notifications come from its shard.
      const key = JSON.stringify(notification);
      const seen = (inRun.get(key) ?? 0) + 1;
      inRun.set(key, seen);
      if (seen > (counts.get(key) ?? 0)) {
        counts.set(key, seen);
        order.push(notification);
      }
    }
  }
  const notifications = [...order, ...testCodeNotification(testFindingsLeftOut)].sort(compareNotifications);

  const run: Sarif.Run = {
    ...first,
    invocations: [
      {
        ...first.invocations?.[0],
        executionSuccessful: !notifications.some((n) => n.level === 'error' && n.descriptor?.id === 'fatal'),
        toolExecutionNotifications: notifications,
      },
    ],
    results,
  };
  return { ...logs[0], runs: [run] };
}

function location(result: Sarif.Result | Sarif.Notification) {
  const physical = result.locations?.[0]?.physicalLocation;
  return {
    path: physical?.artifactLocation?.uri === undefined ? undefined : uriToPath(physical.artifactLocation.uri),
    line: physical?.region?.startLine ?? 0,
    column: physical?.region?.startColumn ?? 0,
  };
}

/** The inverse of `pathToUri`: order is by path, as in the reports. */
function uriToPath(uri: string): string {
  return uri.split('/').map(decodeURIComponent).join('/');
}

function resultKey(result: Sarif.Result): string {
  const { path, line, column } = location(result);
  return `${result.ruleId}\u0000${path}\u0000${line}:${column}`;
}

function preferred(candidate: Sarif.Result, kept: Sarif.Result): boolean {
  const bySeverity = LEVEL_RANK[candidate.level ?? 'warning'] - LEVEL_RANK[kept.level ?? 'warning'];
  if (bySeverity !== 0) return bySeverity < 0;
  const byFix = Number((candidate.fixes?.length ?? 0) > 0) - Number((kept.fixes?.length ?? 0) > 0);
  if (byFix !== 0) return byFix > 0;
  return compareStrings(candidate.message.text ?? '', kept.message.text ?? '') < 0;
}

/** `compareFindings`: path, line, column, rule id. */
function compareResults(a: Sarif.Result, b: Sarif.Result): number {
  const la = location(a);
  const lb = location(b);
  return (
    compareStrings(la.path ?? '', lb.path ?? '') ||
    la.line - lb.line ||
    la.column - lb.column ||
    compareStrings(a.ruleId ?? '', b.ruleId ?? '')
  );
}

/** `sortNotifications`: whole-run notifications first, then by path, line, code. */
function compareNotifications(a: Sarif.Notification, b: Sarif.Notification): number {
  const la = location(a);
  const lb = location(b);
  return (
    Number(la.path !== undefined) - Number(lb.path !== undefined) ||
    compareStrings(la.path ?? '', lb.path ?? '') ||
    la.line - lb.line ||
    compareStrings(a.descriptor?.id ?? '', b.descriptor?.id ?? '')
  );
}
