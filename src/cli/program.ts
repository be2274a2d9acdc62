import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { applyBaseline, BaselineError, DEFAULT_BASELINE_FILE, parseBaseline } from '../baseline/baseline.js';
import { ConfigError, FORMATS, type FixateConfig, loadConfig, type ReportFormat } from '../config/load.js';
import { DEFAULT_FILE_TIME_BUDGET_MS, DEFAULT_MAX_FILE_SIZE_KB, type ScanOptions } from '../engine/options.js';
import { describeRule } from '../engine/rule-docs.js';
import type { RuleMetaDefinition } from '../rule.js';
import { SEVERITY_RANK, type BaselineEntry, type FailOn, type ScanResult } from '../types.js';
import { packageInfo } from '../version.js';
import {
  assertWritableTarget,
  type CliIo,
  shouldColor,
  shouldShowProgress,
  UsageError,
  writeFileAtomic,
} from './io.js';

export interface Reporters {
  renderText(result: ScanResult, options: { color: boolean; debug?: boolean }): string;
  renderJson(result: ScanResult): string;
  renderSarif(result: ScanResult, options: { category?: string }): string;
  renderHtml(result: ScanResult): string;
  renderGithub(result: ScanResult): string;
}

export interface SarifMerger {
  /** Shard runs' SARIF logs (parsed JSON) as the one log of a full scan; throws SarifMergeError. */
  mergeSarif(logs: readonly unknown[]): unknown;
  SarifMergeError: new (...args: never[]) => Error;
}

/**
 * The heavy parts of fixate, loaded on first use: the engine pulls in ts-morph (~450 ms), which
 * `--version`, `--help`, `rules` and `explain` must never pay for. Tests replace them to drive
 * the program in-process.
 */
export interface CliDeps {
  scan(options: ScanOptions): Promise<ScanResult>;
  ruleMetas(): Promise<readonly RuleMetaDefinition[]>;
  readRuleReadme(ruleId: string): Promise<string>;
  reporters(): Promise<Reporters>;
  sarifMerger(): Promise<SarifMerger>;
}

export const defaultDeps: CliDeps = {
  scan: async (options) => {
    const api = await import('../index.js');
    try {
      return await api.scan(options);
    } catch (error) {
      // The engine's bad-argument errors (missing path, unknown git ref) are the user's to fix.
      if (error instanceof api.UsageError) throw new UsageError(error.message);
      throw error;
    }
  },
  ruleMetas: async () => (await import('../../rules/index.js')).ruleMetas,
  readRuleReadme: async (ruleId) => (await import('../engine/rule-docs.js')).readRuleReadme(ruleId),
  reporters: () => import('../reporters/index.js'),
  sarifMerger: () => import('../reporters/sarif-merge.js'),
};

const PROGRESS_AFTER_MS = 1000;
const PROGRESS_EVERY_MS = 100;

const FAIL_ON: FailOn[] = ['error', 'warning', 'note', 'none'];

interface ScanFlags {
  format?: ReportFormat;
  output?: string;
  sarifOutput?: string;
  sarifCategory?: string;
  failOn?: FailOn;
  rule?: string[];
  disableRule?: string[];
  include?: string[];
  exclude?: string[];
  tsconfig?: string;
  maxFileSize?: number;
  fileTimeBudget?: number;
  changedSince?: string;
  shard?: { index: number; count: number };
  strict?: boolean;
  includeTests?: boolean;
  baseline?: string;
  fix?: boolean;
  fixUnsafe?: boolean;
  fixDryRun?: boolean;
  config?: string;
  color: boolean;
  quiet?: boolean;
  debug?: boolean;
}

interface RunState {
  exitCode: number;
}

/**
 * Runs fixate with user arguments (no `node` / script prefix) and returns the exit code. Never
 * throws and never touches `process`: main.ts owns that.
 */
export async function runCli(args: readonly string[], io: CliIo, deps: Partial<CliDeps> = {}): Promise<number> {
  const state: RunState = { exitCode: 0 };
  const program = createProgram(io, { ...defaultDeps, ...deps }, state);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    // commander has already printed its own message; only --help and --version exit 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr.write(`fixate: ${error.message}\n`);
      return 2;
    }
    const debug = args.includes('--debug');
    const detail = error instanceof Error ? (debug && error.stack ? error.stack : error.message) : String(error);
    io.stderr.write(`fixate: internal error: ${detail}\n`);
    if (!debug) io.stderr.write('fixate: run again with --debug for the stack trace\n');
    return 2;
  }
}

