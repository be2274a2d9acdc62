import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin/fixate.js');
export const fixture = (name: string) => path.join(repoRoot, 'fixtures/projects', name);

function newestSourceMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures' && entry.name !== 'node_modules')
        newest = Math.max(newest, newestSourceMtime(full));
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

/**
 * `npm test` builds before vitest runs, so this is normally a no-op; it rebuilds when dist/ is
 * missing or older than the sources (running one test file by hand). Test files run in parallel
 * forks, so a lock directory keeps two tsc runs from writing dist/ at once.
 */
export function ensureBuilt(): void {
  const lock = path.join(tmpdir(), `fixate-build-${Buffer.from(repoRoot).toString('hex').slice(-32)}.lock`);
  const deadline = Date.now() + 170_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const main = path.join(repoRoot, 'dist/src/cli/main.js');
    const built = existsSync(main) ? statSync(main).mtimeMs : 0;
    const sources = Math.max(
      newestSourceMtime(path.join(repoRoot, 'src')),
      newestSourceMtime(path.join(repoRoot, 'rules')),
    );
    if (built < sources) {
      const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
  } finally {
    rmdirSync(lock);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runBin(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunResult {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  // The child's colour and progress must not depend on the terminal running the tests.
  delete env.FORCE_COLOR;
  env.NO_COLOR = '1';
  env.CI = 'true';
  const child = spawnSync(process.execPath, [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env,
    encoding: 'utf8',
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}
