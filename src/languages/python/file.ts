import path from 'node:path';
import type { DependencyVersion } from '../../analysis/file-context.js';
import {
  hasPythonManifest,
  normalisePythonName,
  readPythonDependencies,
  type PythonDependencies,
} from '../../analysis/python-versions.js';
import { lineStarts, regionOf } from '../../fix/edits.js';
import type { Location, Region } from '../../types.js';
import type { PythonNode, PythonTree } from './parser.js';

/**
 * What Python rules and models may ask of a parsed Python file. The counterpart of `FileContext` for
 * TypeScript: text, tree, positions and the facts around the file, never the engine.
 */
export interface PythonFileContext {
  readonly language: 'python';
  readonly absPath: string;
  /** POSIX path relative to the source root. */
  readonly path: string;
  readonly text: string;
  readonly root: PythonNode;
  /** Session keys that identify a user (src/models/identity.ts and the `identityKeys` option). */
  readonly identityKeys: ReadonlySet<string>;
  /** The package as the nearest requirements / pyproject / lockfile declares it. */
  versionOf(packageName: string): DependencyVersion;
  /** A module this file imports relatively (`from .base import *` → `base`), parsed on demand. */
  relativeModule(dots: number, dottedName: string): PythonFileContext | undefined;
  /** A project module by its absolute dotted name (`mysite.settings.base`), looked up from this file's directory upwards. */
  absoluteModule(dottedName: string): PythonFileContext | undefined;
  region(start: number, end: number): Region;
  locationOf(node: PythonNode): Location;
  textOf(node: PythonNode): string;
  lineOf(node: PythonNode): number;
}

/** What a Python file asks of the program that parsed it. */
export interface PythonFileProgram {
  readonly identityKeys: ReadonlySet<string>;
  load(absPath: string): PythonFile | undefined;
  dependenciesFor(absPath: string): PythonDependencies | undefined;
}

export class PythonFile implements PythonFileContext {
  readonly language = 'python';
  private starts?: number[];

  constructor(
    readonly absPath: string,
    readonly path: string,
    readonly text: string,
    private readonly tree: PythonTree,
    private readonly program: PythonFileProgram,
  ) {}

  get root(): PythonNode {
    return this.tree.rootNode;
  }

  get identityKeys(): ReadonlySet<string> {
    return this.program.identityKeys;
  }

  versionOf(packageName: string): DependencyVersion {
    const name = normalisePythonName(packageName);
    const dependencies = this.program.dependenciesFor(this.absPath);
    if (!dependencies) return { name, source: 'unknown', reason: 'no requirements file, pyproject.toml or lockfile' };
    return (
      dependencies.byName.get(name) ?? {
        name,
        source: 'unknown',
        reason: `${name} is not declared in ${path.basename(dependencies.dir) || dependencies.dir}`,
      }
    );
  }

  relativeModule(dots: number, dottedName: string): PythonFileContext | undefined {
    let dir = path.dirname(this.absPath);
    for (let level = 1; level < dots; level++) dir = path.dirname(dir);
    const base = path.join(dir, ...dottedName.split('.').filter(Boolean));
    return this.program.load(`${base}.py`) ?? this.program.load(path.join(base, '__init__.py'));
  }

  absoluteModule(dottedName: string): PythonFileContext | undefined {
    const segments = dottedName.split('.');
    // The project root is not known (no sys.path): try each ancestor directory, nearest first.
    for (let dir = path.dirname(this.absPath); ; dir = path.dirname(dir)) {
      const base = path.join(dir, ...segments);
      const found = this.program.load(`${base}.py`) ?? this.program.load(path.join(base, '__init__.py'));
      if (found) return found;
      if (path.dirname(dir) === dir) return undefined;
    }
  }

  region(start: number, end: number): Region {
    this.starts ??= lineStarts(this.text);
    return regionOf(this.text, start, Math.max(start, end), this.starts);
  }

  locationOf(node: PythonNode): Location {
    return { path: this.path, region: this.region(node.startIndex, node.endIndex) };
  }

  textOf(node: PythonNode): string {
    return this.text.slice(node.startIndex, node.endIndex);
  }

  lineOf(node: PythonNode): number {
    return node.startPosition.row + 1;
  }

  /** Frees the wasm memory of the tree; the file must not be used afterwards. */
  dispose(): void {
    this.tree.delete();
  }
}

/** Finds the nearest directory (up to `boundary`) with Python dependency files, once per directory. */
export class PythonDependencyIndex {
  private readonly byDir = new Map<string, PythonDependencies | null>();

  constructor(private readonly boundary: string) {}

  dependenciesFor(absPath: string): PythonDependencies | undefined {
    return this.lookup(path.dirname(absPath)) ?? undefined;
  }

  private lookup(dir: string): PythonDependencies | null {
    const cached = this.byDir.get(dir);
    if (cached !== undefined) return cached;
    let found: PythonDependencies | null = null;
    if (hasPythonManifest(dir)) found = readPythonDependencies(dir);
    else {
      const parent = path.dirname(dir);
      const inside = !path.relative(this.boundary, parent).startsWith('..');
      if (parent !== dir && inside) found = this.lookup(parent);
    }
    this.byDir.set(dir, found);
    return found;
  }
}