export function createProgram(io: CliIo, deps: CliDeps, state: RunState = { exitCode: 0 }): Command {
  const program = new Command('fixate');
  // Settings set before .command() are inherited by the subcommands.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    })
    .showHelpAfterError('(run fixate --help for usage)')
    // Options after a subcommand name belong to it (`fixate rules --format json`).
    .enablePositionalOptions();

  program
    .description('Find session fixation (CWE-384) and session-lifecycle weaknesses in TypeScript/JavaScript servers.')
    .version(packageInfo().version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .argument('[paths...]', 'files or directories to scan', ['.'])
    .addOption(new Option('-f, --format <format>', 'report format (default: text)').choices([...FORMATS]))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--sarif-output <file>', 'also write a SARIF report to this file')
    .option('--sarif-category <name>', 'SARIF automationDetails category, to tell several uploads apart')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 when a finding at or above this severity remains (default: error)',
      ).choices(FAIL_ON),
    );
  addScanOptions(program, (cmd) =>
    cmd
      .option('--changed-since <git-ref>', 'only report findings in files changed since this git ref')
      .option(
        '--shard <k/N>',
        'analyse only shard k of N (by path hash), still reading every file; combine with `fixate merge`',
        shardSpec,
      )
      .option('--strict', 'exit 2 when any file was skipped or not fully analysed'),
  )
    .option('--baseline <file>', 'report only findings that are not in this baseline (see `fixate baseline`)')
    .option('--fix', 'apply the safe fixes in place, then re-scan and report what remains')
    .option('--fix-unsafe', 'like --fix, and also apply fixes marked unsafe (review them)')
    .option('--fix-dry-run', 'print the fixes --fix would apply as a unified diff; write nothing')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage, configuration or internal error.',
        'Rule ids: run `fixate rules`. To scan a directory named like a command, write ./rules.',
      ].join('\n'),
    )
    .action(async (paths: string[], flags: ScanFlags) => {
      state.exitCode = await scanCommand(paths, flags, io, deps);
    });

  addScanOptions(
    program
      .command('baseline')
      .description('record the current findings, so later scans with --baseline report only new ones')
      .argument('[paths...]', 'files or directories to scan', ['.'])
      .option('-o, --output <file>', `where to write the baseline (default: ${DEFAULT_BASELINE_FILE})`),
  ).action(async (paths: string[], flags: ScanFlags) => {
    state.exitCode = await baselineCommand(paths, flags, io, deps);
  });

  program
    .command('merge')
    .description('merge the SARIF reports of `--shard k/N` runs into the report of one full scan')
    .argument('<sarif-files...>', 'the SARIF report of every shard')
    .option('-o, --output <file>', 'write the merged report to a file instead of stdout')
    .action(async (files: string[], flags: { output?: string }) => {
      const output = flags.output === undefined ? undefined : path.resolve(io.cwd, flags.output);
      if (output) assertWritableTarget(output, '--output');
      const logs = files.map((file) => readSarif(path.resolve(io.cwd, file), file));
      const merger = await deps.sarifMerger();
      let merged: unknown;
      try {
        merged = merger.mergeSarif(logs);
      } catch (error) {
        if (error instanceof merger.SarifMergeError) throw new UsageError(`merge: ${error.message}`);
        throw error;
      }
      const text = `${JSON.stringify(merged, null, 2)}\n`;
      if (output) writeFileAtomic(output, text, '--output');
      else io.stdout.write(text);
    });

  program
    .command('rules')
    .description('list the rules')
    // Accepted so scripts can pass the same output flags to every command; this output has no colour.
    .option('--no-color', 'no effect (the table is never coloured)')
    .addOption(new Option('-f, --format <format>', 'text table or JSON').choices(['text', 'json']).default('text'))
    .action(async (flags: { format: 'text' | 'json' }) => {
      const metas = sortById(await deps.ruleMetas());
      io.stdout.write(flags.format === 'json' ? rulesJson(metas) : rulesTable(metas));
    });

  program
    .command('explain')
    .description("print a rule's documentation")
    .option('--no-color', 'no effect (the documentation is never coloured)')
    .argument('<rule-id>', 'the rule to explain')
    .action(async (ruleId: string) => {
      assertKnownRuleIds(
        [ruleId],
        (await deps.ruleMetas()).map((m) => m.id),
        'rule',
      );
      const readme = await deps.readRuleReadme(ruleId);
      // Only a broken install lacks a README: the rule docs test keeps every rule documented.
      if (!readme.trim())
        throw new UsageError(`no documentation found for ${ruleId} (is rules/${ruleId}/README.md installed?)`);
      io.stdout.write(ensureNewline(readme));
    });

  program
    .command('init')
    .description('generate supporting code')
    .addArgument(new Argument('<template>', 'what to generate').choices(['dynamodb-store', 'django-dynamodb-session']))
    .option(
      '--out <file>',
      'where to write it (default: dynamodb-session-store.ts, or .js with --js; dynamodb_sessions.py for django-dynamodb-session)',
    )
    .option('--js', 'generate JavaScript instead of TypeScript (dynamodb-store)')
    .option('--force', 'overwrite an existing file')
    .action(async (template: string, flags: { out?: string; js?: boolean; force?: boolean }) => {
      /** Resolves --out (or the default), refusing a directory or, without --force, an existing file. */
      const targetOf = (defaultFile: string): { target: string; shown: string } => {
        const target = path.resolve(io.cwd, flags.out ?? defaultFile);
        const shown = displayPath(io.cwd, target);
        assertWritableTarget(target, '--out');
        if (existsSync(target) && !flags.force) {
          throw new UsageError(`${shown} already exists; pass --force to overwrite it`);
        }
        return { target, shown };
      };
      const written = (shown: string, steps: string[]) =>
        io.stderr.write([`fixate: wrote ${shown}`, 'Next steps:', ...steps, ''].join('\n'));

      if (template === 'django-dynamodb-session') {
        if (flags.js)
          throw new UsageError('--js applies to dynamodb-store only; django-dynamodb-session writes Python');
        const django = await import('../init/django-dynamodb-session.js');
        if (flags.out !== undefined && !flags.out.endsWith('.py')) {
          throw new UsageError(`--out ${flags.out} must end in .py: SESSION_ENGINE names a Python module`);
        }
        const { target, shown } = targetOf(django.DJANGO_SESSION_DEFAULT_FILE);
        const module = django.djangoModulePath(shown);
        writeFileAtomic(target, django.renderDjangoSessionBackend({ module }), '--out');
        written(shown, django.djangoSessionNextSteps(shown, module));
        return;
      }
      const store = await import('../init/dynamodb-store.js');
      // An explicit .js target means JavaScript; TypeScript written into it would not run.
      const language = flags.js || /\.[cm]?js$/.test(flags.out ?? '') ? 'js' : 'ts';
      // The default name matches the import path in the generated file's usage comment.
      const { target, shown } = targetOf(store.DYNAMODB_STORE_DEFAULT_FILE[language]);
      writeFileAtomic(target, store.renderDynamoDbStore({ language }), '--out');
      written(shown, store.dynamoDbStoreNextSteps(shown));
    });

  return program;
}

