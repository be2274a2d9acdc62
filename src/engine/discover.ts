import { execFileSync } from 'node:child_process';
import fs, { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { Notification } from '../types.js';
import { type IgnoreLevel, isIgnored, parseGitignore } from './gitignore.js';

/**
 * The file extensions fixate scans, without the dot: the one list discovery reads (the source glob,
 * the extension test and `--changed-since` all derive from it). A new language is added here.
 */
export const SOURCE_EXTENSIONS: readonly string[] = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'py'];

export const SOURCE_GLOB = `**/*.{${SOURCE_EXTENSIONS.join(',')}}`;
const SOURCE_EXTENSION = new RegExp(`\\.(${SOURCE_EXTENSIONS.join('|')})$`, 'i');

export function isSourcePath(file: string): boolean {
  return SOURCE_EXTENSION.test(file);
}

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

/** The default exclude of installed dependencies, which discovery applies per directory (see `isInstalledDependencies`). */
const NODE_MODULES_EXCLUDE = '**/node_modules/**';

/**
 * Files a package manager writes into the `node_modules` it installs (npm 7+, yarn 1, yarn berry with
 * the node-modules linker, pnpm) and the `.bin` directory of every install with a binary.
 */
const INSTALL_MARKERS = ['.package-lock.json', '.yarn-integrity', '.yarn-state.yml', '.modules.yaml', '.pnpm', '.bin'];

/**
 * Whether `dir/node_modules` holds installed dependencies. Every install sits beside the package.json
 * it was installed from, and package managers leave their own files in it; a `node_modules` with
 * neither is the project's own source, kept there so that Node resolves its packages by name
 * (Node-RED's `packages/node_modules/@node-red/…`, where nearly all of its code lives).
 */
function isInstalledDependencies(dir: string, nodeModules: string): boolean {
  if (fs.existsSync(path.join(dir, 'package.json'))) return true;
  return INSTALL_MARKERS.some((marker) => fs.existsSync(path.join(nodeModules, marker)));
}

/**
 * Drops installed `node_modules` directories from a directory's entries; those kept as source are
 * added to `kept`, so the scan can say it read them.
 */
function withoutInstalledDependencies(filter: EntryFilter, kept: string[]): EntryFilter {
  return (dir, entries) =>
    filter(dir, entries).filter((entry) => {
      if (entry.name !== 'node_modules') return true;
      const absPath = childPath(dir, entry.name);
      // A link named node_modules is always an install (pnpm, workspaces tooling).
      if (!entry.isDirectory() || isInstalledDependencies(dir, absPath)) return false;
      kept.push(absPath);
      return true;
    });
}

/** One note for the `node_modules` directories scanned as source, the first few named. */
function nodeModulesSourceNote(kept: string[], relativePath: (absPath: string) => string): Notification {
  const shown = kept.map((absPath) => relativePath(absPath)).sort();
  const named = shown.length > 3 ? `${shown.slice(0, 3).join(', ')} and ${shown.length - 3} more` : shown.join(', ');
  return {
    level: 'note',
    code: 'node-modules-source',
    message: `${shown.length === 1 ? 'a node_modules directory was' : `${shown.length} node_modules directories were`} scanned as source code, having no package.json beside them and no package manager's files in them as installed dependencies do: ${named} (leave one out with --exclude '<dir>/**')`,
    path: shown[0],
    skipped: false,
  };
}

export class UsageError extends Error {}

