import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, fixture, repoRoot } from './built.js';

/** Runs a command under a pseudo-terminal (stdout and stderr both on it) and returns what it printed. */
const UNDER_PTY = `
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;

function environment(extra: Record<string, string>) {
  const env: Record<string, string | undefined> = { ...process.env, CI: '', FIXATE_PROGRESS_AFTER_MS: '0', ...extra };
  for (const key of Object.keys(env)) if (env[key] === '') delete env[key];
  return env;
}

function underPty(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync('python3', ['-c', UNDER_PTY, process.execPath, binPath, ...args], {
    cwd: repoRoot,
    env: environment(extra),
    encoding: 'utf8',
  });
  return { code: r.status, output: r.stdout };
}

const ERASE_LINE = `${String.fromCharCode(27)}[K`;
const PROGRESS = new RegExp(`\rfixate: (reading|analysing) \\d+/\\d+ files${ERASE_LINE.replace('[', '\\[')}`);
const demo = fixture('demo');

describe('progress on a terminal', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  it('is shown on stderr when it is a terminal, and cleared before the summary', () => {
    const r = underPty([demo, '--no-color']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(PROGRESS);
    const lastFrame = r.output.lastIndexOf(' files\x1b[K');
    expect(r.output.indexOf('\r\x1b[K', lastFrame)).toBeGreaterThan(lastFrame);
    expect(r.output).toMatch(/fixate: scanned \d+ files/);
  });

  // Scans within a second show none either: the in-process test drives that with a clock.
  it('is not shown in CI or with --quiet', () => {
    expect(underPty([demo, '--no-color'], { CI: 'true' }).output).not.toMatch(PROGRESS);
    expect(underPty([demo, '--no-color', '--quiet']).output).not.toMatch(PROGRESS);
  });

  it('is not shown when stderr is not a terminal', () => {
    const r = spawnSync(process.execPath, [binPath, demo, '--no-color'], {
      cwd: repoRoot,
      env: environment({}),
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/fixate: scanned \d+ files/);
    expect(r.stderr).not.toMatch(PROGRESS);
  });
});
