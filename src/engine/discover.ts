import fs, { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { Notification } from '../types.js';

export const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py}';
const SOURCE_EXTENSION = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py)$/i;

/** Python source, handled by the tree-sitter front end (src/languages/python). */
export const PYTHON_EXTENSION = /\.py$/i;

/**
 * Never scanned: dependencies, build output, coverage, framework caches, vendored code, declaration
 * files and bundles. Findings there are either not the user's code or duplicates of their sources.
 */
export const DEFAULT_EXCLUDES = [
  '**/node_modules/**',
  '**/.git/**',
  '**/dist/**',
  '**/build/**',
  '**/out/**',
  '**/coverage/**',
  '**/.next/**',
  '**/.nuxt/**',
  '**/.turbo/**',
  '**/.cache/**',
  '**/vendor/**',
  '**/*.min.js',
  '**/*.min.mjs',
  '**/*.bundle.js',
  '**/*.chunk.js',
  '**/*.d.ts',
  '**/*.d.mts',
  '**/*.d.cts',
  // Python: installed packages and virtual environments (`.venv` is a dot directory, never listed),
  // bytecode caches, Django migrations (generated schema changes, no request or session code) and
  // `.py` files under template directories (Django's startproject/startapp templates and
  // cookiecutter skeletons hold placeholders such as `{{ project_name }}`, not Python).
  '**/site-packages/**',
  '**/venv/**',
  '**/__pycache__/**',
  '**/migrations/**/*.py',
  '**/templates/**/*.py',
  '**/project_template/**/*.py',
  '**/app_template/**/*.py',
];

export class UsageError extends Error {}

export interface DiscoverOptions {
  include?: string[];
  exclude?: string[];
  /** The file selection of an explicit `--tsconfig`, see `TsconfigScope`. */
  tsconfig?: TsconfigScope;
}

/**
 * The `include`, `exclude` and `files` of an explicit tsconfig, as globs relative to its directory.
 * They apply to each scanned directory that is the tsconfig's directory or contains it (rebased onto
 * it); any other scanned path is scanned as without the tsconfig. Without `--include`, `include` and
 * `files` replace the default source glob; `exclude` is added to the excludes either way. fixate's
 * default excludes, `.gitignore` and its own source extensions still apply, to `files` entries too.
 */
export interface TsconfigScope {
  /** Absolute directory of the tsconfig. */
  dir: string;
  /** As tsconfig reads them: a last segment without `.`, `*` or `?` is a directory (`src` is `src/**\/*`). */
  include: string[];
  /** Each pattern also excludes everything under it, as in a tsconfig. */
  exclude: string[];
  /** Literal paths; an entry that does not exist is ignored. */
  files: string[];
}

export interface Discovered {
  files: string[];
  notifications: Notification[];
}

/**
 * Lists the source files under the given paths. Honours nested `.gitignore` files, the default
 * excludes and `--exclude`; never follows a symlink (a symlinked file inside the root is scanned under
 * its real path if that path is in scope, and a link out of the root is never read). Directories that
 * cannot be read are reported, not fatal.
 */
export async function discoverFiles(
  absPaths: string[],
  options: DiscoverOptions,
  relativePath: (absPath: string) => string,
): Promise<Discovered> {
  const files = new Set<string>();
  const notifications: Notification[] = [];
  for (const target of absPaths) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(target);
    } catch {
      throw new UsageError(`path does not exist: ${target}`);
    }
    if (stat.isSymbolicLink()) {
      notifications.push(symlinkNotification(relativePath(target), false));
      continue;
    }
    if (stat.isFile()) {
      if (SOURCE_EXTENSION.test(target)) files.add(target);
      continue;
    }
    const scope = options.tsconfig ? tsconfigPatterns(options.tsconfig, target) : undefined;
    if (options.tsconfig && !scope) notifications.push(tsconfigNotApplied(options.tsconfig, target, relativePath));
    const include = options.include && options.include.length > 0 ? options.include : undefined;
    const patterns = include ?? (scope ? [...scope.include, ...scope.files] : [SOURCE_GLOB]);
    const ignore = [
      ...DEFAULT_EXCLUDES,
      ...(options.exclude ?? []),
      ...(scope?.exclude ?? []),
      ...gitignoreGlobs(target),
    ];
    const entries = await fg(patterns, {
      cwd: target,
      ignore,
      // Not onlyFiles: that would drop symbolic links silently, and a skipped link must be named.
      onlyFiles: false,
      followSymbolicLinks: false,
      dot: false,
      absolute: true,
      objectMode: true,
      fs: tolerantFs(target, notifications, relativePath),
    });
    for (const entry of entries) {
      if (!SOURCE_EXTENSION.test(entry.path)) continue;
      const absPath = path.resolve(entry.path);
      if (entry.dirent.isSymbolicLink()) {
        notifications.push(symlinkNotification(relativePath(absPath), linkStaysInside(absPath, absPaths)));
        continue;
      }
      // Directories named like sources (`routes.ts/`), FIFOs, sockets and devices are never read.
      if (entry.dirent.isFile()) files.add(absPath);
    }
  }
  return { files: [...files].sort(), notifications };
}