/**
 * The options that choose what is scanned and how it is reported on stderr, shared by the scan and
 * `fixate baseline`; `middle` adds the caller's own options where they belong in `--help`.
 */
function addScanOptions(cmd: Command, middle: (cmd: Command) => Command = (c) => c): Command {
  cmd
    .option('--rule <id>', 'run only this rule (repeatable, or comma-separated)', collectIds)
    .option('--disable-rule <id>', 'do not run this rule (repeatable, or comma-separated)', collectIds)
    .option('--include <glob>', 'only scan files matching this glob (repeatable)', collect)
    .option('--exclude <glob>', 'also skip files matching this glob (repeatable)', collect)
    .option('--tsconfig <path>', "use this tsconfig's include/exclude/files to pick files (extends is not followed)")
    .option(
      '--max-file-size <kb>',
      `skip files larger than this many KiB (default: ${DEFAULT_MAX_FILE_SIZE_KB})`,
      positiveNumber,
    )
    .option(
      '--file-time-budget <ms>',
      `give up on a file after this many milliseconds (default: ${DEFAULT_FILE_TIME_BUDGET_MS})`,
      positiveInteger,
    );
  return middle(cmd)
    .option('--include-tests', 'report findings in test code as notes tagged "test" (default: left out and counted)')
    .option('-c, --config <file>', 'config file (default: fixate.config.json, or "fixate" in package.json)')
    .option('--no-color', 'disable colours')
    .option('-q, --quiet', 'print nothing but the report')
    .option('--debug', 'print internal details and stack traces');
}

