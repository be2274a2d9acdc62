import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ts } from '#typescript';
import { unifiedDiff } from '../fix/diff.js';
import { PYTHON_EXTENSION } from '../engine/discover.js';
import { scriptKindOf } from '../engine/program.js';
import { loadedPythonParser, syntaxErrorCount } from '../languages/python/parser.js';
import { applyEdits } from '../fix/edits.js';
import { type FixPlan, fixStillApplies, planFixes } from '../fix/plan.js';
import type { Fix, ScanResult, TextEdit } from '../types.js';

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

function syntaxErrors(file: string, text: string): number {
  if (PYTHON_EXTENSION.test(file)) {
    // The scan that found a fix in a Python file has loaded the parser in this process.
    const tree = loadedPythonParser()?.parse(text);
    if (!tree) return 0;
    try {
      return syntaxErrorCount(tree.rootNode);
    } finally {
      tree.delete();
    }
  }
  // Parsed as the scan parsed it (`.js` as JSX), so the before and after counts are comparable.
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKindOf(file));
  return ((source as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? []).length;
}

/**
 * The new text of each file the plan may write, keeping only fixes that add no syntax error to any
 * file they touch (a rule's fix can be wrong; fixate must not be the one that breaks the build).
 * `broken` names the fixes left out, as `path: description`.
 */
function newTexts(
  plan: FixPlan,
  files: Map<string, ReadFile>,
): { texts: Map<string, string>; kept: Fix[]; broken: string[] } {
  const accepted = new Map<string, TextEdit[]>();
  const before = new Map<string, number>();
  const kept: Fix[] = [];
  const broken: string[] = [];
  for (const fix of plan.fixes) {
    const paths = [...new Set(fix.edits.map((e) => e.path))];
    if (!paths.every((p) => files.has(p))) continue;
    const breaks = paths.find((p) => {
      const file = files.get(p)!;
      if (!before.has(p)) before.set(p, syntaxErrors(p, file.text));
      const edits = [...(accepted.get(p) ?? []), ...fix.edits.filter((e) => e.path === p)];
      return syntaxErrors(p, applyEdits(file.text, edits)) > before.get(p)!;
    });
    if (breaks !== undefined) {
      broken.push(`${breaks}: ${fix.description}`);
      continue;
    }
    kept.push(fix);
    for (const edit of fix.edits) accepted.set(edit.path, [...(accepted.get(edit.path) ?? []), edit]);
  }
  const texts = new Map<string, string>();
  for (const [relative, edits] of [...accepted].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    texts.set(relative, applyEdits(files.get(relative)!.text, edits));
  }
  return { texts, kept, broken };
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
  /** Fixes left out because they would add a syntax error (`path: description`). */
  broken: string[];
}

/** What `--fix-dry-run` prints: the first pass only (later passes need the re-scan of written files). */
export function dryRunFixes(result: ScanResult, srcRoot: string, unsafe: boolean): DryRun {
  const plan = planFixes(result.findings, { unsafe });
  const { files, refused } = prepare(plan, srcRoot);
  const { texts, kept, broken } = newTexts(plan, files);
  const diff = [...texts].map(([relative, text]) => unifiedDiff(relative, files.get(relative)!.text, text)).join('');
  return { diff, fixes: kept.length, files: texts.size, deferred: plan.deferred, refused, broken };
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
  broken: string[];
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
  const broken = new Set<string>();
  const done = (capped: boolean): FixRun => ({
    result,
    passes,
    applied,
    files: [...written].sort(),
    refused: list(refused),
    broken: [...broken].sort(),
    capped,
  });
  for (;;) {
    const plan = planFixes(result.findings, { unsafe });
    const prepared = prepare(plan, srcRoot);
    for (const r of prepared.refused) refused.set(r.path, r.reason);
    const { texts, kept, broken: breaking } = newTexts(plan, prepared.files);
    for (const b of breaking) broken.add(b);
    if (texts.size === 0) return done(false);
    if (passes === MAX_FIX_PASSES) return done(true);
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
    applied += kept.filter((fix) => fix.edits.every((e) => !failed.has(e.path))).length;
    passes++;
    result = await rescan();
    // Nothing written this pass (every file refused): another pass would refuse them again.
    if (failed.size === texts.size) return done(false);
  }
}

function list(refused: Map<string, string>): RefusedFile[] {
  return [...refused].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([p, reason]) => ({ path: p, reason }));
}
