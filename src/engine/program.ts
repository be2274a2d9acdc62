import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ts } from '#typescript';
import { importedModulesInText, isRelativeSpecifier } from '../analysis/imports.js';
import type { Model } from '../models/model.js';
import { type FileProgram, ParsedFile } from './file-context.js';
import { isInside, type ProjectFacts } from './project-facts.js';
import { LruMap } from './lru.js';
import { readSource, type SourceReadResult } from './read-source.js';

export type LoadResult =
  | { ok: true; file: ParsedFile; syntaxErrors: number; decodedAsLatin1: boolean }
  | { ok: false; code: string; reason: string };

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/**
 * The set of parsed files of one scan. Files are parsed on first use, so a module that is only
 * imported by a candidate file is parsed when (and only when) an analysis follows the import.
 * Parsing is syntax-only: no lib files, no type checker, no node_modules — a fresh clone scans fully.
 *
 * Memory is bounded: at most `maxTrees` parsed files are held (see `trimTrees`), the least recently
 * used are dropped between files, and a dropped file is read and parsed again on its next use. What
 * cross-file analysis needs without a tree (who imports whom, which files parse) is kept for the scan;
 * the texts of dropped files are not (with the snippets that kept other texts alive, about 15 MB of the
 * live heap at the end of a 3M-line scan).
 */
export class SourceProgram implements FileProgram {
  /** Parsed files, least recently used first. */
  private readonly live = new Map<string, LoadResult & { ok: true }>();
  /** Files that could not be loaded; small, and kept so the reason is given once. */
  private readonly failed = new Map<string, LoadResult & { ok: false }>();
  /**
   * What is kept of files parsed once and dropped since: their parse notes and a digest of the text
   * that parsed, not the text itself.
   */
  private readonly dropped = new Map<string, { syntaxErrors: number; decodedAsLatin1: boolean; digest: string }>();
  private readonly reads = new Map<string, SourceReadResult>();
  private readonly realBoundary: string;
  private readonly importersByPath = new Map<string, string[]>();
  private readonly resolvedModules = new Map<string, string | undefined>();
  /** Texts of files read without parsing (see `textOf`). */
  private readonly importedTexts = new LruMap<string, string | undefined>(MAX_IMPORTED_TEXTS);
  /** The distinct keywords of all models, lower-cased, for `ParsedFile.models`. */
  readonly keywords: readonly string[];
  /** `compilerOptions.paths` of the nearest tsconfig.json per directory (null: none). */
  private readonly aliasesByDirectory = new Map<string, PathAliases | null>();

  constructor(
    readonly srcRoot: string,
    readonly boundary: string,
    readonly facts: ProjectFacts,
    readonly models: Model[],
    readonly identityKeys: ReadonlySet<string>,
    private readonly maxBytes: number,
  ) {
    this.realBoundary = safeRealpath(boundary) ?? boundary;
    this.keywords = [...new Set(models.flatMap((model) => model.keywords.map((keyword) => keyword.toLowerCase())))];
  }

  load(absPath: string): LoadResult {
    const cached = this.live.get(absPath) ?? this.failed.get(absPath);
    if (cached) return cached;
    const dropped = this.dropped.get(absPath);
    if (dropped) {
      this.dropped.delete(absPath);
      const reread = readSource(absPath, this.maxBytes);
      // The same text parsed before, so its tree is built only if the analysis walks it (most
      // importers are only asked what they import). A file changed on disk since is a new file, and
      // goes through the parser's guards below.
      if (reread.ok && digestOf(reread.text) === dropped.digest) {
        const file = new ParsedFile(absPath, this.relative(absPath), reread.text, undefined, this);
        const { syntaxErrors, decodedAsLatin1 } = dropped;
        const again = { ok: true as const, file, syntaxErrors, decodedAsLatin1 };
        this.live.set(absPath, again);
        return again;
      }
      this.reads.set(absPath, reread);
    }
    const result = this.parse(absPath);
    if (result.ok) this.live.set(absPath, result);
    else this.failed.set(absPath, result);
    return result;
  }

  get(absPath: string): ParsedFile | undefined {
    const live = this.live.get(absPath);
    if (live) return live.file;
    const result = this.load(absPath);
    return result.ok ? result.file : undefined;
  }

  /** Files held parsed (for memory accounting in --debug). */
  get parsedCount(): number {
    return this.live.size;
  }