interface PreparedScan {
  settings: Settings;
  /** Runs the scan (with the progress display), compared with the baseline when one is set. */
  run(): Promise<ScanResult>;
  /** The scan without the baseline comparison. */
  runRaw(): Promise<ScanResult>;
}

/** Everything a scan needs that can fail before it starts: flags, config, paths, output targets. */
async function prepareScan(
  paths: string[],
  flags: ScanFlags,
  io: CliIo,
  deps: CliDeps,
  checkTargets: (settings: Settings) => void,
): Promise<PreparedScan> {
  const ruleIds = (await deps.ruleMetas()).map((m) => m.id);
  if (flags.rule) assertKnownRuleIds(flags.rule, ruleIds, '--rule');
  if (flags.disableRule) assertKnownRuleIds(flags.disableRule, ruleIds, '--disable-rule');

  const { config, warnings } = loadConfig({ cwd: io.cwd, configPath: flags.config, ruleIds });
  const settings = merge(flags, config, io.cwd);
  if (!settings.quiet) for (const warning of warnings) io.stderr.write(`fixate: warning: ${warning}\n`);

  for (const p of paths) {
    if (!existsSync(path.resolve(io.cwd, p))) throw new UsageError(`path not found: ${p}`);
  }
  if (settings.tsconfig && !isFile(settings.tsconfig)) {
    throw new UsageError(`--tsconfig ${displayPath(io.cwd, settings.tsconfig)} not found`);
  }
  checkTargets(settings);
  const baseline = settings.baseline ? readBaseline(settings.baseline, io.cwd) : undefined;

  const progress = shouldShowProgress(io.stderr, io.env, settings.quiet);
  const options: ScanOptions = {
    paths,
    cwd: io.cwd,
    rules: flags.rule,
    disableRules: flags.disableRule,
    ruleSettings: config.rules,
    include: settings.include,
    exclude: settings.exclude,
    identityKeys: config.identityKeys,
    maxFileSizeKb: settings.maxFileSize,
    fileTimeBudgetMs: settings.fileTimeBudget,
    changedSince: flags.changedSince,
    shard: flags.shard,
    tsconfig: settings.tsconfig,
    includeTests: settings.includeTests,
    debug: flags.debug,
  };
  const runRaw = async (): Promise<ScanResult> => {
    let progressShown = false;
    const now = io.now ?? (() => performance.now());
    // The terminal test sets it to 0: how long a scan takes is the machine's business.
    const progressAfterMs = Number(io.env.FIXATE_PROGRESS_AFTER_MS ?? PROGRESS_AFTER_MS);
    const started = now();
    let lastShown = Number.NEGATIVE_INFINITY;
    let lastPhase = '';
    try {
      return await deps.scan({
        ...options,
        onProgress: progress
          ? (done, total, phase) => {
              // A scan that ends within a second needs no progress; after that, a few frames a
              // second are enough to read (a frame per file would flood a slow terminal).
              const at = now();
              if (at - started < progressAfterMs) return;
              if (phase === lastPhase && done < total && at - lastShown < PROGRESS_EVERY_MS) return;
              io.stderr.write(`\rfixate: ${phase} ${done}/${total} files\x1b[K`);
              progressShown = true;
              lastShown = at;
              lastPhase = phase;
            }
          : undefined,
      });
    } finally {
      if (progressShown) io.stderr.write('\r\x1b[K');
    }
  };
  const run = async (): Promise<ScanResult> => {
    const result = await runRaw();
    if (!baseline) return result;
    // A --changed-since scan reports on changed files only, so an entry elsewhere is not "absent".
    return applyBaseline(result, baseline.entries, {
      file: baseline.shown,
      reportedOn: flags.changedSince ? () => false : undefined,
    });
  };
  return { settings, run, runRaw };
}

