import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { allModels } from '../models/index.js';
import { DEFAULT_IDENTITY_KEYS } from '../models/identity.js';
import type { Model } from '../models/model.js';
import type { Rule, RuleListeners } from '../rule.js';
import type { Finding, Notification, ScanResult, Severity } from '../types.js';
import { packageInfo } from '../version.js';
import { DEFAULT_EXCLUDES, discoverFiles, PYTHON_EXTENSION, type TsconfigScope, UsageError } from './discover.js';
import type { ParsedFile } from './file-context.js';
import { compareFindingData, FindingBuilder, posixRelative } from './findings.js';
import { DEFAULT_FILE_TIME_BUDGET_MS, DEFAULT_MAX_FILE_SIZE_KB, type ScanOptions } from './options.js';
import { SourceProgram } from './program.js';
import { ProjectFacts } from './project-facts.js';
import { describeRule } from './rule-docs.js';
import { mentionsAny } from './keywords.js';
import { type AnalysisSink, analyseWithinBudget, describeError, reporterFor, RuleGuard } from './reporting.js';
import { parseSuppressions } from './suppressions.js';
import { analysePythonFile, loadPythonRules, PythonProgram } from './python.js';
import { loadPythonParser } from '../languages/python/parser.js';
import { pythonModels } from '../models/python.js';
import { applyTestCodePolicy, TestCodeClassifier } from './test-code.js';
import { syntaxKindOf, TimeBudgetExceeded, walkIteratively } from './walk.js';

export { DEFAULT_EXCLUDES, mentionsAny, UsageError };

/** The pre-filter of `.py` files: the Python models' keywords (the npm models' do not apply). */
const PYTHON_KEYWORDS = [...new Set(pythonModels.flatMap((model) => model.keywords))];

interface ActiveRule {
  rule: Rule;
  severity: Severity;
  /** Lower-cased keywords of the rule's models: a file mentioning none of them cannot matter to it. */
  keywords: string[];
}

/**
 * Runs the given rules over the files under `options.paths` and returns plain result data. Per-file
 * failures (unreadable, binary, too large, unparsable, a rule that throws, a blown time budget) become
 * notifications; the scan itself only throws UsageError for bad arguments.
 */
