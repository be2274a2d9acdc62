import type { ts } from 'ts-morph';
import type { Location, Region } from '../types.js';

/**
 * What analysis and the models may ask of a parsed source file: its text, its tree and the facts
 * around it. The engine implements it (`ParsedFile` in src/engine/file-context.ts); analysis and models
 * depend on this interface only, never on the engine.
 *
 * The models enabled for the file (`models`, `knownModels`) are added to this interface by
 * src/models/model.ts, which defines `Model`; code that reads them imports `FileContext` from there.
 */
export interface FileContext {
  readonly absPath: string;
  /** POSIX path relative to the source root. */
  readonly path: string;
  readonly text: string;
  readonly sourceFile: ts.SourceFile;
  readonly isJavaScript: boolean;
  /** Module specifiers the file imports or requires. */
  readonly importedModules: Set<string>;
  /** Session keys that identify a user (see src/models/identity.ts and the `identityKeys` option). */
  readonly identityKeys: ReadonlySet<string>;
  /** The dependency as the nearest package.json and lockfile declare it. */
  versionOf(packageName: string): DependencyVersion;
  /** The nearest package.json. */
  readonly manifest: Manifest | undefined;
  /** The file a relative import specifier of this file names, parsed lazily; undefined for packages. */
  resolveImport(specifier: string): FileContext | undefined;
  /**
   * The local module a relative specifier names, as written in `fromAbsPath` (default: this file),
   * read but not parsed (a parsed file's own text when it is parsed already): for cheap questions
   * about imports ("does it mention X?").
   */
  importedSource(specifier: string, fromAbsPath?: string): { absPath: string; text: string } | undefined;
  /** Scanned files that import this one through a relative specifier. */
  readonly importers: FileContext[];
  region(start: number, end: number): Region;
  locationOf(node: ts.Node): Location;
  /** Source text of a node, without leading trivia. */
  textOf(node: ts.Node): string;
  lineOf(node: ts.Node): number;
}

export interface Manifest {
  absPath: string;
  dir: string;
  text: string;
  /** The package's own name: code inside a library's package is that library's code. */
  name?: string;
  /** dependencies, devDependencies, peerDependencies and optionalDependencies merged. */
  dependencies: Record<string, string>;
}

export interface DependencyVersion {
  name: string;
  /** Concrete version when known. */
  version?: string;
  source: 'lockfile' | 'range' | 'unknown';
  /** The range declared in package.json, when declared. */
  range?: string;
  manifest?: Manifest;
  /** Absolute path of the lockfile the version came from. */
  lockfile?: string;
  /** Why the version is unknown, for messages. */
  reason?: string;
  /**
   * Set when no package.json is in scope for the file and the version came from one found elsewhere
   * in the scanned tree (a manifest kept in `install/`, copied to the root by a setup script): its
   * path relative to the scan root, for messages.
   */
  manifestElsewhere?: string;
}