function readSarif(file: string, shown: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${shown} is not JSON (expected a SARIF report of fixate --shard)`);
  }
}

function readBaseline(file: string, cwd: string): { entries: BaselineEntry[]; shown: string } {
  // Relative even outside the working directory: reports never carry an absolute path.
  const shown = path.relative(cwd, file).split(path.sep).join('/');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `--baseline ${shown} not found; create it with \`fixate baseline --output ${shown}\``
        : `cannot read --baseline ${shown} (${code ?? String(error)})`,
    );
  }
  try {
    return { entries: parseBaseline(text, shown), shown };
  } catch (error) {
    if (error instanceof BaselineError) throw new UsageError(error.message);
    throw error;
  }
}

async function scanCommand(paths: string[], flags: ScanFlags, io: CliIo, deps: CliDeps): Promise<number> {
  const { settings, run } = await prepareScan(paths, flags, io, deps, (settings) => {
    if (settings.output) assertWritableTarget(settings.output, '--output');
    if (settings.sarifOutput) assertWritableTarget(settings.sarifOutput, '--sarif-output');
    if (settings.output && settings.output === settings.sarifOutput) {
      throw new UsageError('--output and --sarif-output name the same file');
    }
    // A shard sees a share of the findings: compared with a baseline, the rest would look fixed.
    if (flags.shard && settings.baseline) throw new UsageError('--shard cannot be combined with --baseline');
    if (flags.shard && (flags.fix || flags.fixUnsafe || flags.fixDryRun)) {
      throw new UsageError('--shard cannot be combined with --fix, --fix-unsafe or --fix-dry-run');
    }
  });

  let result = await run();
  const unsafe = flags.fixUnsafe === true;
  // Loaded only when asked for: fixing parses with TypeScript, which plain commands never load.
  const fixer = flags.fixDryRun || flags.fix || unsafe ? await import('./fix.js') : undefined;
  if (fixer && flags.fixDryRun) {
    const { dryRunFixes, sourceRootOf } = fixer;
    const srcRoot = sourceRootOf(result, io.cwd, paths[0] ?? '.');
    const dry = dryRunFixes(result, srcRoot, unsafe);
    io.stdout.write(dry.diff);
    if (!settings.quiet) {
      for (const r of dry.refused) io.stderr.write(`fixate: would not fix ${r.path}: ${r.reason}\n`);
      for (const b of dry.broken) io.stderr.write(`fixate: would not apply a fix that breaks the syntax of ${b}\n`);
      const later = dry.deferred > 0 ? `; ${dry.deferred} more overlap them and would follow in later passes` : '';
      io.stderr.write(
        `fixate: --fix-dry-run: ${plural(dry.fixes, 'fix', 'fixes')} in ${plural(dry.files, 'file')} would be applied${later}; nothing was written\n`,
      );
    }
    return exitCodeFor(result, settings).code;
  }
  if (fixer) {
    const { applyFixes, sourceRootOf } = fixer;
    const srcRoot = sourceRootOf(result, io.cwd, paths[0] ?? '.');
    const fixed = await applyFixes(result, srcRoot, unsafe, run);
    result = fixed.result;
    if (!settings.quiet) {
      for (const file of fixed.files) io.stderr.write(`fixate: fixed ${file}\n`);
      for (const r of fixed.refused) io.stderr.write(`fixate: not fixed ${r.path}: ${r.reason}\n`);
      for (const b of fixed.broken) io.stderr.write(`fixate: did not apply a fix that breaks the syntax of ${b}\n`);
      if (fixed.capped) io.stderr.write(`fixate: stopped after ${fixed.passes} passes with fixes still to apply\n`);
      const remaining = result.findings.filter((f) => !f.suppression).length;
      io.stderr.write(
        `fixate: applied ${plural(fixed.applied, 'fix', 'fixes')} to ${plural(fixed.files.length, 'file')}` +
          ` in ${plural(fixed.passes, 'pass', 'passes')}; ${plural(remaining, 'finding')} remain after the re-scan\n`,
      );
    }
  }

  const reporters = await deps.reporters();
  const render = (format: ReportFormat, color: boolean): string => {
    if (format === 'json') return reporters.renderJson(result);
    if (format === 'sarif') return reporters.renderSarif(result, { category: settings.sarifCategory });
    if (format === 'github') return reporters.renderGithub(result);
    if (format === 'html') return reporters.renderHtml(result);
    return reporters.renderText(result, { color, debug: flags.debug });
  };

  if (settings.output) {
    // A file is read later by tools and people outside a terminal, so it never gets escape codes.
    writeFileAtomic(settings.output, ensureNewline(render(settings.format, false)), '--output');
  } else {
    io.stdout.write(ensureNewline(render(settings.format, shouldColor(io.stdout, io.env, flags.color))));
  }
  if (settings.sarifOutput) {
    writeFileAtomic(settings.sarifOutput, ensureNewline(render('sarif', false)), '--sarif-output');
  }

  const skipped = result.notifications.filter((n) => n.skipped);
  if (!settings.quiet) {
    for (const n of skipped) {
      io.stderr.write(`fixate: skipped ${n.path ?? '(unknown file)'}: ${n.message}\n`);
      if (flags.debug && n.detail) io.stderr.write(`${n.detail}\n`);
    }
    // A text report on the console already lists these; a JSON/SARIF reader or a file would not show them.
    const reportShowsThem = settings.format === 'text' && !settings.output;
    for (const n of reportShowsThem ? [] : result.notifications.filter((n) => !n.skipped && n.level !== 'note')) {
      io.stderr.write(`fixate: ${n.level}: ${n.path ? `${n.path}: ` : ''}${n.message}\n`);
      if (flags.debug && n.detail) io.stderr.write(`${n.detail}\n`);
    }
    if (settings.output) io.stderr.write(`fixate: wrote ${displayPath(io.cwd, settings.output)}\n`);
    if (settings.sarifOutput) io.stderr.write(`fixate: wrote ${displayPath(io.cwd, settings.sarifOutput)}\n`);
    const files = result.stats.filesScanned;
    io.stderr.write(
      `fixate: scanned ${files} ${files === 1 ? 'file' : 'files'} in ${(result.durationMs / 1000).toFixed(2)}s\n`,
    );
  }

  const outcome = exitCodeFor(result, settings);
  if (outcome.strictReason) io.stderr.write(`fixate: --strict: ${outcome.strictReason}, so the scan is incomplete\n`);
  return outcome.code;
}

