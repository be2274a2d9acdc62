import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DependencyVersion } from './file-context.js';

/**
 * Python dependency versions as a project declares them: pinned versions from a lockfile
 * (`poetry.lock`, `uv.lock`, `Pipfile.lock`, or `==` pins in `requirements*.txt`), else the declared
 * range (`requirements*.txt`, `pyproject.toml` PEP 621 `[project] dependencies` and Poetry
 * `[tool.poetry.dependencies]`). A small line-oriented reader of the few TOML shapes these files use,
 * not a TOML parser: what it does not understand it leaves out (the version is then unknown).
 */
export interface PythonDependencies {
  /** The directory the files were found in. */
  dir: string;
  /** Normalised names (PEP 503) to what is known of them. */
  byName: Map<string, DependencyVersion>;
}

export const PYTHON_MANIFEST_FILES = ['pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile.lock', 'Pipfile'];

/** PEP 503 normalisation: `Django`, `django_rest`, `Django.Rest` compare equal. */
export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Whether `dir` holds any file this reader understands. */
export function hasPythonManifest(dir: string): boolean {
  return PYTHON_MANIFEST_FILES.some((file) => existsSync(path.join(dir, file))) || requirementFiles(dir).length > 0;
}

export function readPythonDependencies(dir: string): PythonDependencies {
  const byName = new Map<string, DependencyVersion>();
  const declare = (name: string, entry: Omit<DependencyVersion, 'name'>) => {
    const key = normalisePythonName(name);
    const known = byName.get(key);
    // A locked version beats a declared range, whatever file is read first.
    if (known?.source === 'lockfile' && entry.source !== 'lockfile') {
      if (!known.range && entry.range) known.range = entry.range;
      return;
    }
    byName.set(key, { name: key, ...entry, range: entry.range ?? known?.range });
  };
  for (const file of requirementFiles(dir)) {
    for (const requirement of readRequirements(path.join(dir, file), new Set())) {
      const pinned = /^==\s*([\w.+!-]+)$/.exec(requirement.specifier.trim());
      declare(requirement.name, {
        version: pinned?.[1],
        source: pinned ? 'lockfile' : 'range',
        range: requirement.specifier || undefined,
        lockfile: pinned ? path.join(dir, file) : undefined,
      });
    }
  }
  const pyproject = readText(path.join(dir, 'pyproject.toml'));
  if (pyproject !== undefined) {
    for (const requirement of pep621Dependencies(pyproject)) {
      declare(requirement.name, { source: 'range', range: requirement.specifier || undefined });
    }
    for (const [name, range] of poetryDependencies(pyproject)) declare(name, { source: 'range', range });
  }
  for (const lockName of ['poetry.lock', 'uv.lock']) {
    const lockfile = path.join(dir, lockName);
    const text = readText(lockfile);
    if (text === undefined) continue;
    for (const [name, version] of lockedPackages(text)) declare(name, { version, source: 'lockfile', lockfile });
  }
  const pipfileLock = path.join(dir, 'Pipfile.lock');
  const pipfileText = readText(pipfileLock);
  if (pipfileText !== undefined) {
    for (const [name, version] of pipfileLockPackages(pipfileText)) {
      declare(name, { version, source: 'lockfile', lockfile: pipfileLock });
    }
  }
  return { dir, byName };
}

function requirementFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => /^requirements[\w.-]*\.txt$/i.test(name))
      .sort();
  } catch {
    return [];
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

interface Requirement {
  name: string;
  specifier: string;
}

/** One PEP 508 requirement without its environment marker: `Django[argon2]>=4.2,<5 ; python_version>"3"`. */
export function parseRequirement(line: string): Requirement | undefined {
  const withoutMarker = line.split(';')[0].trim();
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$/.exec(withoutMarker);
  if (!match) return undefined;
  // `name @ url` is a direct reference: no version to read.
  if (match[2].startsWith('@')) return { name: match[1], specifier: '' };
  return { name: match[1], specifier: match[2].replace(/\s+/g, '') };
}

function readRequirements(file: string, seen: Set<string>): Requirement[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const text = readText(file);
  if (text === undefined) return [];
  const found: Requirement[] = [];
  // Backslash continuations join lines; `#` starts a comment (pip requires a space before it mid-line).
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const include = /^(?:-r|--requirement)\s*(\S+)/.exec(line);
    if (include) {
      found.push(...readRequirements(path.resolve(path.dirname(file), include[1]), seen));
      continue;
    }
    if (line.startsWith('-')) continue;
    const requirement = parseRequirement(line);
    if (requirement) found.push(requirement);
  }
  return found;
}

/** The lines of one `[table]` of a TOML text, up to the next table header. */
function tomlTable(text: string, header: string): string[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `[${header}]`);
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && /^\s*\[/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** `[project] dependencies = ["django>=4.2", ...]`, on one line or many. */
function pep621Dependencies(text: string): Requirement[] {
  const body = tomlTable(text, 'project').join('\n');
  const array = /^\s*dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(body);
  if (!array) return [];
  return [...array[1].matchAll(/"([^"]*)"|'([^']*)'/g)]
    .map((m) => parseRequirement(m[1] ?? m[2]))
    .filter((r): r is Requirement => r !== undefined);
}

/** `[tool.poetry.dependencies] django = "^4.2"` or `django = { version = "^4.2", extras = [...] }`. */
function poetryDependencies(text: string): [string, string][] {
  const found: [string, string][] = [];
  for (const line of tomlTable(text, 'tool.poetry.dependencies')) {
    const match = /^\s*"?([A-Za-z0-9][A-Za-z0-9._-]*)"?\s*=\s*(.+)$/.exec(line);
    if (!match || match[1] === 'python') continue;
    const inline = /version\s*=\s*"([^"]*)"/.exec(match[2]);
    const plain = /^"([^"]*)"/.exec(match[2].trim());
    const range = inline?.[1] ?? plain?.[1];
    if (range) found.push([match[1], range]);
  }
  return found;
}

/** `[[package]] name = "django" version = "4.2.7"` blocks (poetry.lock and uv.lock share the shape). */
function lockedPackages(text: string): [string, string][] {
  const found: [string, string][] = [];
  for (const block of text.split(/^\[\[package\]\]\s*$/m).slice(1)) {
    const header = block.split(/^\[/m)[0];
    const name = /^name\s*=\s*"([^"]+)"/m.exec(header)?.[1];
    const version = /^version\s*=\s*"([^"]+)"/m.exec(header)?.[1];
    if (name && version) found.push([name, version]);
  }
  return found;
}

function pipfileLockPackages(text: string): [string, string][] {
  try {
    const parsed = JSON.parse(text) as Record<string, Record<string, { version?: unknown }> | undefined>;
    const found: [string, string][] = [];
    for (const section of ['default', 'develop']) {
      for (const [name, entry] of Object.entries(parsed[section] ?? {})) {
        const version = typeof entry?.version === 'string' ? entry.version.replace(/^==/, '') : undefined;
        if (version) found.push([name, version]);
      }
    }
    return found;
  } catch {
    return [];
  }
}
