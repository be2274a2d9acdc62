import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found by walking up from this module: `src/` when run from source (tests) and
 * `dist/src/` when built, so both layouts work without a build-time copy step.
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate) && JSON.parse(readFileSync(candidate, 'utf8')).name === 'fixate') return dir;
    dir = path.dirname(dir);
  }
  throw new Error('fixate: cannot locate its own package.json');
}

let cached: { version: string; homepage: string } | undefined;

export function packageInfo(): { version: string; homepage: string } {
  if (!cached) {
    const manifest = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
    cached = { version: manifest.version, homepage: manifest.homepage };
  }
  return cached;
}