async function baselineCommand(paths: string[], flags: ScanFlags, io: CliIo, deps: CliDeps): Promise<number> {
  const output = path.resolve(io.cwd, flags.output ?? DEFAULT_BASELINE_FILE);
  // The baseline is recorded from the full scan: a baseline of a baseline would record nothing.
  const { settings, runRaw } = await prepareScan(paths, { ...flags, baseline: undefined }, io, deps, () =>
    assertWritableTarget(output, '--output'),
  );
  const result = await runRaw();
  const { renderBaseline } = await import('../baseline/baseline.js');
  writeFileAtomic(output, renderBaseline(result), '--output');
  if (!settings.quiet) {
    const count = result.findings.filter((f) => !f.suppression).length;
    io.stderr.write(`fixate: wrote ${displayPath(io.cwd, output)} (${plural(count, 'finding')})\n`);
  }
  return 0;
}

/**
 * The scan's exit code: 2 under `--strict` when the scan is incomplete, else 1 when an unsuppressed
 * finding is at or above `failOn`, else 0. Incomplete means a file was skipped, or an error-level
 * notification (a rule that crashed, a fix that could not be built, an engine failure) says a file
 * was not fully analysed even though it was not skipped.
 */
export function exitCodeFor(
  result: ScanResult,
  settings: { failOn: FailOn; strict: boolean },
): { code: 0 | 1 | 2; strictReason?: string } {
  if (settings.strict) {
    const skipped = result.notifications.filter((n) => n.skipped);
    const errors = result.notifications.filter((n) => !n.skipped && n.level === 'error');
    const reasons: string[] = [];
    if (skipped.length > 0) {
      reasons.push(`${skipped.length} ${skipped.length === 1 ? 'file was' : 'files were'} skipped`);
    }
    if (errors.length > 0) {
      const codes = [...new Set(errors.map((n) => n.code))].sort().join(', ');
      reasons.push(`${errors.length} analysis ${errors.length === 1 ? 'error' : 'errors'} occurred (${codes})`);
    }
    if (reasons.length > 0) return { code: 2, strictReason: reasons.join(' and ') };
  }
  return { code: countFailing(result, settings.failOn) > 0 ? 1 : 0 };
}