  /**
   * Drops the least recently loaded files beyond `maxTrees`. Called between files, never during
   * one file's analysis, so the nodes an analysis holds always belong to the files it sees. A dropped
   * file's next use builds a new `ParsedFile`, so per-file caches (keyed by file or node) start afresh
   * and nothing keeps the old tree alive.
   */
  trimTrees(maxTrees: number): void {
    for (const [absPath, result] of this.live) {
      if (this.live.size <= maxTrees) break;
      this.live.delete(absPath);
      const { file, syntaxErrors, decodedAsLatin1 } = result;
      this.dropped.set(absPath, { syntaxErrors, decodedAsLatin1, digest: digestOf(file.text) });
    }
  }

  /** Marks a file as just used, so `trimTrees` drops it last. */
  touch(absPath: string): void {
    const live = this.live.get(absPath);
    if (!live) return;
    this.live.delete(absPath);
    this.live.set(absPath, live);
  }

  /** The syntax tree of a file whose `ParsedFile` was made without one (see `get`). */
  parseTree(file: ParsedFile): ts.SourceFile {
    return ts.createSourceFile(file.absPath, file.text, ts.ScriptTarget.Latest, true, scriptKindOf(file.absPath));
  }

  private relative(absPath: string): string {
    return path.relative(this.srcRoot, absPath).split(path.sep).join('/');
  }

  resolveImport(from: ParsedFile, specifier: string): ParsedFile | undefined {
    const resolved = this.resolveModulePath(from.absPath, specifier);
    return resolved ? this.get(resolved) : undefined;
  }

  /** The file a relative import specifier names, without reading it; undefined for packages and outside files. */
  resolveModulePath(fromAbsPath: string, specifier: string): string | undefined {
    // Callers read the specifier off the syntax tree; in broken code (`import * as x from y`) it is no string.
    if (typeof specifier !== 'string') return undefined;
    // Every file of a directory imports the same packages and siblings: resolve each pair once (each
    // resolution probes up to ~20 candidate paths on disk).
    const key = `${path.dirname(fromAbsPath)}\u0000${specifier}`;
    if (this.resolvedModules.has(key)) return this.resolvedModules.get(key);
    const resolved = isRelativeSpecifier(specifier)
      ? this.resolveLocal(path.resolve(path.dirname(fromAbsPath), specifier))
      : this.resolveAlias(fromAbsPath, specifier);
    this.resolvedModules.set(key, resolved);
    return resolved;
  }

  /**
   * `@/lib/db` through the `compilerOptions.paths` of the nearest tsconfig.json (Next.js and Vite
   * projects import their own modules this way). No `extends`; a package name is never a local file.
   */
  private resolveAlias(fromAbsPath: string, specifier: string): string | undefined {
    const aliases = this.aliasesFor(path.dirname(fromAbsPath));
    if (!aliases) return undefined;
    for (const [pattern, targets] of aliases.paths) {
      const star = pattern.indexOf('*');
      const prefix = star < 0 ? pattern : pattern.slice(0, star);
      const suffix = star < 0 ? '' : pattern.slice(star + 1);
      const matches = star < 0 ? specifier === pattern : specifier.startsWith(prefix) && specifier.endsWith(suffix);
      if (!matches) continue;
      const captured = star < 0 ? '' : specifier.slice(prefix.length, specifier.length - suffix.length);
      for (const target of targets) {
        const resolved = this.resolveLocal(path.resolve(aliases.base, target.replace('*', captured)));
        if (resolved) return resolved;
      }
    }
    return undefined;
  }

  private aliasesFor(directory: string): PathAliases | undefined {
    const cached = this.aliasesByDirectory.get(directory);
    if (cached !== undefined) return cached ?? undefined;
    let found: PathAliases | null = null;
    const config = path.join(directory, 'tsconfig.json');
    if (isRegularFile(config)) found = readPathAliases(config);
    else if (isInside(this.boundary, path.dirname(directory)) && path.dirname(directory) !== directory) {
      found = this.aliasesFor(path.dirname(directory)) ?? null;
    }
    this.aliasesByDirectory.set(directory, found);
    return found ?? undefined;
  }

  private resolveLocal(base: string): string | undefined {
    for (const candidate of candidatePaths(base)) {
      if (!isRegularFile(candidate)) continue;
      // Never follow an import (or a symlink) out of the project.
      const real = safeRealpath(candidate);
      if (!real || !isInside(this.realBoundary, real)) return undefined;
      return candidate;
    }
    return undefined;
  }