/**
 * The tsconfig's patterns rebased onto `target`, or undefined when `target` is neither the tsconfig's
 * directory nor contains it. Patterns that would reach outside `target` are dropped, so a tsconfig
 * can never widen the scan beyond the paths given.
 */
function tsconfigPatterns(scope: TsconfigScope, target: string): TsconfigScope | undefined {
  const relative = path.relative(target, scope.dir);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const prefix = relative.split(path.sep).join('/');
  const rebase = (patterns: string[]) =>
    patterns
      .map((pattern) => path.posix.normalize(prefix ? `${prefix}/${pattern}` : pattern))
      .filter((pattern) => pattern !== '.' && pattern !== '..' && !pattern.startsWith('../'));
  return {
    dir: target,
    include: rebase(scope.include),
    exclude: rebase(scope.exclude),
    files: rebase(scope.files.map((file) => fg.escapePath(file))),
  };
}

function tsconfigNotApplied(scope: TsconfigScope, target: string, relativePath: (absPath: string) => string) {
  const shownTarget = relativePath(target) || '.';
  const shownDir = relativePath(scope.dir) || '.';
  return {
    level: 'note',
    code: 'tsconfig-not-applied',
    message: `--tsconfig applies only to scanned directories that are its directory (${shownDir}) or contain it; ${shownTarget} was scanned without its include/exclude/files`,
    path: shownTarget,
    skipped: false,
  } satisfies Notification;
}

/**
 * A link to a file inside the scanned paths loses nothing (the file is scanned under its real path
 * when it is in scope); a link out of them, a dangling link or a loop is a file left unscanned.
 */
function symlinkNotification(relative: string, staysInside: boolean): Notification {
  return {
    level: 'note',
    code: 'symlink',
    message: staysInside
      ? `${relative} is a symbolic link and was not followed (its target is inside the scanned paths)`
      : `${relative} is a symbolic link out of the scanned paths, dangling or looping, and was not followed`,
    path: relative,
    skipped: !staysInside,
  };
}

function linkStaysInside(link: string, roots: string[]): boolean {
  let real: string;
  try {
    real = fs.realpathSync(link);
  } catch {
    return false;
  }
  return roots.some((root) => {
    let realRoot = root;
    try {
      realRoot = fs.realpathSync(root);
    } catch {
      // Compare with the path as given.
    }
    const relative = path.relative(realRoot, real);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  });
}

/** A readdir that reports unreadable or vanished directories and carries on. */
function tolerantFs(root: string, notifications: Notification[], relativePath: (absPath: string) => string) {
  const readdir = ((dir: string, options: unknown, callback: (error: Error | null, entries: unknown[]) => void) => {
    fs.readdir(dir, options as { withFileTypes: true }, (error, entries) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const relative = relativePath(dir) || '.';
        notifications.push({
          level: 'warning',
          code: 'unreadable',
          message: `directory ${relative} could not be read (${code ?? error.message}); files under it were not scanned`,
          path: relative,
          skipped: true,
        });
        callback(null, []);
        return;
      }
      callback(null, entries);
    });
  }) as unknown as typeof fs.readdir;
  void root;
  return { readdir };
}

/**
 * Translates the `.gitignore` files at and below `root` into fast-glob ignore patterns. Negations
 * (`!pattern`) are not supported and are skipped: files they would re-include stay excluded, which errs
 * towards scanning less generated code, never towards reading outside the tree.
 */
function gitignoreGlobs(root: string): string[] {
  const ignoreFiles = fg.sync('**/.gitignore', {
    cwd: root,
    ignore: ['**/node_modules/**', '**/.git/**'],
    dot: true,
    followSymbolicLinks: false,
    suppressErrors: true,
  });
  const globs: string[] = [];
  for (const ignoreFile of ignoreFiles) {
    let text: string;
    try {
      text = readFileSync(path.join(root, ignoreFile), 'utf8');
    } catch {
      continue;
    }
    const base = path.posix.dirname(ignoreFile);
    const prefix = base === '.' ? '' : `${base}/`;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
      const directoryOnly = line.endsWith('/');
      let pattern = directoryOnly ? line.slice(0, -1) : line;
      const anchored = pattern.startsWith('/') || pattern.slice(0, -1).includes('/');
      pattern = pattern.replace(/^\//, '');
      const full = anchored ? `${prefix}${pattern}` : `${prefix}**/${pattern}`;
      globs.push(`${full}/**`);
      if (!directoryOnly) globs.push(full);
    }
  }
  return globs;
}