interface Settings {
  format: ReportFormat;
  failOn: FailOn;
  output?: string;
  sarifOutput?: string;
  sarifCategory?: string;
  include?: string[];
  exclude?: string[];
  tsconfig?: string;
  maxFileSize: number;
  fileTimeBudget: number;
  strict: boolean;
  includeTests: boolean;
  baseline?: string;
  quiet: boolean;
}

/** Flags win over the config, which wins over the defaults. Paths end up absolute. */
export function merge(flags: ScanFlags, config: FixateConfig, cwd: string): Settings {
  const fromCwd = (p: string | undefined) => (p === undefined ? undefined : path.resolve(cwd, p));
  return {
    format: flags.format ?? config.format ?? 'text',
    failOn: flags.failOn ?? config.failOn ?? 'error',
    output: fromCwd(flags.output) ?? config.output,
    sarifOutput: fromCwd(flags.sarifOutput) ?? config.sarifOutput,
    sarifCategory: flags.sarifCategory ?? config.sarifCategory,
    include: flags.include ?? config.include,
    exclude: flags.exclude ?? config.exclude,
    tsconfig: fromCwd(flags.tsconfig) ?? config.tsconfig,
    maxFileSize: flags.maxFileSize ?? config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE_KB,
    fileTimeBudget: flags.fileTimeBudget ?? config.fileTimeBudget ?? DEFAULT_FILE_TIME_BUDGET_MS,
    strict: flags.strict ?? config.strict ?? false,
    includeTests: flags.includeTests ?? config.includeTests ?? false,
    baseline: fromCwd(flags.baseline) ?? config.baseline,
    quiet: flags.quiet ?? false,
  };
}

export function countFailing(result: ScanResult, failOn: FailOn): number {
  if (failOn === 'none') return 0;
  const threshold = SEVERITY_RANK[failOn];
  return result.findings.filter((f) => !f.suppression && SEVERITY_RANK[f.severity] >= threshold).length;
}

function assertKnownRuleIds(ids: readonly string[], known: readonly string[], flag: string): void {
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length === 0) return;
  const list = unknown.map((id) => `"${id}"`).join(', ');
  throw new UsageError(
    `unknown ${flag === 'rule' ? 'rule id' : `rule id in ${flag}`} ${list}; valid ids: ${[...known].sort().join(', ')}`,
  );
}

function sortById(metas: readonly RuleMetaDefinition[]): RuleMetaDefinition[] {
  return [...metas].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function rulesTable(metas: readonly RuleMetaDefinition[]): string {
  const rows = [
    ['ID', 'SEVERITY', 'PRECISION', 'CWE', 'TITLE'],
    ...metas.map((m) => [
      m.id,
      m.meta.severity,
      m.meta.precision,
      m.meta.cwe.map((n) => `CWE-${n}`).join(','),
      m.meta.title,
    ]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

function rulesJson(metas: readonly RuleMetaDefinition[]): string {
  const rows = metas.map((definition) => {
    const { helpMarkdown: _markdown, helpText: _text, ...summary } = describeRule(definition);
    return summary;
  });
  return `${JSON.stringify(rows, null, 2)}\n`;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function collectIds(value: string, previous: string[] | undefined): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('expected a rule id.');
  return [...(previous ?? []), ...ids];
}

/** `k/N` with 1 <= k <= N. */
function shardSpec(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError('expected k/N with 1 <= k <= N, e.g. 2/4.');
  }
  return { index, count };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive number.');
  return n;
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative)
    ? relative.split(path.sep).join('/')
    : file;
}