  /**
   * Records which local files `file` imports (resolved on disk, not parsed), so that a file can learn
   * who imports it: the models its importers use, the arguments they pass to its exported functions.
   * The engine registers every file it analyses before analysing any, so the answer does not depend
   * on the order of the walk.
   */
  registerImports(absPath: string, text: string): void {
    for (const specifier of importedModulesInText(text)) {
      const target = this.resolveModulePath(absPath, specifier);
      if (!target) continue;
      const list = this.importersByPath.get(target) ?? [];
      if (!list.includes(absPath)) list.push(absPath);
      this.importersByPath.set(target, list);
    }
  }

  /** The registered files that import this path, parsed or not. */
  importerPathsOf(absPath: string): readonly string[] {
    return this.importersByPath.get(absPath) ?? [];
  }

  /** Registered files that import this one through a relative specifier, and parse. */
  importersOf(file: ParsedFile): ParsedFile[] {
    const importers: ParsedFile[] = [];
    for (const importer of this.importersByPath.get(file.absPath) ?? []) {
      const parsed = this.get(importer);
      if (parsed) importers.push(parsed);
    }
    return importers;
  }

  /** Reads (once) without parsing, so the pre-filter and the parser share one read. */
  read(absPath: string): SourceReadResult {
    let read = this.reads.get(absPath);
    if (!read) {
      read = readSource(absPath, this.maxBytes);
      this.reads.set(absPath, read);
    }
    return read;
  }

  /**
   * A file's text without parsing it: the parsed file's text when parsed, else read and kept as text
   * only (a module imported by many files is asked about by each of them; its text costs far less
   * than a syntax tree), among the `MAX_IMPORTED_TEXTS` most recently asked.
   */
  textOf(absPath: string): string | undefined {
    const loaded = this.live.get(absPath) ?? this.failed.get(absPath);
    if (loaded) return loaded.ok ? loaded.file.text : undefined;
    if (this.importedTexts.has(absPath)) return this.importedTexts.get(absPath);
    const read = this.reads.get(absPath) ?? readSource(absPath, this.maxBytes);
    const text = read.ok ? read.text : undefined;
    this.importedTexts.set(absPath, text);
    return text;
  }

  forgetRead(absPath: string): void {
    this.reads.delete(absPath);
  }

  private parse(absPath: string): LoadResult {
    const read = this.read(absPath);
    // The parsed source file keeps the text; the raw read is no longer needed.
    this.reads.delete(absPath);
    if (!read.ok) return read;
    const relative = this.relative(absPath);
    if (openAsyncParenDepth(read.text) > MAX_OPEN_ASYNC_PARENS) {
      return {
        ok: false,
        code: 'parser-pathological',
        reason: `more than ${MAX_OPEN_ASYNC_PARENS} nested unclosed \`async (\` or \`async name(\` groups, which the TypeScript parser takes exponential time to disambiguate`,
      };
    }
    let sourceFile: ts.SourceFile;
    try {
      sourceFile = ts.createSourceFile(absPath, read.text, ts.ScriptTarget.Latest, true, scriptKindOf(absPath));
    } catch (error) {
      const overflow = error instanceof RangeError;
      return {
        ok: false,
        code: overflow ? 'too-deep' : 'parse-failed',
        reason: overflow ? 'nesting too deep to parse' : `parser failed: ${(error as Error)?.message ?? String(error)}`,
      };
    }
    const diagnostics = (sourceFile as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
    const file = new ParsedFile(absPath, relative, sourceFile.text, sourceFile, this);
    return { ok: true, file, syntaxErrors: diagnostics.length, decodedAsLatin1: read.decodedAsLatin1 };
  }
}

/** A digest of a text, to know a dropped file's text is still the one that parsed. */
function digestOf(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/**
 * Texts kept of files read but not parsed: the modules the files being analysed import are asked
 * about by their neighbours too, so a few hundred cover them; keeping every one grew with the tree
 * (1,115 texts, 6.6 MB at 3M lines). A dropped text is read again when asked.
 */
const MAX_IMPORTED_TEXTS = 256;

/**
 * The TypeScript parser decides whether `async (` starts an arrow function by speculative look-ahead,
 * and nested undecided groups multiply: 16 nested `async (a, ` take 0.2 s, 20 take 3 s, 40 never end
 * (found by the fuzz test). Real code closes each parameter list before the next `async (` opens, so
 * more than a dozen open at once only happens in generated or corrupted files. `async name(` (an async
 * method or call) nests the same way.
 */
const MAX_OPEN_ASYNC_PARENS = 12;

export function openAsyncParenDepth(text: string): number {
  const asyncParens: boolean[] = [];
  let open = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 40 /* ( */) {
      let j = i - 1;
      while (
        j >= 0 &&
        (text.charCodeAt(j) === 32 ||
          text.charCodeAt(j) === 9 ||
          text.charCodeAt(j) === 10 ||
          text.charCodeAt(j) === 13)
      )
        j--;
      const isAsync = endsWithAsync(text, j) || endsWithAsync(text, beforeName(text, j));
      asyncParens.push(isAsync);
      if (isAsync && ++open > deepest) deepest = open;
    } else if (code === 41 /* ) */ && asyncParens.length > 0) {
      if (asyncParens.pop()) open--;
    }
  }
  return deepest;
}