export async function scanWithRules(options: ScanOptions, availableRules: Rule[]): Promise<ScanResult> {
  const started = performance.now();
  const cwd = path.resolve(options.cwd);
  const targets = (options.paths.length > 0 ? options.paths : ['.']).map((p) => path.resolve(cwd, p));
  if (options.tsconfig && !existsSync(path.resolve(cwd, options.tsconfig))) {
    throw new UsageError(`--tsconfig not found: ${path.resolve(cwd, options.tsconfig)}`);
  }
  const srcRoot = sourceRoot(targets);
  const relativePath = (absPath: string) => posixRelative(srcRoot, absPath);
  const notifications: Notification[] = [];
  const notify = (notification: Notification) => notifications.push(notification);

  const active = selectRules(availableRules, options);
  const manifestBoundary = options.manifestBoundary ? path.resolve(cwd, options.manifestBoundary) : srcRoot;
  const facts = new ProjectFacts(manifestBoundary, notify, relativePath);
  const identityKeys = new Set([...DEFAULT_IDENTITY_KEYS, ...(options.identityKeys ?? [])]);
  const maxBytes = (options.maxFileSizeKb ?? DEFAULT_MAX_FILE_SIZE_KB) * 1024;
  const program = new SourceProgram(srcRoot, srcRoot, facts, allModels, identityKeys, maxBytes);
  const testCode = new TestCodeClassifier(targets, srcRoot, (from, specifier) =>
    program.resolveModulePath(from, specifier),
  );

  const tsconfig = options.tsconfig
    ? readTsconfig(path.resolve(cwd, options.tsconfig), relativePath, notify)
    : undefined;
  const discovered = await discoverFiles(
    targets,
    { include: options.include, exclude: options.exclude, tsconfig },
    relativePath,
  );
  notifications.push(...discovered.notifications);
  const reportable = options.changedSince ? changedFiles(srcRoot, options.changedSince) : undefined;
  const files = reportable ? discovered.files.filter((file) => reportable.has(file)) : discovered.files;

  const builder = new FindingBuilder(relativePath);
  const findings: Finding[] = [];
  const budget = options.fileTimeBudgetMs ?? DEFAULT_FILE_TIME_BUDGET_MS;
  const keywordUnion = [...new Set(active.flatMap((a) => a.keywords))];
  let scanned = 0;
  let prefiltered = 0;
  let done = 0;

  // Two passes: every session-relevant file is parsed and its local imports registered first, so that
  // analysis can ask who imports a file (the models its importers use, the arguments they pass).
  const candidates: ParsedFile[] = [];
  // Python files that pass the pre-filter; the tree-sitter parser is loaded only when there is one.
  const pythonCandidates: string[] = [];
  for (const absPath of files) {
    options.onProgress?.(done++, files.length, 'reading');
    if (PYTHON_EXTENSION.test(absPath)) {
      isolate(absPath, () => {
        if (passesPrefilter(absPath, PYTHON_KEYWORDS)) pythonCandidates.push(absPath);
      });
      continue;
    }
    isolate(absPath, () => {
      const file = loadCandidate(absPath);
      if (!file) return;
      program.registerImports(file);
      candidates.push(file);
    });
  }
  let analysed = 0;
  for (const file of candidates) {
    options.onProgress?.(analysed++, candidates.length, 'analysing');
    isolate(file.absPath, () => {
      analyseFile(file, active, builder, findings, notify, budget, options.debug ?? false);
      scanned++;
    });
  }
  options.onProgress?.(candidates.length, candidates.length, 'analysing');
  if (pythonCandidates.length > 0) await analysePython();

  async function analysePython(): Promise<void> {
    const rules = await loadPythonRules(active);
    if (rules.length === 0) return;
    const python = new PythonProgram(srcRoot, manifestBoundary, await loadPythonParser(), identityKeys, (absPath) =>
      program.read(absPath),
    );
    const sink: AnalysisSink = { builder, findings, notify, debug: options.debug ?? false };
    try {
      for (const absPath of pythonCandidates) {
        isolate(absPath, () => {
          try {
            const file = accepted(absPath, python.parse(absPath));
            if (!file) return;
            analysePythonFile(file, rules, sink, budget);
            scanned++;
          } finally {
            python.dispose();
          }
        });
      }
    } finally {
      python.dispose();
    }
  }

  function passesPrefilter(absPath: string, keywords: string[]): boolean {
    const read = program.read(absPath);
    if (read.ok) testCode.noteRead(absPath, read.text);
    if (read.ok && !options.noPrefilter && !mentionsAny(read.text, keywords)) {
      prefiltered++;
      // Keep nothing of a file that cannot matter, so memory grows with the session-relevant files
      // only; a later import of it is read again.
      program.forgetRead(absPath);
      return false;
    }
    return true;
  }

  function isolate(absPath: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      // Last line of isolation: whatever escaped the per-rule guards (a stack overflow in shared
      // analysis, a bug in the engine itself) costs this one file, never the scan.
      const relative = relativePath(absPath);
      notify({
        level: 'error',
        code: 'analysis-failed',
        message: `${relative}: analysis failed (${describeError(error)}); the file was skipped`,
        path: relative,
        skipped: true,
        detail: options.debug ? (error as Error)?.stack : undefined,
      });
    }
  }

  /** Reads, pre-filters and parses one file; the parsed file when it is to be analysed. */
  function loadCandidate(absPath: string): ParsedFile | undefined {
    return passesPrefilter(absPath, keywordUnion) ? accepted(absPath, program.load(absPath)) : undefined;
  }

  /** The parsed file, with notes on how its parse went; undefined (and a warning) when it cannot be analysed. */
  function accepted<F>(
    absPath: string,
    loaded:
      | { ok: true; file: F; syntaxErrors: number; decodedAsLatin1: boolean }
      | { ok: false; code: string; reason: string },
  ): F | undefined {
    const relative = relativePath(absPath);
    if (!loaded.ok) {
      notify({
        level: 'warning',
        code: loaded.code,
        message: `${relative}: ${loaded.reason}`,
        path: relative,
        skipped: true,
      });
      return undefined;
    }
    if (loaded.syntaxErrors > 0) {
      notify({
        level: 'note',
        code: 'syntax-errors',
        message: `${relative} has ${loaded.syntaxErrors} syntax error(s); findings are from what the parser recovered`,
        path: relative,
        skipped: false,
      });
    }
    if (loaded.decodedAsLatin1) {
      notify({
        level: 'note',
        code: 'not-utf8',
        message: `${relative} is not valid UTF-8; it was read as Latin-1`,
        path: relative,
        skipped: false,
      });
    }
    return loaded.file;
  }

  const { findings: reported, leftOut: testFindingsLeftOut } = applyTestCodePolicy(dedupe(findings), testCode, {
    includeTests: options.includeTests ?? false,
    keptInImportedTestSupport: new Set(
      active.filter((a) => a.rule.meta.reportInImportedTestSupport).map((a) => a.rule.id),
    ),
    absPathOf: (findingPath) => path.resolve(srcRoot, findingPath),
    // Findings point into parsed files (or a manifest, which imports nothing), so this is a cache hit.
    textOf: (absPath) => (/\.[cm]?[jt]sx?$/.test(absPath) ? (program.get(absPath)?.text ?? '') : ''),
  });
  const unique = reported.sort(compareFindingData);
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  let suppressed = 0;
  for (const finding of unique) {
    if (finding.suppression) suppressed++;
    else bySeverity[finding.severity]++;
  }
  const info = packageInfo();
  return {
    tool: { name: 'fixate', version: info.version, informationUri: info.homepage },
    roots: targets.map((target) => relativePath(target) || '.'),
    rules: active.map((a) => ({ ...describeRule(a.rule), severity: a.severity })),
    findings: unique,
    notifications,
    stats: {
      filesDiscovered: discovered.files.length,
      filesScanned: scanned,
      filesSkipped: notifications.filter((n) => n.skipped).length,
      filesPrefiltered: prefiltered,
      suppressed,
      testFindingsLeftOut,
      bySeverity,
    },
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Runs the active rules over one file, appending to `findings` as they are reported, so what was
 * found before a rule crash, a blown budget or an engine failure is kept.
 */
function analyseFile(
  file: ParsedFile,
  active: ActiveRule[],
  builder: FindingBuilder,
  findings: Finding[],
  notify: (notification: Notification) => void,
  budgetMs: number,
  debug: boolean,
): void {
  const directives = parseSuppressions(file.text);
  const listenersByKind = new Map<ts.SyntaxKind, { rule: ActiveRule; listener: (node: ts.Node) => void }[]>();
  const instances: { rule: ActiveRule; listeners: RuleListeners }[] = [];
  const sink: AnalysisSink = { builder, findings, notify, debug };
  const guard = new RuleGuard(file.path, sink);

  // A rule runs where one of its models has something to say: a model known to be in use, or one whose
  // keywords the file mentions (models are evidence: nothing needs to be imported or declared). A rule
  // none of whose models can recognise anything in the file has nothing to find there.
  const present = new Set(file.models.map((model) => model.id));
  for (const entry of active) {
    if (!entry.rule.meta.frameworks.some((framework) => present.has(framework))) continue;
    const report = reporterFor(entry.rule, entry.severity, file, directives, sink);
    try {
      const debugNote = (message: string) =>
        notify({
          level: 'note',
          code: 'analysis-note',
          message: `${file.path}: ${message}`,
          path: file.path,
          ruleId: entry.rule.id,
          skipped: false,
        });
      const listeners = entry.rule.create({ file, report, ...(debug ? { debug: debugNote } : {}) });
      instances.push({ rule: entry, listeners });
      for (const [name, listener] of Object.entries(listeners)) {
        if (name === 'onEnd' || !listener) continue;
        const kind = syntaxKindOf(name);
        const list = listenersByKind.get(kind) ?? [];
        list.push({ rule: entry, listener: listener as (node: ts.Node) => void });
        listenersByKind.set(kind, list);
      }
    } catch (error) {
      guard.crash(entry.rule, error);
    }
  }
  if (instances.length === 0) return;

  const onEnds = instances.map(({ rule, listeners }) => ({ rule: rule.rule, onEnd: listeners.onEnd }));
  analyseWithinBudget(file.path, budgetMs, sink, guard, onEnds, directives, (deadline) =>
    walkIteratively(
      file.sourceFile,
      (node) => {
        const listeners = listenersByKind.get(node.kind);
        if (!listeners) return;
        for (const { rule, listener } of listeners) guard.run(rule.rule, () => listener(node));
        if (performance.now() > deadline) throw new TimeBudgetExceeded();
      },
      deadline,
    ),
  );
}

/**
 * The file selection of an explicit tsconfig (see `TsconfigScope`), read as JSONC: comments and
 * trailing commas are allowed, nothing is executed, and `extends` is not followed. A tsconfig that
 * cannot be read, is not valid JSON or has a malformed `include`/`exclude`/`files` is reported and
 * ignored: the scan goes on as if `--tsconfig` had not been given.
 */
function readTsconfig(
  file: string,
  relativePath: (absPath: string) => string,
  notify: (notification: Notification) => void,
): TsconfigScope | undefined {
  const shown = relativePath(file);
  const ignored = (problem: string, level: Notification['level'] = 'warning') =>
    notify({
      level,
      code: 'invalid-tsconfig',
      message: `--tsconfig ${shown} ${problem}; it was ignored and files were picked as without --tsconfig`,
      path: shown,
      skipped: false,
    });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    ignored(`could not be read (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`);
    return undefined;
  }
  const parsed = ts.parseConfigFileTextToJson(file, text);
  if (parsed.error) {
    const { file: source, start, messageText } = parsed.error;
    const reason = ts.flattenDiagnosticMessageText(messageText, ' ');
    if (source && start !== undefined) {
      const { line, character } = ts.getLineAndCharacterOfPosition(source, start);
      ignored(`is not valid JSON (line ${line + 1}, column ${character + 1}: ${reason})`);
    } else {
      ignored(`is not valid JSON (${reason})`);
    }
    return undefined;
  }
  const config = parsed.config as Record<string, unknown>;
  const lists: Partial<Record<'include' | 'exclude' | 'files', string[]>> = {};
  for (const key of ['include', 'exclude', 'files'] as const) {
    const value = config[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      ignored(`is malformed: "${key}" must be an array of strings`);
      return undefined;
    }
    lists[key] = value;
  }
  if (config.extends !== undefined && (!lists.exclude || (!lists.include && !lists.files))) {
    notify({
      level: 'note',
      code: 'tsconfig-extends',
      message: `--tsconfig ${shown} extends another tsconfig, which fixate does not follow: only its own include/exclude/files are used`,
      path: shown,
      skipped: false,
    });
  }
  const dir = path.dirname(file);
  // As the compiler reads them: backslashes are separators, absolute paths count from the tsconfig.
  const relativeToDir = (pattern: string) => {
    const slashed = pattern.replace(/\\/g, '/');
    const relative = path.isAbsolute(slashed) ? posixRelative(dir, slashed) : slashed;
    return relative.replace(/\/+$/, '') || '.';
  };
  // A last segment with no `.`, `*` or `?` names a directory, as in the compiler's matchFiles.
  const isDirectoryPattern = (pattern: string) =>
    pattern === '.' || !/[.*?]/.test(pattern.slice(pattern.lastIndexOf('/') + 1));
  // No include and no files means everything under the tsconfig's directory.
  const include = lists.include ?? (lists.files ? [] : ['**/*']);
  return {
    dir,
    include: include.map(relativeToDir).map((p) => (isDirectoryPattern(p) ? `${p}/**/*` : p)),
    exclude: (lists.exclude ?? []).map(relativeToDir).flatMap((p) => [p, `${p}/**`]),
    files: (lists.files ?? []).map(relativeToDir),
  };
}

