/**
 * Reads installed versions out of lockfiles as plain text/JSON data — never by loading them as code.
 * Each parser returns every version of a package the lockfile holds; the caller picks the one that
 * matches the declaring package.json's range.
 */

export type LockfileKind = 'package-lock.json' | 'yarn.lock' | 'pnpm-lock.yaml';

export const LOCKFILE_NAMES: LockfileKind[] = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock'];

export class LockfileError extends Error {}

export function parseLockfile(kind: LockfileKind, text: string): Map<string, string[]> {
  switch (kind) {
    case 'package-lock.json':
      return parsePackageLock(text);
    case 'yarn.lock':
      return parseYarnLock(text);
    case 'pnpm-lock.yaml':
      return parsePnpmLock(text);
  }
}

function add(versions: Map<string, string[]>, name: string, version: string): void {
  const list = versions.get(name) ?? [];
  if (!list.includes(version)) list.push(version);
  versions.set(name, list);
}

function parsePackageLock(text: string): Map<string, string[]> {
  let data: any;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new LockfileError(`invalid JSON (${(error as Error).message})`);
  }
  const versions = new Map<string, string[]>();
  if (data && typeof data.packages === 'object' && data.packages) {
    // lockfileVersion 2 and 3: keys are install paths such as "node_modules/a/node_modules/b".
    for (const [installPath, entry] of Object.entries<any>(data.packages)) {
      const at = installPath.lastIndexOf('node_modules/');
      if (at < 0 || typeof entry?.version !== 'string') continue;
      add(versions, installPath.slice(at + 'node_modules/'.length), entry.version);
    }
  }
  const walkV1 = (deps: any) => {
    if (!deps || typeof deps !== 'object') return;
    for (const [name, entry] of Object.entries<any>(deps)) {
      if (typeof entry?.version === 'string') add(versions, name, entry.version);
      walkV1(entry?.dependencies);
    }
  };
  if (versions.size === 0) walkV1(data?.dependencies);
  return versions;
}

function parseYarnLock(text: string): Map<string, string[]> {
  const versions = new Map<string, string[]>();
  let currentNames: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.length === 0 || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      // Header: `"passport@^0.5.0", passport@~0.5.1:` (classic) or `"passport@npm:^0.5.0":` (berry).
      currentNames = line
        .replace(/:$/, '')
        .split(',')
        .map((spec) => spec.trim().replace(/^"|"$/g, ''))
        .map((spec) => spec.slice(0, spec.indexOf('@', 1)))
        .filter((name) => name.length > 0);
      continue;
    }
    const version = /^\s+version:?\s+"?([^"\s]+)"?/.exec(line);
    if (version) for (const name of currentNames) add(versions, name, version[1]);
  }
  return versions;
}

function parsePnpmLock(text: string): Map<string, string[]> {
  const versions = new Map<string, string[]>();
  // Package keys across lockfile versions: `/passport@0.5.3:`, `/passport/0.5.3:`, `passport@0.5.3(peer@1):`,
  // `'@fastify/passport@2.2.0':`.
  const keyPattern = /^\s{2}'?\/?((?:@[^/@\s]+\/)?[^/@\s(']+)[@/](\d+\.\d+\.\d+[^:('\s]*)/;
  let inPackages = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) inPackages = /^(packages|snapshots):/.test(line);
    if (!inPackages) continue;
    const match = keyPattern.exec(line);
    if (match) add(versions, match[1], match[2]);
  }
  return versions;
}