export interface DiscoverOptions {
  include?: string[];
  exclude?: string[];
  /** The file selection of an explicit `--tsconfig`, see `TsconfigScope`. */
  tsconfig?: TsconfigScope;
  /**
   * Only these absolute paths can be discovered, and only their ancestor directories are read: a
   * `--changed-since` scan lists what git named, never the whole tree. The set comes from git, which
   * has applied the ignore files already, so `.gitignore` is not evaluated again.
   */
  within?: ReadonlySet<string>;
  /** Ask git for the files of a work tree (default); false walks with the `.gitignore` matcher only. */
  useGit?: boolean;
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
 * Lists the source files under the given paths. Honours `.gitignore` with git's semantics, the
 * default excludes and `--exclude`; never follows a symlink (a symlinked file inside the root is
 * scanned under its real path if that path is in scope, and a link out of the root is never read).
 * Directories that cannot be read are reported, not fatal.
 *
 * Which entries `.gitignore` leaves is decided while walking, per directory: inside a git work tree
 * by git's own listing (`git ls-files -co --exclude-standard`, which also applies
 * `.git/info/exclude` and the user's global excludes, and keeps tracked files that a pattern would
 * ignore, as git does), elsewhere by each `.gitignore`'s patterns below its own directory. Ignored
 * directories are never entered.
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
      if (isSourcePath(target) && (!options.within || options.within.has(target))) files.add(target);
      continue;
    }
    const scope = options.tsconfig ? tsconfigPatterns(options.tsconfig, target) : undefined;
    if (options.tsconfig && !scope) notifications.push(tsconfigNotApplied(options.tsconfig, target, relativePath));
    const include = options.include && options.include.length > 0 ? options.include : undefined;
    const patterns = include ?? (scope ? [...scope.include, ...scope.files] : [SOURCE_GLOB]);
    // An `--include` that names node_modules asks for files there: no node_modules is left out. Otherwise
    // installed dependencies are, directory by directory (see isInstalledDependencies).
    const namesNodeModules = include?.some((pattern) => /(^|\/)node_modules(\/|$)/.test(pattern)) ?? false;
    const defaults = DEFAULT_EXCLUDES.filter((pattern) => pattern !== NODE_MODULES_EXCLUDE);
    const ignore = [...defaults, ...(options.exclude ?? []), ...(scope?.exclude ?? [])];
    const listing = options.within
      ? listedEntries(target, options.within)
      : (((options.useGit ?? true) ? gitEntries(target) : undefined) ?? gitignoreEntries(target));
    const sourceNodeModules: string[] = [];
    const filter = namesNodeModules ? listing : withoutInstalledDependencies(listing, sourceNodeModules);
    const entries = await fg(patterns, {
      cwd: target,
      ignore,
      // Not onlyFiles: that would drop symbolic links silently, and a skipped link must be named.
      onlyFiles: false,
      followSymbolicLinks: false,
      dot: false,
      absolute: true,
      objectMode: true,
      fs: filteringFs(filter, notifications, relativePath),
    });
    for (const entry of entries) {
      if (!isSourcePath(entry.path)) continue;
      // fast-glob resolves absolute entries itself (and turns separators to `/`, hence the resolve on Windows).
      const absPath = path.sep === '/' ? entry.path : path.resolve(entry.path);
      if (entry.dirent.isSymbolicLink()) {
        notifications.push(symlinkNotification(relativePath(absPath), linkStaysInside(absPath, absPaths)));
        continue;
      }
      // Directories named like sources (`routes.ts/`), FIFOs, sockets and devices are never read.
      if (entry.dirent.isFile()) files.add(absPath);
    }
    if (sourceNodeModules.length > 0) notifications.push(nodeModulesSourceNote(sourceNodeModules, relativePath));
  }
  return { files: [...files].sort(), notifications };
}

/** Keeps the entries of one directory that are not ignored (`dir` is absolute). */
type EntryFilter = (dir: string, entries: fs.Dirent[]) => fs.Dirent[];

/**
 * Entries that are, or lead to, one of the given absolute paths. A listed path that is a directory is
 * a git submodule (git lists its commit, not its files): it is walked with its own `.gitignore`
 * files, as it would be on its own.
 */
function listedEntries(root: string, listed: Iterable<string>, submodules = false): EntryFilter {
  const files = new Set<string>();
  const directories = new Set<string>([root]);
  const rootPrefix = childPath(root, '');
  for (const file of listed) {
    if (!file.startsWith(rootPrefix) || file.length === rootPrefix.length) continue;
    files.add(file);
    for (let dir = parentOf(file); dir.length > root.length && !directories.has(dir); dir = parentOf(dir)) {
      directories.add(dir);
    }
  }
  const nested = new Map<string, EntryFilter>();
  return (dir, entries) => {
    for (const [top, filter] of nested) {
      if (dir === top || dir.startsWith(top + path.sep)) return filter(dir, entries);
    }
    if (!directories.has(dir)) return [];
    return entries.filter((entry) => {
      const absPath = childPath(dir, entry.name);
      if (!entry.isDirectory()) return files.has(absPath);
      if (submodules && files.has(absPath)) nested.set(absPath, gitignoreEntries(absPath, false));
      return directories.has(absPath) || nested.has(absPath);
    });
  };
}