function selectRules(rules: Rule[], options: ScanOptions): ActiveRule[] {
  const known = new Set(rules.map((rule) => rule.id));
  for (const id of [
    ...(options.rules ?? []),
    ...(options.disableRules ?? []),
    ...Object.keys(options.ruleSettings ?? {}),
  ]) {
    if (!known.has(id)) throw new UsageError(`unknown rule "${id}" (known rules: ${[...known].sort().join(', ')})`);
  }
  const modelsById = new Map<string, Model>(allModels.map((model) => [model.id, model]));
  return rules
    .filter((rule) => !options.rules || options.rules.length === 0 || options.rules.includes(rule.id))
    .filter((rule) => !options.disableRules?.includes(rule.id))
    .filter((rule) => options.ruleSettings?.[rule.id] !== 'off')
    .map((rule) => {
      const setting = options.ruleSettings?.[rule.id];
      const keywords = rule.meta.frameworks.flatMap((id) => modelsById.get(id)?.keywords ?? []);
      return {
        rule,
        severity: setting && setting !== 'off' ? setting : rule.meta.severity,
        keywords: keywords.map((keyword) => keyword.toLowerCase()),
      };
    });
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/**
 * One finding per rule and place: the same line and column reached by two detection paths of a rule
 * (a logout seen as a route handler and as a function that receives the request) is one weakness.
 * Findings of one rule at different columns of a line (two cookie flags) stay apart. The most severe
 * finding is kept, then one that offers a fix, then the first in report order.
 */
function dedupe(findings: Finding[]): Finding[] {
  const best = new Map<string, Finding>();
  for (const finding of [...findings].sort(compareFindingData)) {
    const { path: file, region } = finding.location;
    const key = `${finding.ruleId}\u0000${file}\u0000${region.startLine}:${region.startColumn}`;
    const kept = best.get(key);
    if (!kept || preferred(finding, kept)) best.set(key, finding);
  }
  return [...best.values()];
}

function preferred(candidate: Finding, kept: Finding): boolean {
  const bySeverity = SEVERITY_RANK[candidate.severity] - SEVERITY_RANK[kept.severity];
  if (bySeverity !== 0) return bySeverity < 0;
  return (candidate.fixes?.length ?? 0) > 0 && (kept.fixes?.length ?? 0) === 0;
}

/** The git top-level of the first target when inside a repository, else the common ancestor of the targets. */
function sourceRoot(targets: string[]): string {
  const first = targets[0];
  let dir = isDirectory(first) ? first : path.dirname(first);
  const start = dir;
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  let common = start;
  for (const target of targets.slice(1)) {
    while (
      !path
        .relative(common, target)
        .split(path.sep)
        .every((part) => part !== '..')
    )
      common = path.dirname(common);
  }
  return common;
}

function changedFiles(srcRoot: string, ref: string): Set<string> {
  const run = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: srcRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      throw new UsageError(`--changed-since ${ref}: git failed (${(error as Error).message.split('\n')[0]})`);
    }
  };
  const names = [
    ...run(['diff', '--name-only', '--no-renames', ref, '--']).split('\n'),
    ...run(['ls-files', '--others', '--exclude-standard']).split('\n'),
  ];
  return new Set(names.filter((name) => name.length > 0).map((name) => path.resolve(srcRoot, name)));
}

function isDirectory(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false;
  }
}
