import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ts } from '#typescript';
import { allModels } from '../models/index.js';
import { DEFAULT_IDENTITY_KEYS } from '../models/identity.js';
import type { Model } from '../models/model.js';
import type { Rule, RuleListeners } from '../rule.js';
import { SEVERITY_RANK, type Finding, type Notification, type ScanResult, type Severity } from '../types.js';
import { packageInfo } from '../version.js';
import {
  DEFAULT_EXCLUDES,
  type DiscoverOptions,
  type Discovered,
  discoverFiles,
  PYTHON_EXTENSION,
  SOURCE_EXTENSIONS,
  type TsconfigScope,
  UsageError,
} from './discover.js';
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
import { importedModulesInText } from '../analysis/imports.js';
import { syntaxKindOf, TimeBudgetExceeded, walkIteratively } from './walk.js';

export { DEFAULT_EXCLUDES, mentionsAny, UsageError };

/** The pre-filter of `.py` files: the Python models' keywords (the npm models' do not apply). */
const PYTHON_KEYWORDS = [...new Set(pythonModels.flatMap((model) => model.keywords))];
/** `.py` paths a Python model needs whatever they mention (Django settings modules). */
const PYTHON_RELEVANT_PATHS = pythonModels.flatMap((model) => (model.relevantPaths ? [model.relevantPaths] : []));

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
  const discoverOptions = { include: options.include, exclude: options.exclude, tsconfig };
  const selection: Discovered & { reportable?: ReadonlySet<string> } = options.changedSince
    ? await changedSelection(targets, srcRoot, options.changedSince, discoverOptions, relativePath, (file, targets) => {
        // Read once: an importer is read again from this cache by the first pass.
        const read = program.read(file);
        const imports =
          read.ok &&
          [...importedModulesInText(read.text)].some((specifier) => {
            const target = program.resolveModulePath(file, specifier);
            return target !== undefined && targets.has(target);
          });
        if (!imports) program.forgetRead(file);
        return imports;
      })
    : await discoverFiles(targets, { ...discoverOptions, useGit: !options.noGitDiscovery }, relativePath);
  notifications.push(...selection.notifications);
  const { files, reportable } = selection;

  const builder = new FindingBuilder(relativePath);
  const findings: Finding[] = [];
  const budget = options.fileTimeBudgetMs ?? DEFAULT_FILE_TIME_BUDGET_MS;
  const keywordUnion = [...new Set(active.flatMap((a) => a.keywords))];
  const inShard = options.shard ? shardFilter(options.shard, relativePath) : () => true;
  let scanned = 0;
  let prefiltered = 0;
  let done = 0;

  // Two passes: every session-relevant file's local imports are registered first (a text scan, no
  // parse), so that analysis can ask who imports a file (the models its importers use, the
  // arguments they pass) whatever the order. Only the second pass parses, one file at a time.
  const candidates: string[] = [];
  // Python files that pass the pre-filter; the tree-sitter parser is loaded only when there is one.
  const pythonCandidates: string[] = [];
  for (const absPath of files) {
    options.onProgress?.(done++, files.length, 'reading');
    if (PYTHON_EXTENSION.test(absPath)) {
      isolate(absPath, () => {
        // The absolute path: a scan of the `settings/` directory itself still sees the package.
        const slashed = absPath.replace(/\\/g, '/');
        const byPath = PYTHON_RELEVANT_PATHS.some((paths) => paths.test(slashed));
        if (passesPrefilter(absPath, PYTHON_KEYWORDS, byPath)) pythonCandidates.push(absPath);
      });
      continue;
    }
    isolate(absPath, () => {
      if (isCandidate(absPath)) candidates.push(absPath);
    });
  }
  // A --changed-since scan analyses the changed files and the files that import them (whose
  // analysis can report in a changed file); a shard analyses its share of the files.
  const analysed = candidates.filter(
    (absPath) => inShard(absPath) && (!reportable || reportable.has(absPath) || importsAny(absPath, reportable)),
  );
  let analysedCount = 0;
  for (const absPath of analysed) {
    options.onProgress?.(analysedCount++, analysed.length, 'analysing');
    isolate(absPath, () => {
      const file = loadCandidate(absPath);
      if (!file) return;
      analyseFile(file, active, builder, findings, notify, budget, options.debug ?? false);
      scanned++;
    });
    // Between files, never during one: the trees an analysis holds stay those of the files it sees.
    program.touch(absPath);
    program.trimTrees(options.maxLiveTrees ?? MAX_LIVE_TREES);
  }
  options.onProgress?.(analysed.length, analysed.length, 'analysing');

  function importsAny(absPath: string, targets: ReadonlySet<string>): boolean {
    for (const target of targets) if (program.importerPathsOf(target).includes(absPath)) return true;
    return false;
  }
  // Python files are analysed one by one, after the TypeScript ones, by their own front end.
  const pythonAnalysed = pythonCandidates.filter(
    (absPath) => inShard(absPath) && (!reportable || reportable.has(absPath)),
  );
  if (pythonAnalysed.length > 0) await analysePython(pythonAnalysed);

  async function analysePython(pythonFiles: string[]): Promise<void> {
    const rules = await loadPythonRules(active);
    if (rules.length === 0) return;
    const python = new PythonProgram(srcRoot, manifestBoundary, await loadPythonParser(), identityKeys, (absPath) =>
      program.read(absPath),
    );
    const sink: AnalysisSink = { builder, findings, notify, debug: options.debug ?? false };
    try {
      for (const absPath of pythonFiles) {
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

  /** Reads one file and tests its text against the keywords (unless its path alone makes it relevant). */
  function passesPrefilter(absPath: string, keywords: string[], relevantByPath = false): boolean {
    const read = program.read(absPath);
    if (read.ok) testCode.noteRead(absPath, read.text);
    if (read.ok && !options.noPrefilter && !relevantByPath && !mentionsAny(read.text, keywords)) {
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

  /**
   * Reads and pre-filters one TypeScript/JavaScript file, registering the imports of a session-relevant
   * one. The text is not kept until the parse: on a 3M-line tree the candidates' texts were about 5 MB
   * held through the first pass, and reading a few percent of the files twice costs about 20 ms.
   */
  function isCandidate(absPath: string): boolean {
    if (!passesPrefilter(absPath, keywordUnion)) return false;
    const read = program.read(absPath);
    if (read.ok) program.registerImports(absPath, read.text);
    // A file that cannot be read keeps its (small) reason, so it is reported once, when analysed.
    if (read.ok) program.forgetRead(absPath);
    return true;
  }

  /** Parses one candidate, reporting why it cannot be analysed or what the parser had to recover from. */
  function loadCandidate(absPath: string): ParsedFile | undefined {
    return accepted(absPath, program.load(absPath));
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

  const relevant = reportable
    ? findings.filter((finding) => reportable.has(path.resolve(srcRoot, finding.location.path)))
    : findings;
  const { findings: reported, leftOut: testFindingsLeftOut } = applyTestCodePolicy(dedupe(relevant), testCode, {
    includeTests: options.includeTests ?? false,
    keptInImportedTestSupport: new Set(
      active.filter((a) => a.rule.meta.reportInImportedTestSupport).map((a) => a.rule.id),
    ),
    absPathOf: (findingPath) => path.resolve(srcRoot, findingPath),
    // Findings point into parsed files (or a manifest, which imports nothing): their text is kept.
    textOf: (absPath) => (/\.[cm]?[jt]sx?$/.test(absPath) ? (program.textOf(absPath) ?? '') : ''),
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
      filesDiscovered: files.length,
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
  if (bySeverity !== 0) return bySeverity > 0;
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

/**
 * Parsed files held at once (see `SourceProgram.trimTrees`): the file being analysed, what it imports
 * and its importers fit many times over, and memory stays flat however large the tree.
 */
const MAX_LIVE_TREES = 64;

/** How far up the import graph a --changed-since scan reads: importers, and their importers' models. */
const IMPORTER_LEVELS = 2;

interface ChangedSelection extends Discovered {
  /** The changed files in scope: only findings located in them are reported. */
  reportable: ReadonlySet<string>;
}

/**
 * The files a --changed-since scan reads, found without listing the tree: the changed files git
 * names, and the files whose text names one of them in a module specifier (`git grep`), two levels
 * up, so the changed files' importers (whose analysis can report in a changed file) and their
 * importers (whose models those inherit) are registered as in a full scan.
 */
async function changedSelection(
  targets: string[],
  srcRoot: string,
  ref: string,
  options: DiscoverOptions,
  relativePath: (absPath: string) => string,
  /** Whether the file imports one of the targets (the grep finds names, not imports). */
  importsOneOf: (file: string, targets: ReadonlySet<string>) => boolean,
): Promise<ChangedSelection> {
  const git = (args: string[], okCodes = [0]) => {
    try {
      return execFileSync('git', args, {
        cwd: srcRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 1024 * 1024 * 1024,
      });
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== undefined && okCodes.includes(status)) return '';
      throw new UsageError(`--changed-since ${ref}: git failed (${(error as Error).message.split('\n')[0]})`);
    }
  };
  const changed = new Set(
    [
      ...git(['diff', '--name-only', '--no-renames', '-z', ref, '--']).split('\0'),
      ...git(['ls-files', '--others', '--exclude-standard', '-z']).split('\0'),
    ]
      .filter((name) => name.length > 0)
      .map((name) => path.resolve(srcRoot, name)),
  );
  const reportable = await discoverFiles(targets, { ...options, within: changed }, relativePath);
  const notifications = [...reportable.notifications];
  const read = new Set(reportable.files);
  let frontier = reportable.files;
  for (let level = 0; level < IMPORTER_LEVELS && frontier.length > 0; level++) {
    const patterns = [...new Set(frontier.map(specifierPattern))].flatMap((pattern) => ['-e', pattern]);
    const pathspecs = SOURCE_EXTENSIONS.map((extension) => `*.${extension}`);
    // Exit code 1: no file matched.
    const output = git(['grep', '-l', '-z', '--untracked', '-E', ...patterns, '--', ...pathspecs], [0, 1]);
    const named = new Set(
      output
        .split('\0')
        .filter((name) => name.length > 0)
        .map((name) => path.resolve(srcRoot, name))
        .filter((file) => !read.has(file)),
    );
    const found = await discoverFiles(targets, { ...options, within: named }, relativePath);
    for (const n of found.notifications) if (!notifications.some((m) => sameNotification(m, n))) notifications.push(n);
    const imported = new Set(frontier);
    frontier = found.files.filter((file) => importsOneOf(file, imported));
    for (const file of frontier) read.add(file);
  }
  return { files: [...read].sort(), notifications, reportable: new Set(reportable.files) };
}

/**
 * A module specifier that may name the file: its name without extension (or its directory's, for
 * an index file) as the last segment of a quoted path, `'./auth'`, `"../auth.js"`, `'@/lib/auth'`.
 */
function specifierPattern(absPath: string): string {
  const stem = path.basename(absPath).replace(/\.[^.]+$/, '');
  const name = stem === 'index' ? path.basename(path.dirname(absPath)) : stem;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `['"/]${escaped}(/index)?(\\.[a-z]+)?['"]`;
}

function sameNotification(a: Notification, b: Notification): boolean {
  return a.code === b.code && a.path === b.path && a.message === b.message;
}

/**
 * `--shard k/N`: the files whose path hash (FNV-1a of the POSIX path from the source root) is k-1
 * modulo N. A path always lands in the same shard, whatever else changes in the tree.
 */
function shardFilter(shard: { index: number; count: number }, relativePath: (absPath: string) => string) {
  return (absPath: string) => pathHash(relativePath(absPath)) % shard.count === shard.index - 1;
}

function pathHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function isDirectory(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false;
  }
}