/**
 * git's listing of the work tree below `root` (tracked, and untracked but not ignored), or undefined
 * outside a work tree, without git, or when git lists nothing there. Untracked `node_modules` are left out by git already: listing
 * them would cost more than the whole scan.
 */
function gitEntries(root: string): EntryFilter | undefined {
  let output: string;
  try {
    output = execFileSync(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--exclude=node_modules/'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1024 * 1024 * 1024 },
    );
  } catch {
    return undefined;
  }
  const listed = output
    .split('\0')
    .filter((name) => name.length > 0)
    .map((name) => childPath(root, path.sep === '/' ? name : path.normalize(name)));
  // Nothing listed: the directory named on the command line is itself ignored (`fixate generated/`).
  // Asked for by name, it is scanned, with the `.gitignore` files inside it, as the walker does.
  if (listed.length === 0) return undefined;
  return listedEntries(root, listed, true);
}

/**
 * The walker's own `.gitignore` evaluation, for trees git cannot list; `fromAbove` also applies the
 * `.gitignore` files between `root` and the top of its work tree (not for a submodule's own tree).
 */
function gitignoreEntries(root: string, fromAbove = true): EntryFilter {
  const levelsByDir = new Map<string, IgnoreLevel[]>();
  const ignoredDirs = new Map<string, boolean>();
  const ownLevel = (dir: string): IgnoreLevel[] => {
    let text: string;
    try {
      text = readFileSync(path.join(dir, '.gitignore'), 'utf8');
    } catch {
      return [];
    }
    const rules = parseGitignore(text);
    return rules.length > 0 ? [{ base: dir, rules }] : [];
  };
  // `.gitignore` files above the root count up to the top of the work tree, as they do for git.
  const above: IgnoreLevel[] = [];
  for (let dir = path.dirname(root); fromAbove; dir = path.dirname(dir)) {
    if (!fs.existsSync(path.join(dir, '.git'))) {
      if (path.dirname(dir) === dir) {
        above.length = 0;
        break;
      }
      above.unshift(...ownLevel(dir));
      continue;
    }
    above.unshift(...ownLevel(dir));
    break;
  }
  const levelsOf = (dir: string): IgnoreLevel[] => {
    let levels = levelsByDir.get(dir);
    if (!levels) {
      const parent = dir === root ? above : levelsOf(path.dirname(dir));
      levels = [...parent, ...ownLevel(dir)];
      levelsByDir.set(dir, levels);
    }
    return levels;
  };
  // A directory fast-glob starts in (the base of an `--include` glob) was never offered as an entry.
  const isIgnoredDir = (dir: string): boolean => {
    if (dir === root || dir.length < root.length) return false;
    let ignored = ignoredDirs.get(dir);
    if (ignored === undefined) {
      const parent = path.dirname(dir);
      ignored = isIgnoredDir(parent) || isIgnored(levelsOf(parent), dir, true);
      ignoredDirs.set(dir, ignored);
    }
    return ignored;
  };
  return (dir, entries) => {
    if (isIgnoredDir(dir)) return [];
    const levels = levelsOf(dir);
    if (levels.length === 0) return entries;
    return entries.filter((entry) => !isIgnored(levels, childPath(dir, entry.name), entry.isDirectory()));
  };
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

/**
 * `path.join(dir, name)` for an absolute, normalised `dir` and a plain entry name, without
 * re-normalising: discovery builds one such path per entry of the tree.
 */
function childPath(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

/** `path.dirname` of an absolute, normalised path below the file system root. */
function parentOf(file: string): string {
  const at = file.lastIndexOf(path.sep);
  return at <= 0 ? file.slice(0, at + 1) : file.slice(0, at);
}

/** A readdir that applies the ignore filter, and reports unreadable or vanished directories and carries on. */
function filteringFs(filter: EntryFilter, notifications: Notification[], relativePath: (absPath: string) => string) {
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
      callback(null, filter(path.resolve(dir), entries));
    });
  }) as unknown as typeof fs.readdir;
  return { readdir };
}
