import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { LOCKFILE_NAMES, type LockfileKind, parseLockfile } from '../analysis/lockfiles.js';
import type { DependencyVersion, Manifest } from '../analysis/file-context.js';
import { compareVersions, formatVersion, lowestInRange, parseVersion, satisfies } from '../analysis/semver.js';
import type { Notification } from '../types.js';

/**
 * Facts about the packages around the scanned files: the nearest package.json of each file (monorepo
 * workspaces included) and installed versions from the nearest lockfile. Everything is read as data and
 * cached per directory. The upward search stops at `boundary` (the git top-level or scan root) so a
 * scan never picks up facts from unrelated parent folders.
 */
export class ProjectFacts {
  private readonly manifestByDir = new Map<string, Manifest | undefined>();
  private readonly nearestManifestByDir = new Map<string, Manifest | undefined>();
  private readonly lockfileByDir = new Map<string, { absPath: string; versions: Map<string, string[]> } | undefined>();
  private treeManifests?: Manifest[];

  constructor(
    private readonly boundary: string,
    private readonly notify: (notification: Notification) => void,
    private readonly relativePath: (absPath: string) => string,
  ) {}

  manifestFor(fileAbsPath: string): Manifest | undefined {
    // Asked for every model's packages of every file and its importers: once per directory.
    const dir = path.dirname(fileAbsPath);
    if (this.nearestManifestByDir.has(dir)) return this.nearestManifestByDir.get(dir);
    const manifest = this.nearest(dir, (candidate) => this.manifestIn(candidate));
    this.nearestManifestByDir.set(dir, manifest);
    return manifest;
  }

  /** The file's package declares the package, or is that package (its tests and examples use it). */
  dependsOn(fileAbsPath: string, packageName: string): boolean {
    const manifest = this.manifestFor(fileAbsPath) ?? this.treeManifestDeclaring(packageName);
    return (
      manifest !== undefined && (manifest.dependencies[packageName] !== undefined || manifest.name === packageName)
    );
  }

  versionOf(fileAbsPath: string, packageName: string): DependencyVersion {
    const inScope = this.manifestFor(fileAbsPath);
    const manifest = inScope ?? this.treeManifestDeclaring(packageName);
    const manifestElsewhere = !inScope && manifest ? this.relativePath(manifest.absPath) : undefined;
    const found = this.versionFrom(fileAbsPath, packageName, manifest);
    return manifestElsewhere ? { ...found, manifestElsewhere } : found;
  }

  /**
   * For a file with no package.json in scope: the first manifest elsewhere in the scanned tree
   * (outside node_modules, shallowest path first, then by name) that declares the package. Some
   * projects keep their only manifest in a subfolder that setup copies to the root.
   */
  treeManifestDeclaring(packageName: string): Manifest | undefined {
    if (!this.treeManifests) {
      const paths = fg
        .sync('**/package.json', {
          cwd: this.boundary,
          ignore: ['**/node_modules/**', '**/.git/**'],
          deep: 8,
          absolute: true,
          suppressErrors: true,
        })
        .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
      this.treeManifests = paths.flatMap((absPath) => this.manifestIn(path.dirname(absPath)) ?? []);
    }
    return this.treeManifests.find(
      (manifest) => manifest.dependencies[packageName] !== undefined || manifest.name === packageName,
    );
  }

  private versionFrom(fileAbsPath: string, packageName: string, manifest: Manifest | undefined): DependencyVersion {
    const range = manifest?.dependencies[packageName];
    const lock = this.nearest(manifest?.dir ?? path.dirname(fileAbsPath), (dir) => this.lockfileIn(dir));
    const locked = lock?.versions.get(packageName);
    if (locked && locked.length > 0) {
      const parsed = locked.map((v) => ({ text: v, version: parseVersion(v) })).filter((v) => v.version !== undefined);
      const matching = range ? parsed.filter((v) => satisfies(v.version!, range)) : parsed;
      const pool = matching.length > 0 ? matching : parsed;
      pool.sort((a, b) => compareVersions(a.version!, b.version!));
      if (pool.length > 0) {
        return {
          name: packageName,
          version: pool[0].text,
          source: 'lockfile',
          range,
          manifest,
          lockfile: lock!.absPath,
        };
      }
    }
    if (range) {
      const lowest = lowestInRange(range);
      if (lowest) return { name: packageName, version: formatVersion(lowest), source: 'range', range, manifest };
      return { name: packageName, source: 'unknown', range, manifest, reason: `range "${range}" names no version` };
    }
    return { name: packageName, source: 'unknown', manifest, reason: 'not declared in any package.json in scope' };
  }

  private nearest<T>(startDir: string, probe: (dir: string) => T | undefined): T | undefined {
    let dir = startDir;
    for (;;) {
      const found = probe(dir);
      if (found !== undefined) return found;
      if (dir === this.boundary || !isInside(this.boundary, dir)) return undefined;
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }

  private manifestIn(dir: string): Manifest | undefined {
    if (this.manifestByDir.has(dir)) return this.manifestByDir.get(dir);
    const absPath = path.join(dir, 'package.json');
    let manifest: Manifest | undefined;
    const text = readIfPresent(absPath);
    if (text !== undefined) {
      try {
        const json = JSON.parse(text.replace(/^\uFEFF/, ''));
        const dependencies: Record<string, string> = {};
        for (const field of ['optionalDependencies', 'peerDependencies', 'devDependencies', 'dependencies']) {
          const deps = json?.[field];
          if (deps && typeof deps === 'object') {
            for (const [name, range] of Object.entries(deps)) if (typeof range === 'string') dependencies[name] = range;
          }
        }
        const name = typeof json?.name === 'string' ? json.name : undefined;
        manifest = { absPath, dir, text, name, dependencies };
      } catch (error) {
        this.notify({
          level: 'warning',
          code: 'invalid-manifest',
          message: `${this.relativePath(absPath)} is not valid JSON (${(error as Error).message}); dependency versions under it are treated as unknown`,
          path: this.relativePath(absPath),
          skipped: false,
        });
        manifest = { absPath, dir, text, dependencies: {} };
      }
    }
    this.manifestByDir.set(dir, manifest);
    return manifest;
  }

  private lockfileIn(dir: string) {
    if (this.lockfileByDir.has(dir)) return this.lockfileByDir.get(dir);
    let result: { absPath: string; versions: Map<string, string[]> } | undefined;
    for (const name of LOCKFILE_NAMES) {
      const absPath = path.join(dir, name);
      const text = readIfPresent(absPath);
      if (text === undefined) continue;
      try {
        result = { absPath, versions: parseLockfile(name as LockfileKind, text.replace(/^\uFEFF/, '')) };
      } catch (error) {
        this.notify({
          level: 'warning',
          code: 'invalid-lockfile',
          message: `${this.relativePath(absPath)} could not be read (${(error as Error).message}); versions fall back to package.json ranges`,
          path: this.relativePath(absPath),
          skipped: false,
        });
      }
      break;
    }
    this.lockfileByDir.set(dir, result);
    return result;
  }
}

function readIfPresent(absPath: string): string | undefined {
  try {
    return readFileSync(absPath, 'utf8');
  } catch {
    return undefined;
  }
}

export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
