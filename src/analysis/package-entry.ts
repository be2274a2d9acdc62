import path from 'node:path';
import type { FileContext } from './file-context.js';

const EXTENSIONS = ['', '.js', '.cjs', '.mjs', '.ts', '.cts', '.mts', '/index.js', '/index.ts'];

/**
 * Whether package.json names this file as an entry point (`main`, `module`, any target in `exports`):
 * code there is the package's public interface, called by applications the scan does not see.
 * Entry points naming build output (`dist/index.js` for `src/index.ts`) are not mapped back to sources.
 */
export function isPackageEntryPoint(file: FileContext): boolean {
  const manifest = file.manifest;
  if (!manifest) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest.text);
  } catch {
    return false;
  }
  if (!parsed || typeof parsed !== 'object') return false;
  const fields = parsed as Record<string, unknown>;
  const targets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(fields.main);
  collect(fields.module);
  collect(fields.exports);
  const own = path.resolve(file.absPath);
  return targets.some((target) =>
    EXTENSIONS.some((extension) => path.resolve(manifest.dir, `${target}${extension}`) === own),
  );
}
