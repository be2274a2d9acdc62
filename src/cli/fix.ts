import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unifiedDiff } from '../fix/diff.js';
import { applyEdits } from '../fix/edits.js';
import { type FixPlan, fixStillApplies, planFixes } from '../fix/plan.js';
import type { ScanResult } from '../types.js';

/** Passes of fix, re-scan, fix: overlapping fixes need one each; a rule that keeps offering one must not loop. */
export const MAX_FIX_PASSES = 5;

const UTF8_BOM = '\ufeff';

interface ReadFile {
  absPath: string;
  bytes: Buffer;
  /** Decoded, without a byte-order mark: the text the scan's offsets refer to. */
  text: string;
  bom: boolean;
  mode: number;
}

/** A file fixate will not rewrite, and why. */
export interface RefusedFile {
  path: string;
  reason: string;
}

/**
 * The directory finding paths are relative to. Roots are those paths for the scanned targets, so
 * the first target minus its root's segments is the source root (no need to ask the engine).
 */
export function sourceRootOf(result: ScanResult, cwd: string, firstTarget: string): string {
  const target = path.resolve(cwd, firstTarget);
  const root = result.roots[0] ?? '.';
  return root === '.' ? target : path.resolve(target, ...root.split('/').map(() => '..'));
}

function readForFix(absPath: string): ReadFile | string {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(absPath);
  } catch (error) {
    return `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (!stats.isFile()) return 'not a regular file';
  const bytes = readFileSync(absPath);
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // The scan read it as Latin-1; writing UTF-8 back would change every non-ASCII byte.
    return 'not UTF-8 text';
  }
  const bom = decoded.startsWith(UTF8_BOM);
  return { absPath, bytes, text: bom ? decoded.slice(1) : decoded, bom, mode: stats.mode & 0o7777 };
}

/**
 * Reads every file a plan touches and drops the fixes whose files changed since the scan read them
 * (or cannot be rewritten); the files of dropped fixes are refused as a whole.
 */
function prepare(plan: FixPlan, srcRoot: string): { files: Map<string, ReadFile>; refused: RefusedFile[] } {
  const files = new Map<string, ReadFile>();
  const refused = new Map<string, string>();
  for (const relative of plan.files.keys()) {
    const read = readForFix(path.resolve(srcRoot, relative));
    if (typeof read === 'string') refused.set(relative, read);
    else files.set(relative, read);
  }
  const texts = new Map([...files].map(([p, f]) => [p, f.text]));
  for (const fix of plan.fixes) {
    if (fix.edits.some((e) => refused.has(e.path)) || fixStillApplies(fix, texts)) continue;
    for (const edit of fix.edits) refused.set(edit.path, 'it changed since it was scanned');
  }
  for (const p of refused.keys()) files.delete(p);
  return { files, refused: [...refused].map(([p, reason]) => ({ path: p, reason })) };
}

/** The plan's new text for each file it may write. */
function newTexts(plan: FixPlan, files: Map<string, ReadFile>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [relative, file] of files) out.set(relative, applyEdits(file.text, plan.files.get(relative) ?? []));
  return out;
}

/**
 * Temp file in the same directory, same mode, renamed over the original. Just before the rename the
 * original is read again: if it is no longer the bytes the fix was computed from, it is left alone.
 */
function replaceFile(file: ReadFile, text: string): string | undefined {
  const temp = path.join(
    path.dirname(file.absPath),
    `.${path.basename(file.absPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    writeFileSync(temp, (file.bom ? UTF8_BOM : '') + text, { flag: 'wx', mode: file.mode });
    chmodSync(temp, file.mode);
    if (!readFileSync(file.absPath).equals(file.bytes)) {
      unlinkSync(temp);
      return 'it changed while fixate was fixing it';
    }
    renameSync(temp, file.absPath);
    return undefined;
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already renamed.
    }
    return `cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}

export interface DryRun {
  /** Unified diffs of every file the first pass would change, sorted by path. */
  diff: string;
  fixes: number;
  files: number;
  deferred: number;
  refused: RefusedFile[];
}

/** What `--fix-dry-run` prints: the first pass only (later passes need the re-scan of written files). */
export function dryRunFixes(result: ScanResult, srcRoot: string, unsafe: boolean): DryRun {
  const plan = planFixes(result.findings, { unsafe });
  const { files, refused } = prepare(plan, srcRoot);
  const texts = newTexts(plan, files);
  const diff = [...texts].map(([relative, text]) => unifiedDiff(relative, files.get(relative)!.text, text)).join('');
  const applied = plan.fixes.filter((fix) => fix.edits.every((e) => files.has(e.path)));
  return { diff, fixes: applied.length, files: texts.size, deferred: plan.deferred, refused };
}

export interface FixRun {
  /** The re-scan after the last pass (the first scan when nothing was written). */
  result: ScanResult;
  passes: number;
  /** Fixes written, over all passes. */
  applied: number;
  /** Paths written, sorted. */
  files: string[];
  refused: RefusedFile[];
  /** A pass still had fixes to apply when MAX_FIX_PASSES was reached. */
  capped: boolean;
}

/** `--fix`: fix, re-scan, repeat while a pass writes something, at most MAX_FIX_PASSES times. */
export async function applyFixes(
  first: ScanResult,
  srcRoot: string,
  unsafe: boolean,
  rescan: () => Promise<ScanResult>,
): Promise<FixRun> {
  let result = first;
  let applied = 0;
  let passes = 0;
  const written = new Set<string>();
  const refused = new Map<string, string>();
  for (;;) {
    const plan = planFixes(result.findings, { unsafe });
    const prepared = prepare(plan, srcRoot);
    for (const r of prepared.refused) refused.set(r.path, r.reason);
    const texts = newTexts(plan, prepared.files);
    if (texts.size === 0)
      return { result, passes, applied, files: [...written].sort(), refused: list(refused), capped: false };
    if (passes === MAX_FIX_PASSES)
      return { result, passes, applied, files: [...written].sort(), refused: list(refused), capped: true };
    const failed = new Set<string>();
    for (const [relative, text] of texts) {
      const problem = replaceFile(prepared.files.get(relative)!, text);
      if (problem) {
        failed.add(relative);
        refused.set(relative, problem);
      } else {
        written.add(relative);
      }
    }
    applied += plan.fixes.filter((fix) => fix.edits.every((e) => texts.has(e.path) && !failed.has(e.path))).length;
    passes++;
    result = await rescan();
    // Nothing written this pass (every file refused): another pass would refuse them again.
    if (failed.size === texts.size)
      return { result, passes, applied, files: [...written].sort(), refused: list(refused), capped: false };
  }
}

function list(refused: Map<string, string>): RefusedFile[] {
  return [...refused].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([p, reason]) => ({ path: p, reason }));
}