/** Whether the word ending at `end` is `async`. */
function endsWithAsync(text: string, end: number): boolean {
  return end >= 4 && text.startsWith('async', end - 4) && !/[\w$]/.test(text.charAt(end - 5));
}

/**
 * `async name(`: the last non-blank character before the name that ends at `end`, so that a method
 * or call named after `async` counts too (the fuzz test found 40 nested `async name(@Dec() p` that
 * never finished parsing); -1 when no name ends there.
 */
function beforeName(text: string, end: number): number {
  let i = end;
  while (i >= 0 && /[\w$]/.test(text.charAt(i))) i--;
  if (i === end) return -1;
  while (i >= 0 && /\s/.test(text.charAt(i))) i--;
  return i;
}

interface PathAliases {
  base: string;
  paths: [string, string[]][];
}

function readPathAliases(config: string): PathAliases | null {
  try {
    const parsed = ts.parseConfigFileTextToJson(config, readFileSync(config, 'utf8'));
    const options = parsed.config?.compilerOptions;
    if (!options?.paths || typeof options.paths !== 'object') return null;
    const base = path.resolve(path.dirname(config), typeof options.baseUrl === 'string' ? options.baseUrl : '.');
    const paths = Object.entries(options.paths as Record<string, unknown>)
      .filter((entry): entry is [string, string[]] => Array.isArray(entry[1]))
      .map(([pattern, targets]) => [pattern, targets.filter((t) => typeof t === 'string')] as [string, string[]]);
    return { base, paths };
  } catch {
    return null;
  }
}

function candidatePaths(base: string): string[] {
  const candidates = [base];
  const extension = path.extname(base);
  // TypeScript ESM imports name the emitted `.js` file; the source is the `.ts` beside it.
  if (['.js', '.mjs', '.cjs', '.jsx'].includes(extension)) {
    const stem = base.slice(0, -extension.length);
    const tsExtension = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] }[extension]!;
    candidates.push(...tsExtension.map((ext) => stem + ext));
  }
  candidates.push(...SOURCE_EXTENSIONS.map((ext) => base + ext));
  candidates.push(...SOURCE_EXTENSIONS.map((ext) => path.join(base, `index${ext}`)));
  return candidates;
}

/**
 * Whether a path is a regular file. Resolving one import probes up to ~20 candidate paths, most of
 * which do not exist: asking stat not to throw for a missing path spares building an exception per
 * probe (other errors, such as a file where a directory was expected, still throw).
 */
function isRegularFile(candidate: string): boolean {
  try {
    return statSync(candidate, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

function safeRealpath(target: string): string | undefined {
  try {
    // The system's realpath: one call instead of an lstat per path component from JavaScript.
    return realpathSync.native(target);
  } catch {
    return undefined;
  }
}

export function scriptKindOf(absPath: string): ts.ScriptKind {
  const extension = path.extname(absPath).toLowerCase();
  if (extension === '.tsx') return ts.ScriptKind.TSX;
  if (extension === '.ts' || extension === '.mts' || extension === '.cts') return ts.ScriptKind.TS;
  // Never discovered as a source; reached only as an import (`require('./data.json')`, a config file).
  if (extension === '.json') return ts.ScriptKind.JSON;
  // JSX is common in plain .js files of React projects; the JSX grammar also parses plain JS.
  return ts.ScriptKind.JSX;
}
