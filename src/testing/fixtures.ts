import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanWithRules } from '../engine/scan.js';
import { applyEdits } from '../fix/edits.js';
import type { Rule } from '../rule.js';
import type { Finding, ScanResult } from '../types.js';

export type MarkerKind = 'expect' | 'ok' | 'todo-expect' | 'todo-ok';

export interface Marker {
  /** 1-based line the marker speaks about. */
  line: number;
  kind: MarkerKind;
  ruleId: string;
}

const MARKER =
  /(?:\/\/|\/\*|\{\/\*|#)\s*(todo-expect|todo-ok|expect-next-line|expect|ok):\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g;

/**
 * Markers live in comments (`//`, `/*`, JSX `{/*`, Python `#`): `// expect: rule-id` (this line must be reported), `// expect-next-line:
 * rule-id`, `// ok: rule-id` (a near-miss that must not be), and `todo-expect` / `todo-ok` for known
 * gaps. Several rule ids may be comma-separated.
 */
export function parseMarkers(text: string): Marker[] {
  const markers: Marker[] = [];
  text.split(/\r\n|\r|\n/).forEach((lineText, index) => {
    for (const match of lineText.matchAll(MARKER)) {
      const kind = match[1] === 'expect-next-line' ? 'expect' : (match[1] as MarkerKind);
      const line = match[1] === 'expect-next-line' ? index + 2 : index + 1;
      for (const ruleId of match[2].split(/\s*,\s*/)) markers.push({ line, kind, ruleId });
    }
  });
  return markers;
}

/**
 * Compares one file's findings with its markers. Every unsuppressed finding must be announced by an
 * `expect` (or a recorded `todo-ok` false positive); every `expect` must be met; every `ok` must stay
 * silent; and a `todo-*` marker that starts passing is reported so it gets promoted.
 */
export function checkMarkers(findings: Finding[], markers: Marker[], filePath: string): string[] {
  const problems: string[] = [];
  const reported = findings.filter((f) => f.location.path === filePath && !f.suppression);
  const hits = (line: number, ruleId: string) =>
    reported.some((f) => f.location.region.startLine === line && f.ruleId === ruleId);
  for (const marker of markers) {
    const hit = hits(marker.line, marker.ruleId);
    const where = `${filePath}:${marker.line}`;
    if (marker.kind === 'expect' && !hit) problems.push(`${where}: expected ${marker.ruleId}, nothing reported`);
    if (marker.kind === 'ok' && hit)
      problems.push(`${where}: ${marker.ruleId} reported on an "ok" line (false positive)`);
    if (marker.kind === 'todo-expect' && hit)
      problems.push(`${where}: todo-expect ${marker.ruleId} is now reported; promote it to "expect"`);
    if (marker.kind === 'todo-ok' && !hit)
      problems.push(`${where}: todo-ok ${marker.ruleId} no longer fires; promote it to "ok"`);
  }
  for (const finding of reported) {
    const line = finding.location.region.startLine;
    const announced = markers.some(
      (m) => m.line === line && m.ruleId === finding.ruleId && (m.kind === 'expect' || m.kind === 'todo-ok'),
    );
    if (!announced) {
      problems.push(`${filePath}:${line}: unmarked finding ${finding.ruleId}: ${finding.message}`);
    }
  }
  return problems;
}

export interface FixtureFileReport {
  path: string;
  markers: number;
  findings: number;
  problems: string[];
}

export interface FixtureRunReport {
  result: ScanResult;
  files: FixtureFileReport[];
}

const FIXED_FILE = /\.fixed\.[^.]+$/;

/**
 * Scans a directory of annotated fixtures and checks every file's markers, then checks each
 * `name.fixed.ext` expectation: applying the first fix of the file gives exactly that text, and the
 * fixed text re-scans clean for that rule (in a copy of the directory, so cross-file context holds).
 */
export async function runFixtureDirectory(dir: string, rules: Rule[]): Promise<FixtureRunReport> {
  const result = await scanWithRules(
    { paths: [dir], cwd: dir, manifestBoundary: dir, exclude: ['**/*.fixed.*'], noPrefilter: false },
    rules,
  );
  const rootForPaths = resolveSourceRoot(dir, result);
  const files: FixtureFileReport[] = [];
  for (const relative of listSources(dir)) {
    const absPath = path.join(dir, relative);
    const filePath = path.relative(rootForPaths, absPath).split(path.sep).join('/');
    const text = readFileSync(absPath, 'utf8');
    const markers = parseMarkers(text);
    const findings = result.findings.filter((f) => f.location.path === filePath);
    const problems = checkMarkers(result.findings, markers, filePath);
    // A `.fixed.json` belongs to a fix made elsewhere (a version bump in package.json for a finding in
    // a source): it is checked with that source's fix.
    if (!absPath.endsWith('.json')) {
      problems.push(...(await checkFixedExpectation(dir, absPath, findings, rules, rootForPaths)));
    }
    files.push({ path: filePath, markers: markers.length, findings: findings.length, problems });
  }
  return { result, files };
}

async function checkFixedExpectation(
  dir: string,
  absPath: string,
  findings: Finding[],
  rules: Rule[],
  rootForPaths: string,
): Promise<string[]> {
  const withFix = findings.find((f) => !f.suppression && f.fixes.length > 0);
  const extension = path.extname(absPath);
  const fixedPath = `${absPath.slice(0, -extension.length)}.fixed${extension}`;
  if (!existsSync(fixedPath)) return [];
  const label = path.relative(rootForPaths, fixedPath).split(path.sep).join('/');
  if (!withFix) return [`${label}: expected a fix, but no finding in the file offers one`];
  const fix = withFix.fixes[0];
  const problems: string[] = [];
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'fixate-fixed-'));
  try {
    const copy = path.join(tempDir, 'project');
    cpSync(dir, copy, { recursive: true });
    const byPath = new Map<string, typeof fix.edits>();
    for (const edit of fix.edits) byPath.set(edit.path, [...(byPath.get(edit.path) ?? []), edit]);
    for (const [editedPath, edits] of byPath) {
      const original = path.join(rootForPaths, editedPath);
      const fixedText = applyEdits(readFileSync(original, 'utf8'), edits);
      const ext = path.extname(original);
      const expectedPath = `${original.slice(0, -ext.length)}.fixed${ext}`;
      if (!existsSync(expectedPath)) {
        problems.push(`${label}: the fix also edits ${editedPath}, which has no .fixed expectation`);
        continue;
      }
      if (readFileSync(expectedPath, 'utf8') !== fixedText) {
        problems.push(`${label}: applying "${fix.description}" gives different text:\n${fixedText}`);
      }
      writeFileSync(path.join(copy, path.relative(dir, original)), fixedText);
    }
    const rescanned = await scanWithRules(
      { paths: [copy], cwd: copy, manifestBoundary: copy, exclude: ['**/*.fixed.*'] },
      rules,
    );
    const copyRoot = resolveSourceRoot(copy, rescanned);
    const rescannedPath = path
      .relative(copyRoot, path.join(copy, path.relative(dir, absPath)))
      .split(path.sep)
      .join('/');
    const remaining = rescanned.findings.filter(
      (f) => f.ruleId === withFix.ruleId && f.location.path === rescannedPath && !f.suppression,
    );
    for (const finding of remaining) {
      problems.push(
        `${label}: after the fix, ${finding.ruleId} still reports line ${finding.location.region.startLine}: ${finding.message}`,
      );
    }
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  return problems;
}

/** Result paths are relative to the git top-level (or the scan root outside git); find which. */
function resolveSourceRoot(dir: string, result: ScanResult): string {
  const root = result.roots[0];
  if (root === '.') return dir;
  const depth = root.split('/').length;
  let candidate = dir;
  for (let i = 0; i < depth; i++) candidate = path.dirname(candidate);
  return candidate;
}

function listSources(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== '__pycache__') walk(child);
        // JSON too: a finding can land in a config file a source reads (node-config's config/default.json).
      } else if (/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py|json)$/.test(entry.name) && !FIXED_FILE.test(entry.name)) {
        found.push(child);
      }
    }
  };
  walk('');
  return found.sort();
}
