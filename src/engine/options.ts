import type { Severity } from '../types.js';

export type RuleSetting = Severity | 'off';

export type ScanPhase = 'reading' | 'analysing';

export interface ScanOptions {
  /** Files or directories to scan, absolute or relative to `cwd`. */
  paths: string[];
  cwd: string;
  /** Only these rule ids (all enabled rules when absent). */
  rules?: string[];
  disableRules?: string[];
  /** Per-rule overrides from config: a severity, or 'off'. */
  ruleSettings?: Record<string, RuleSetting>;
  /** Globs (relative to each scanned directory) that a file must match, when given. */
  include?: string[];
  /** Globs added to the default excludes. */
  exclude?: string[];
  /** Extra session keys that carry identity or privilege (config `identityKeys`). */
  identityKeys?: string[];
  /** Files larger than this are skipped with a notification. Default 1024 KiB. */
  maxFileSizeKb?: number;
  /** A file whose analysis takes longer than this is abandoned with a notification. Default 5000 ms. */
  fileTimeBudgetMs?: number;
  /** Only report findings in files changed since this git ref (other files are still read for cross-file facts). */
  changedSince?: string;
  /**
   * Explicit tsconfig (must exist), read as JSONC for its own `include`, `exclude` and `files` only:
   * `extends` is not followed and compiler options are not used. They pick the files in each scanned
   * directory that is the tsconfig's directory or contains it (see `TsconfigScope` in discover.ts).
   * A tsconfig that is not valid JSON is ignored with a warning notification.
   */
  tsconfig?: string;
  /**
   * The directory above which no package.json or lockfile is read (default: the git top-level, else
   * the scan root). The fixture harness sets it to each fixture project, so fixate's own manifest is
   * never taken for a fixture's.
   */
  manifestBoundary?: string;
  /**
   * Report findings in test code (see `src/engine/test-code.ts`) as notes marked `testCode`, instead
   * of leaving them out and counting them in `stats.testFindingsLeftOut`.
   */
  includeTests?: boolean;
  /** Parse every discovered file even when the keyword pre-filter says it cannot matter (for tests and benchmarks). */
  noPrefilter?: boolean;
  /** Walk with fixate's own `.gitignore` matcher instead of asking git for the files (for tests and benchmarks). */
  noGitDiscovery?: boolean;
  /**
   * Parsed files held between files, least recently used dropped first (default 64; `Infinity` keeps
   * every tree for the whole scan, 1 drops each as soon as its analysis is done). For tests and benchmarks.
   */
  maxLiveTrees?: number;
  /**
   * Analyse only the files whose path hash falls in shard `index` of `count` (1-based), while still
   * reading every file for cross-file facts. Merging the SARIF of all shards gives the full scan's.
   */
  shard?: { index: number; count: number };
  debug?: boolean;
  /**
   * Called for a progress display, in two phases: just before each discovered file is read
   * (`reading`: pre-filter and parse), then just before each session-relevant file is analysed
   * (`analysing`, counted over those files only).
   */
  onProgress?: (done: number, total: number, phase: ScanPhase) => void;
}

export const DEFAULT_MAX_FILE_SIZE_KB = 1024;
export const DEFAULT_FILE_TIME_BUDGET_MS = 5000;
