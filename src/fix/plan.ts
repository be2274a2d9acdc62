/**
 * Which fixes `--fix` applies in one pass. Pure: findings in, a plan out; the CLI reads and writes.
 *
 * Each unsuppressed finding contributes its first fix that the safety level allows. Fixes are taken
 * in report order and a fix is accepted whole (all its edits, in every file) or not at all: one whose
 * edit overlaps an edit already accepted is deferred to the next pass, when the re-scan has offsets
 * into the fixed text. Identical fixes offered by several findings are applied once.
 */
import type { Finding, Fix, TextEdit } from '../types.js';
import { unifiedDiff } from './diff.js';
import { applyEdits, regionOf } from './edits.js';

export interface FixPlan {
  /** Accepted fixes, in report order. */
  fixes: Fix[];
  /** Edits per path (relative to the source root), sorted by path. */
  files: Map<string, TextEdit[]>;
  /** Fixes left for a later pass because they overlap an accepted one. */
  deferred: number;
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.path !== b.path) return false;
  // Two insertions at one offset overlap too: their order would be a guess.
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end;
}

const fixKey = (fix: Fix) => JSON.stringify(fix.edits.map((e) => [e.path, e.start, e.end, e.newText]));

export function planFixes(findings: readonly Finding[], options: { unsafe: boolean }): FixPlan {
  const fixes: Fix[] = [];
  const accepted: TextEdit[] = [];
  const seen = new Set<string>();
  let deferred = 0;
  for (const finding of findings) {
    if (finding.suppression) continue;
    const fix = finding.fixes.find((f) => f.edits.length > 0 && (options.unsafe || f.safety === 'safe'));
    if (!fix) continue;
    const key = fixKey(fix);
    if (seen.has(key)) continue;
    seen.add(key);
    if (fix.edits.some((edit) => accepted.some((other) => overlaps(edit, other)))) {
      deferred++;
      continue;
    }
    fixes.push(fix);
    accepted.push(...fix.edits);
  }
  const files = new Map<string, TextEdit[]>();
  for (const edit of accepted) files.set(edit.path, [...(files.get(edit.path) ?? []), edit]);
  return { fixes, files: new Map([...files].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))), deferred };
}

/**
 * Whether `texts` (path -> current text) are still the texts the fix was computed from: every edit
 * has the line and column the scan gave it, and the fix's diff (three lines of context around each
 * change) is reproduced exactly.
 */
export function fixStillApplies(fix: Fix, texts: ReadonlyMap<string, string>): boolean {
  const paths = [...new Set(fix.edits.map((e) => e.path))].sort();
  let diff = '';
  for (const path of paths) {
    const text = texts.get(path);
    if (text === undefined) return false;
    const edits = fix.edits.filter((e) => e.path === path);
    for (const edit of edits) {
      if (edit.end > text.length) return false;
      const region = regionOf(text, edit.start, edit.end);
      const expected = edit.region;
      if (
        region.startLine !== expected.startLine ||
        region.startColumn !== expected.startColumn ||
        region.endLine !== expected.endLine ||
        region.endColumn !== expected.endColumn
      ) {
        return false;
      }
    }
    diff += unifiedDiff(path, text, applyEdits(text, edits));
  }
  return diff === fix.diff;
}
