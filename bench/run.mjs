#!/usr/bin/env node
/**
 * `npm run bench [-- --lines N | -- <path>]`: measures, on one set of files and in one run,
 * the TypeScript parse floor, fixate (API and CLI), ESLint + eslint-plugin-security, fixate's
 * --changed-since mode and its start-up, and prints a table, the ratios and a one-line summary.
 * See bench/README.md for what each figure means.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fg from 'fast-glob';
import {
  CORPUS_ROOT,
  DEFAULT_LINES,
  DEFAULT_SEED,
  ensureCorpus,
  planCorpus,
  shieldFromProjectTools,
} from './generate.mjs';
import { MARKER } from './workers/report.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH, '..');
const NODE = process.execPath;

// fixate's own discovery globs, so every tool sees the files fixate would (npm run bench builds first).
const { DEFAULT_EXCLUDES, SOURCE_GLOB } = await import('../dist/src/engine/discover.js');
const JS_FILE = /\.(js|jsx|mjs|cjs)$/i;

const DEFAULT_SIZES = [500_000, 1_500_000, 3_000_000];

const USAGE = `usage: npm run bench -- [--sizes a,b,c | --lines N | path] [--seed S] [--runs N] [--only ids] [--json file]

  (no size)        scaling table at ${DEFAULT_SIZES.join(', ')} lines: parse floor, full scan, --changed-since
  --sizes a,b,c    the scaling table at these corpus sizes (lines)
  --lines N        the detailed table at one corpus size (floor, scan, CLI, ESLint, ...); generated once under bench/.corpus
  --seed S         corpus seed (default ${DEFAULT_SEED})
  path             benchmark an existing directory instead of a generated corpus
  --runs N         measured runs per row; the median is reported (default 3)
  --only ids       comma-separated rows: floor,scan,scan-all,cli,eslint,changed,version,rules
  --eslint-concurrency off|auto|N   ESLint's own multi-threading (default off)
  --timeout S      give up on one measured command after S seconds (default 1800)
  --json file      also write every raw measurement to this file`;

// ---------------------------------------------------------------------------------------------

function parseCli() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      lines: { type: 'string' },
      sizes: { type: 'string' },
      seed: { type: 'string' },
      runs: { type: 'string', default: '3' },
      only: { type: 'string' },
      'eslint-concurrency': { type: 'string', default: 'off' },
      timeout: { type: 'string', default: '1800' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name, v, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      console.error(`bench: --${name} must be an integer >= ${min}\n\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  if (positionals.length > 1 || (positionals.length === 1 && (values.lines || values.seed || values.sizes))) {
    console.error(`bench: give either --lines/--sizes/--seed or one path\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.lines && values.sizes) {
    console.error(`bench: give either --lines or --sizes\n\n${USAGE}`);
    process.exit(2);
  }
  const scaling = !values.lines && positionals.length === 0;
  return {
    path: positionals[0],
    sizes: scaling
      ? values.sizes
        ? values.sizes.split(',').map((v) => int('sizes', v.trim(), 1000))
        : DEFAULT_SIZES
      : null,
    lines: int('lines', values.lines ?? DEFAULT_LINES, 1000),
    seed: int('seed', values.seed ?? DEFAULT_SEED, 0),
    runs: int('runs', values.runs, 1),
    only: values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null,
    eslintConcurrency: values['eslint-concurrency'],
    timeoutMs: int('timeout', values.timeout, 1) * 1000,
    json: values.json,
  };
}

function gitEnv() {
  const env = { ...process.env };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX']) delete env[k];
  return env;
}

function git(cwd, args) {
  const r = spawnSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return r.status === 0 ? r.stdout : null;
}

/** The files under `root` that fixate would scan: its glob and excludes, and .gitignore via git. */
async function listFiles(root) {
  let files = await fg(SOURCE_GLOB, {
    cwd: root,
    ignore: DEFAULT_EXCLUDES,
    onlyFiles: true,
    followSymbolicLinks: false,
    dot: false,
    absolute: true,
  });
  const top = git(root, ['rev-parse', '--show-toplevel'])?.trim();
  if (top) {
    // Tracked plus untracked-but-not-ignored: exactly what nested .gitignore files allow.
    const listed = git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.']);
    if (listed !== null) {
      const allowed = new Set(
        listed
          .split('\0')
          .filter(Boolean)
          .map((p) => path.resolve(root, p)),
      );
      files = files.filter((f) => allowed.has(f));
    }
  }
  return files.sort();
}

function countFileLines(files) {
  let lines = 0;
  let bytes = 0;
  const perFile = new Map();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    let n = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    if (text.length > 0 && !text.endsWith('\n')) n++;
    perFile.set(f, n);
    lines += n;
    bytes += Buffer.byteLength(text);
  }
  return { lines, bytes, perFile };
}

function hasGnuTime() {
  if (!existsSync('/usr/bin/time')) return false;
  const r = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /Maximum resident set size/.test(r.stderr);
}

function parseGnuTime(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    userMs: num(/User time \(seconds\): ([\d.]+)/) * 1000,
    sysMs: num(/System time \(seconds\): ([\d.]+)/) * 1000,
    maxRssKb: num(/Maximum resident set size \(kbytes\): (\d+)/),
    exitStatus: num(/Exit status: (\d+)/),
  };
}

// ---------------------------------------------------------------------------------------------

let tmpDir;
let seq = 0;

/**
 * Runs one command in a child process of its own and returns wall time (measured here, so it
 * includes Node start-up and module loading, as a user would see it), CPU (user+sys) and peak
 * RSS of the child, its exit code, and the worker's JSON result if it printed one.
 */
function measure(args, { cwd, timeoutMs, gnuTime }) {
  const id = seq++;
  const timeFile = path.join(tmpDir, `time-${id}.txt`);
  const usageFile = path.join(tmpDir, `usage-${id}.json`);
  // Without GNU time, a wrapper in the child records the child's own resource usage.
  const [cmd, argv] = gnuTime
    ? ['/usr/bin/time', ['-v', '-o', timeFile, NODE, ...args]]
    : [NODE, [path.join(BENCH, 'workers/usage.mjs'), usageFile, ...args]];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...gitEnv(), FORCE_COLOR: '0' } });
    const out = [];
    let outLen = 0;
    let err = '';
    child.stdout.on('data', (d) => {
      if (outLen < 64 * 1024 * 1024) out.push(d);
      outLen += d.length;
    });
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-16 * 1024);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      const stdout = Buffer.concat(out).toString('utf8');
      let usage = null;
      let exitCode = code;
      if (gnuTime && existsSync(timeFile)) {
        const t = parseGnuTime(readFileSync(timeFile, 'utf8'));
        usage = { userMs: t.userMs, sysMs: t.sysMs, maxRssKb: t.maxRssKb };
        if (t.exitStatus !== null) exitCode = t.exitStatus;
      } else if (existsSync(usageFile)) {
        usage = JSON.parse(readFileSync(usageFile, 'utf8'));
      }
      let result = null;
      const at = stdout.lastIndexOf(MARKER);
      if (at !== -1) {
        try {
          result = JSON.parse(stdout.slice(at + MARKER.length).split('\n')[0]);
        } catch {
          result = null;
        }
      }
      if (!usage && result?.usage) usage = result.usage;
      resolve({ wallMs, usage, exitCode, signal, timedOut, stderr: err, result });
    });
  });
}

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** A short, single-line reason a command could not be measured. */
function failure(m) {
  if (m.timedOut) return 'timeout';
  if (m.result && m.result.ok === false) return m.result.reason.split('\n')[0];
  const lastLine =
    m.stderr
      .trim()
      .split('\n')
      .filter((l) => l.trim() && !/^\s+at /.test(l))
      .slice(-1)[0] ?? '';
  return `exit code ${m.exitCode ?? m.signal}${lastLine ? `: ${lastLine.trim().slice(0, 100)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------

/**
 * Copies the built fixate (dist, bin, package.json, rule READMEs) aside, under bench/.corpus so
 * its imports still resolve to the project's node_modules. Other people rebuild dist/ in a shared
 * working tree at any moment; without the copy, rows of one run could measure different builds.
 */
async function snapshotFixate() {
  const dist = path.join(REPO, 'dist');
  if (!existsSync(dist)) return { root: REPO, id: null, cleanup: () => {} };
  await shieldFromProjectTools(CORPUS_ROOT);
  const dir = mkdtempSync(path.join(CORPUS_ROOT, '.fixate-build-'));
  cpSync(dist, path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(REPO, 'bin'), path.join(dir, 'bin'), { recursive: true });
  cpSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  if (existsSync(path.join(REPO, 'rules'))) {
    cpSync(path.join(REPO, 'rules'), path.join(dir, 'rules'), {
      recursive: true,
      filter: (src) => statSync(src).isDirectory() || path.basename(src) === 'README.md',
    });
  }
  const h = createHash('sha256');
  for (const f of (await fg('**/*.js', { cwd: path.join(dir, 'dist') })).sort()) {
    h.update(f);
    h.update(readFileSync(path.join(dir, 'dist', f)));
  }
  return { root: dir, id: h.digest('hex').slice(0, 10), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function probeCli(fixateRoot) {
  if (!existsSync(path.join(fixateRoot, 'dist/src/cli/main.js'))) {
    return { ok: false, reason: 'dist/src/cli/main.js missing' };
  }
  const r = spawnSync(NODE, [path.join(fixateRoot, 'bin/fixate.js'), '--help'], { cwd: REPO, encoding: 'utf8' });
  const help = `${r.stdout}${r.stderr}`;
  return {
    ok: r.status === 0,
    reason: r.status === 0 ? null : `--help exit code ${r.status}`,
    failOnNone: /--fail-on[^\n]*(\n[^-\n][^\n]*)*"none"/.test(help),
  };
}

function canResolve(name) {
  try {
    createRequire(path.join(REPO, 'package.json')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const fmtS = (ms) => (ms == null ? '—' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const fmtMB = (kb) => (kb == null ? '—' : `${Math.round(kb / 1024)} MB`);
const fmtN = (n) => n.toLocaleString('en-US');
const fmtX = (r) =>
  r == null || !Number.isFinite(r) ? 'n/a' : `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}x`;
const fmtLines = (n) =>
  n >= 1_000_000 ? `${+(n / 1_000_000).toFixed(2)}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : `${n}`;
const pad = (s, n) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s, n) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

async function main() {
  const opts = parseCli();
  const log = (m) => process.stderr.write(`bench: ${m}\n`);
  if (opts.sizes) return scaling(opts, log);

  let root;
  let targetLabel;
  let corpusStamp = null;
  if (opts.path) {
    root = path.resolve(opts.path);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      console.error(`bench: not a directory: ${opts.path}`);
      process.exit(2);
    }
    targetLabel = root;
  } else {
    const { dir, stamp } = await ensureCorpus({ lines: opts.lines, seed: opts.seed, log });
    root = dir;
    corpusStamp = stamp;
    targetLabel = `${path.relative(process.cwd(), dir) || '.'} (generated: seed ${opts.seed}, ${stamp.packages} packages, ${stamp.sessionFiles} session files of which ${stamp.vulnerableFiles} vulnerable)`;
  }

  const files = await listFiles(root);
  if (files.length === 0) {
    console.error(`bench: no source files under ${root}`);
    process.exit(2);
  }
  // Reading every file here also warms the page cache, so the first measured tool is not penalised.
  const { lines, bytes, perFile } = countFileLines(files);
  const jsFiles = files.filter((f) => JS_FILE.test(f));
  const jsLines = jsFiles.reduce((s, f) => s + perFile.get(f), 0);

  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'fixate-bench-'));
  const cleanup = () => rmSync(tmpDir, { recursive: true, force: true });
  process.on('exit', cleanup);
  const listPath = path.join(tmpDir, 'files.json');
  writeFileSync(listPath, JSON.stringify(files));
  // fixate writes --output atomically (temp file + rename), which must not be aimed at /dev/null.
  const sarifOut = path.join(tmpDir, 'out.sarif');

  const snapshot = await snapshotFixate();
  process.on('exit', snapshot.cleanup);
  // Ctrl-C should still remove the copies; 'exit' handlers only run on a normal exit.
  process.on('SIGINT', () => process.exit(130));
  const BIN = path.join(snapshot.root, 'bin/fixate.js');
  const scanEntry = path.join(snapshot.root, 'dist/src/index.js');
  const head = git(REPO, ['rev-parse', '--short', 'HEAD'])?.trim() ?? 'unknown';
  const dirty =
    (git(REPO, ['status', '--porcelain', '--untracked-files=no', '--', 'src', 'rules']) ?? '').trim() !== '';

  const gnuTime = hasGnuTime();
  const cli = probeCli(snapshot.root);
  const tsParser = canResolve('@typescript-eslint/parser') || canResolve('typescript-eslint');
  const gitRoot = git(root, ['rev-parse', '--show-toplevel'])?.trim();
  const hasParentCommit = gitRoot ? git(root, ['rev-parse', '--verify', '--quiet', 'HEAD~1']) !== null : false;
  const failOn = cli.failOnNone ? ['--fail-on', 'none'] : [];
  // With --fail-on none a findings exit (1) cannot happen, so only 0 is success.
  const okCodes = cli.failOnNone ? [0] : [0, 1];

  const rows = [
    {
      id: 'floor',
      label: 'parse floor (ts.createSourceFile, all files)',
      args: [path.join(BENCH, 'workers/floor.mjs'), listPath],
      worker: true,
    },
    {
      id: 'scan',
      label: 'fixate scan() in-process',
      args: [path.join(BENCH, 'workers/scan.mjs'), root, scanEntry],
      worker: true,
    },
    {
      id: 'scan-all',
      label: 'fixate scan() { noPrefilter: true }',
      args: [path.join(BENCH, 'workers/scan.mjs'), root, scanEntry, '--no-prefilter'],
      worker: true,
    },
    {
      id: 'cli',
      label: 'fixate CLI --format sarif',
      args: [BIN, root, '--format', 'sarif', '--output', sarifOut, ...failOn],
      okCodes,
      unavailable: cli.ok ? null : cli.reason,
    },
    {
      id: 'eslint',
      label: tsParser ? 'ESLint + security (all files)' : 'ESLint + security (JS files only)',
      args: [path.join(BENCH, 'workers/eslint.mjs'), listPath, root, opts.eslintConcurrency],
      worker: true,
    },
    {
      id: 'changed',
      label: 'fixate CLI --changed-since HEAD~1',
      args: [BIN, root, '--changed-since', 'HEAD~1', '--format', 'sarif', '--output', sarifOut, ...failOn],
      okCodes,
      unavailable: !cli.ok ? cli.reason : !hasParentCommit ? 'not a git repository with a HEAD~1' : null,
    },
    {
      id: 'version',
      label: 'fixate --version',
      args: [BIN, '--version'],
      okCodes: [0],
      unavailable: cli.ok ? null : cli.reason,
    },
    { id: 'rules', label: 'fixate rules', args: [BIN, 'rules'], okCodes: [0], unavailable: cli.ok ? null : cli.reason },
  ].filter((r) => !opts.only || opts.only.has(r.id));

  log(
    `${fmtN(files.length)} files, ${fmtN(lines)} lines; ${opts.runs} runs of ${rows.length} rows` +
      `${gnuTime ? '' : ' (no GNU time: RSS/CPU reported by the children)'}`,
  );

  const loadBefore = os.loadavg()[0];
  for (const row of rows) row.runs = [];
  for (let run = 1; run <= opts.runs; run++) {
    for (const row of rows) {
      if (row.unavailable) continue;
      if (row.runs.length > 0 && row.runs.every((m) => m.error)) continue;
      const r = await measure(row.args, { cwd: root, timeoutMs: opts.timeoutMs, gnuTime });
      const ok = row.worker
        ? r.result?.ok === true && r.exitCode === 0
        : row.okCodes.includes(r.exitCode) && !r.timedOut;
      if (!ok) r.error = failure(r);
      row.runs.push(r);
      log(`run ${run}/${opts.runs} ${pad(row.id, 8)} ${ok ? fmtS(r.wallMs) : `failed: ${r.error}`}`);
    }
  }

  const loadAfter = os.loadavg()[0];

  // ---- aggregate ------------------------------------------------------------------------------
  const agg = {};
  for (const row of rows) {
    const good = row.runs.filter((r) => !r.error);
    const bad = row.runs.find((r) => r.error);
    agg[row.id] = {
      label: row.label,
      ok: good.length > 0,
      na: row.unavailable ?? (good.length === 0 ? (bad ? bad.error : 'not run') : null),
      runs: good.length,
      wallMs: median(good.map((r) => r.wallMs)),
      cpuMs: median(good.map((r) => (r.usage ? r.usage.userMs + r.usage.sysMs : null))),
      rssKb: median(good.map((r) => r.usage?.maxRssKb)),
      workMs: median(good.map((r) => r.result?.workMs)),
      result: good[good.length - 1]?.result ?? null,
      stderr: good[good.length - 1]?.stderr ?? '',
    };
  }

  // ---- notes per row --------------------------------------------------------------------------
  const notes = {};
  const floorR = agg.floor?.result;
  if (floorR)
    notes.floor = `${fmtN(floorR.files)} files, ${fmtN(floorR.filesWithParseErrors)} with parse errors; TS ${floorR.typescript}`;
  for (const id of ['scan', 'scan-all']) {
    const r = agg[id]?.result;
    if (!r) continue;
    const s = r.stats;
    const mismatch = s.filesDiscovered !== files.length ? ` (bench list: ${fmtN(files.length)})` : '';
    notes[id] =
      `${fmtN(r.findings)} findings in ${fmtN(r.filesWithFindings)} files; ${fmtN(s.filesDiscovered)} discovered${mismatch}, ` +
      `${fmtN(s.filesScanned)} scanned, ${fmtN(s.filesPrefiltered ?? 0)} prefiltered, ${fmtN(s.filesSkipped)} skipped`;
  }
  const eslintR = agg.eslint?.result;
  const eslintSubset = eslintR ? !eslintR.tsParser : !tsParser;
  if (eslintR) {
    notes.eslint =
      `${fmtN(eslintR.files)} files${eslintSubset ? `, ${fmtN(jsLines)} lines (TS needs @typescript-eslint/parser)` : ''}; ` +
      `${fmtN(eslintR.messages)} warnings, ${fmtN(eslintR.filesWithFatalErrors)} parse errors; ESLint ${eslintR.eslintVersion}` +
      `${opts.eslintConcurrency !== 'off' ? `, concurrency ${opts.eslintConcurrency}` : ''}`;
  }
  if (agg.cli?.ok) {
    const m = /scanned (\d+) files? in ([\d.]+)s/.exec(agg.cli.stderr);
    const size = existsSync(sarifOut) ? statSync(sarifOut).size : null;
    notes.cli = `${m ? `reports ${fmtN(Number(m[1]))} files scanned; ` : ''}${size != null ? `SARIF ${fmtN(Math.round(size / 1024))} KB` : ''}`;
  }
  if (agg.changed?.ok && corpusStamp?.touchedFile) notes.changed = `1 file changed (${corpusStamp.touchedFile})`;

  // ---- table ----------------------------------------------------------------------------------
  const cpuModel = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const out = [];
  out.push('');
  out.push('fixate benchmark');
  out.push(`  target   ${targetLabel}`);
  const byExt = {};
  for (const f of files) {
    const ext = path.extname(f).slice(1).toLowerCase();
    byExt[ext] = (byExt[ext] ?? 0) + 1;
  }
  out.push(
    `  files    ${fmtN(files.length)} (${Object.entries(byExt)
      .sort((a, b) => b[1] - a[1])
      .map(([e, n]) => `${e} ${fmtN(n)}`)
      .join(', ')}), ${fmtN(lines)} lines, ${(bytes / 1024 / 1024).toFixed(1)} MB`,
  );
  out.push(
    `  fixate   ${head}${dirty ? ' + uncommitted changes in src/ or rules/' : ''}` +
      `${snapshot.id ? `, dist ${snapshot.id} (copied at start, so every row runs the same build)` : ', not built'}`,
  );
  out.push(
    `  machine  node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs (${cpuModel}), ` +
      `${Math.round(os.totalmem() / 1024 ** 3)} GB`,
  );
  out.push(
    `  method   ${opts.runs} run${opts.runs === 1 ? '' : 's'}, medians; each row its own child process; ` +
      `CPU and peak RSS from ${gnuTime ? '/usr/bin/time -v' : 'process.resourceUsage() in the child'}`,
  );
  // Wall times are only as good as the machine is quiet; say how busy it was.
  // The bench itself keeps about one core busy, which the load average counts too.
  const busy = Math.max(loadBefore, loadAfter) - 1 > os.cpus().length * 0.5;
  out.push(
    `  load     1-min load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after` +
      `${busy ? ' — machine was busy: wall times are inflated, prefer CPU and RSS' : ''}`,
  );
  out.push('');
  const W = 42;
  out.push(
    `  ${pad('measurement', W)} ${lpad('wall', 9)} ${lpad('work', 9)} ${lpad('CPU', 9)} ${lpad('peak RSS', 9)}   notes`,
  );
  out.push(`  ${'-'.repeat(W)} ${'-'.repeat(9)} ${'-'.repeat(9)} ${'-'.repeat(9)} ${'-'.repeat(9)}   -----`);
  for (const row of rows) {
    const a = agg[row.id];
    if (!a.ok) {
      out.push(`  ${pad(a.label, W)} ${lpad('n/a', 9)} ${' '.repeat(30)}   ${a.na}`);
      continue;
    }
    out.push(
      `  ${pad(a.label, W)} ${lpad(fmtS(a.wallMs), 9)} ${lpad(row.worker ? fmtS(a.workMs) : '', 9)} ${lpad(fmtS(a.cpuMs), 9)} ${lpad(fmtMB(a.rssKb), 9)}   ${notes[row.id] ?? ''}`,
    );
  }

  // ---- ratios ---------------------------------------------------------------------------------
  const ratio = (a, b, key) => (a?.ok && b?.ok && a[key] != null && b[key] ? a[key] / b[key] : null);
  const ratioLines = [];
  const addRatio = (label, a, b) => {
    if (!a?.ok || !b?.ok) return;
    ratioLines.push(
      `  ${pad(label, W)} wall ${lpad(fmtX(ratio(a, b, 'wallMs')), 6)}   work ${lpad(fmtX(ratio(a, b, 'workMs')), 6)}   ` +
        `CPU ${lpad(fmtX(ratio(a, b, 'cpuMs')), 6)}   RSS ${lpad(fmtX(ratio(a, b, 'rssKb')), 6)}`,
    );
  };
  addRatio('fixate scan() / parse floor', agg.scan, agg.floor);
  addRatio('fixate scan() noPrefilter / parse floor', agg['scan-all'], agg.floor);
  addRatio('fixate CLI / parse floor', agg.cli, agg.floor);
  let eslintRatio = null;
  let eslintRatioNote = '';
  if (agg.scan?.ok && agg.eslint?.ok) {
    if (!eslintSubset) {
      addRatio('fixate scan() / ESLint+security', agg.scan, agg.eslint);
      eslintRatio = ratio(agg.scan, agg.eslint, 'wallMs');
    } else if (jsLines > 0) {
      // ESLint saw only the JS files, so compare cost per line of the work itself; start-up is
      // excluded because it does not scale with the input and would swamp a small JS subset.
      const perLine = (a, n) => a.workMs / n;
      eslintRatio = perLine(agg.scan, lines) / perLine(agg.eslint, jsLines);
      eslintRatioNote = ' (per line, work time; ESLint on the JS subset only)';
      ratioLines.push(
        `  ${pad('fixate scan() / ESLint+security', W)} ${fmtX(eslintRatio)} per line of work time ` +
          `(fixate ${fmtN(lines)} lines, ESLint ${fmtN(jsLines)} JS lines; wall/CPU/RSS not comparable)`,
      );
    }
  }
  if (ratioLines.length > 0) {
    out.push('');
    out.push('  ratios (medians, same files, same run; < 1x means fixate is cheaper)');
    out.push(...ratioLines);
  }
  const notesOut = [];
  if (eslintSubset && agg.eslint?.ok) {
    notesOut.push(
      'ESLint ran over the JS files only: its default parser cannot read TypeScript. Install @typescript-eslint/parser to lint every file.',
    );
  }
  if (agg.scan?.ok && corpusStamp) {
    const r = agg.scan.result;
    notesOut.push(
      `the corpus has ${corpusStamp.vulnerableFiles} vulnerable and ${corpusStamp.sessionFiles - corpusStamp.vulnerableFiles} safe session files; fixate reported findings in ${r.filesWithFindings} files.`,
    );
  }
  // Not a precision benchmark, but the corpus knows which files are vulnerable, and a scan that
  // gets faster by finding nothing should be visible next to its timings.
  if (agg.scan?.ok && corpusStamp) {
    const flagged = new Set(agg.scan.result.findingPaths);
    const plan = planCorpus({ lines: opts.lines, seed: opts.seed });
    const byKind = new Map();
    let ordinary = 0;
    let ordinaryFlagged = 0;
    for (const f of plan.files) {
      if (!f.session) {
        ordinary++;
        if (flagged.has(f.path)) ordinaryFlagged++;
        continue;
      }
      if (!byKind.has(f.kind)) byKind.set(f.kind, { vuln: 0, vulnHit: 0, safe: 0, safeHit: 0 });
      const k = byKind.get(f.kind);
      if (f.vulnerable) {
        k.vuln++;
        if (flagged.has(f.path)) k.vulnHit++;
      } else {
        k.safe++;
        if (flagged.has(f.path)) k.safeHit++;
      }
    }
    const cell = (hit, n) => (n === 0 ? '—' : `${hit}/${n}`);
    out.push('');
    out.push('  detection on the generated corpus (files with a finding / files), fixate scan()');
    out.push(`    ${pad('template', 26)} ${lpad('vulnerable', 10)} ${lpad('safe', 10)}`);
    for (const [kind, k] of [...byKind.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      out.push(`    ${pad(kind, 26)} ${lpad(cell(k.vulnHit, k.vuln), 10)} ${lpad(cell(k.safeHit, k.safe), 10)}`);
    }
    out.push(`    ${pad('ordinary files', 26)} ${lpad('—', 10)} ${lpad(cell(ordinaryFlagged, ordinary), 10)}`);
  }
  if (notesOut.length > 0) {
    out.push('');
    for (const n of notesOut) out.push(`  note: ${n}`);
  }

  // ---- summary (last line) --------------------------------------------------------------------
  const fixate = agg.scan?.ok ? agg.scan : agg.cli?.ok ? agg.cli : null;
  const summary = [`bench: ${fmtLines(lines)} lines`];
  if (fixate) {
    summary.push(`fixate ${fmtX(ratio(fixate, agg.floor, 'wallMs'))} parse floor`);
    summary.push(`${fmtX(eslintRatio)} eslint-security${eslintRatioNote}`);
    summary.push(`peak ${fmtMB(fixate.rssKb)}`);
    if (busy && agg.floor?.ok) summary.push(`machine busy: CPU ${fmtX(ratio(fixate, agg.floor, 'cpuMs'))} parse floor`);
  } else {
    summary.push(`fixate n/a (${agg.scan?.na ?? agg.cli?.na ?? 'not run'})`);
    if (agg.floor?.ok) summary.push(`parse floor ${fmtS(agg.floor.wallMs)}`);
    if (agg.eslint?.ok) summary.push(`eslint-security ${fmtS(agg.eslint.wallMs)}${eslintSubset ? ' (JS subset)' : ''}`);
  }
  out.push('');
  out.push(summary.join(', '));
  console.log(out.join('\n'));

  if (opts.json) {
    const raw = {
      target: root,
      fixate: { head, dirty, dist: snapshot.id },
      corpus: corpusStamp,
      files: files.length,
      lines,
      bytes,
      jsFiles: jsFiles.length,
      jsLines,
      node: process.version,
      cpus: os.cpus().length,
      cpuModel,
      gnuTime,
      runs: opts.runs,
      rows: rows.map((r) => ({
        id: r.id,
        label: r.label,
        args: r.args,
        unavailable: r.unavailable ?? null,
        median: { ...agg[r.id], stderr: undefined },
        runs: r.runs.map((m) => ({ ...m, stderr: m.error ? m.stderr : undefined })),
      })),
      summary: summary.join(', '),
    };
    writeFileSync(opts.json, `${JSON.stringify(raw, null, 2)}\n`);
  }
}

/**
 * The scaling table: at each corpus size, in one invocation, the parse floor, fixate's full scan
 * (the CLI, as users run it) and its --changed-since scan of a one-file change, run in turn within
 * each run so a busy spell hits all of them. Per-line cost shows whether the cost grows faster than
 * the tree.
 */
async function scaling(opts, log) {
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'fixate-bench-'));
  process.on('exit', () => rmSync(tmpDir, { recursive: true, force: true }));
  const snapshot = await snapshotFixate();
  process.on('exit', snapshot.cleanup);
  process.on('SIGINT', () => process.exit(130));
  const BIN = path.join(snapshot.root, 'bin/fixate.js');
  const gnuTime = hasGnuTime();
  const sarifOut = path.join(tmpDir, 'out.sarif');
  const sizes = [];
  for (const size of opts.sizes) {
    const { dir, stamp } = await ensureCorpus({ lines: size, seed: opts.seed, log });
    const files = await listFiles(dir);
    const { lines } = countFileLines(files);
    const listPath = path.join(tmpDir, `files-${size}.json`);
    writeFileSync(listPath, JSON.stringify(files));
    const gitIgnores =
      git(dir, ['ls-files', '--', '*.gitignore', '.gitignore'])?.split('\n').filter(Boolean).length ?? 0;
    sizes.push({
      size,
      dir,
      stamp,
      files: files.length,
      lines,
      gitIgnores,
      rows: [
        { id: 'floor', args: [path.join(BENCH, 'workers/floor.mjs'), listPath], worker: true },
        { id: 'full', args: [BIN, dir, '--format', 'sarif', '--output', sarifOut, '--fail-on', 'none'] },
        {
          id: 'changed',
          args: [BIN, dir, '--changed-since', 'HEAD~1', '--format', 'sarif', '--output', sarifOut, '--fail-on', 'none'],
        },
      ].map((row) => ({ ...row, runs: [] })),
    });
  }
  // The fixed cost, measured in the same runs: Node start-up, module loading and an empty scan (an
  // empty git repository), and the floor's own start-up (an empty file list). Per-line cost net of it
  // shows how the work itself grows with the tree; the raw per-line cost also falls as start-up is
  // spread over more lines, which says nothing about linearity.
  const emptyDir = path.join(tmpDir, 'empty-repo');
  mkdirSync(emptyDir);
  git(emptyDir, ['init', '-q']);
  const emptyList = path.join(tmpDir, 'files-empty.json');
  writeFileSync(emptyList, '[]');
  const fixed = {
    dir: emptyDir,
    rows: [
      { id: 'floor', args: [path.join(BENCH, 'workers/floor.mjs'), emptyList], worker: true },
      { id: 'full', args: [BIN, emptyDir, '--format', 'sarif', '--output', sarifOut, '--fail-on', 'none'] },
    ].map((row) => ({ ...row, runs: [] })),
  };
  const loadBefore = os.loadavg()[0];
  for (let run = 1; run <= opts.runs; run++) {
    for (const row of fixed.rows) {
      const r = await measure(row.args, { cwd: emptyDir, timeoutMs: opts.timeoutMs, gnuTime });
      const ok = row.worker ? r.result?.ok === true && r.exitCode === 0 : r.exitCode === 0 && !r.timedOut;
      if (!ok) r.error = failure(r);
      row.runs.push(r);
      log(`run ${run}/${opts.runs} start-up ${pad(row.id, 8)} ${ok ? fmtS(r.wallMs) : `failed: ${r.error}`}`);
    }
    for (const entry of sizes) {
      for (const row of entry.rows) {
        const r = await measure(row.args, { cwd: entry.dir, timeoutMs: opts.timeoutMs, gnuTime });
        const ok = row.worker ? r.result?.ok === true && r.exitCode === 0 : r.exitCode === 0 && !r.timedOut;
        if (!ok) r.error = failure(r);
        row.runs.push(r);
        log(
          `run ${run}/${opts.runs} ${fmtLines(entry.lines)} ${pad(row.id, 8)} ${ok ? fmtS(r.wallMs) : `failed: ${r.error}`}`,
        );
      }
    }
  }
  const loadAfter = os.loadavg()[0];
  const med = (row, f) => median(row.runs.filter((r) => !r.error).map(f));
  const out = [''];
  out.push('fixate scaling benchmark');
  out.push(
    `  machine  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model?.trim() ?? 'unknown CPU'}); ` +
      `1-min load ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
  );
  out.push(
    `  method   ${opts.runs} paired runs (floor, full scan, --changed-since in turn), medians; CPU and peak RSS from ${gnuTime ? '/usr/bin/time -v' : 'the child'}`,
  );
  const m = (row) => ({
    wallMs: med(row, (r) => r.wallMs),
    cpuMs: med(row, (r) => (r.usage ? r.usage.userMs + r.usage.sysMs : null)),
    rssKb: med(row, (r) => r.usage?.maxRssKb),
    error: row.runs.find((r) => r.error)?.error ?? null,
  });
  const [floorStart, fixateStart] = fixed.rows.map(m);
  out.push(
    `  start-up (medians)   parse floor, no files: ${fmtS(floorStart.wallMs)} wall / ${fmtS(floorStart.cpuMs)} CPU; ` +
      `fixate on an empty repository: ${fmtS(fixateStart.wallMs)} wall / ${fmtS(fixateStart.cpuMs)} CPU / ${fmtMB(fixateStart.rssKb)}`,
  );
  out.push('');
  out.push(
    '| lines | files | .gitignore | parse floor wall / CPU / RSS | fixate wall / CPU / RSS | fixate / floor (wall, CPU) | fixate µs per line (wall, CPU) | same, net of start-up | --changed-since 1 file (wall, / full) |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|');
  const raw = [];
  const net = (x, key) => (x[key] == null || fixateStart[key] == null ? null : x[key] - fixateStart[key]);
  for (const entry of sizes) {
    const [floor, full, changed] = entry.rows;
    const [f, x, c] = [m(floor), m(full), m(changed)];
    const perLine = (ms) => (ms == null ? '—' : ((ms * 1000) / entry.lines).toFixed(2));
    out.push(
      `| ${fmtLines(entry.lines)} | ${fmtN(entry.files)} | ${entry.gitIgnores} | ` +
        `${fmtS(f.wallMs)} / ${fmtS(f.cpuMs)} / ${fmtMB(f.rssKb)} | ${fmtS(x.wallMs)} / ${fmtS(x.cpuMs)} / ${fmtMB(x.rssKb)} | ` +
        `${fmtX(x.wallMs / f.wallMs)}, ${fmtX(x.cpuMs / f.cpuMs)} | ${perLine(x.wallMs)}, ${perLine(x.cpuMs)} | ` +
        `${perLine(net(x, 'wallMs'))}, ${perLine(net(x, 'cpuMs'))} | ` +
        `${fmtS(c.wallMs)}, ${fmtX(c.wallMs / x.wallMs)} |`,
    );
    raw.push({
      size: entry.size,
      lines: entry.lines,
      files: entry.files,
      gitIgnores: entry.gitIgnores,
      floor: f,
      full: x,
      changed: c,
      runs: entry.rows,
    });
  }
  const first = raw[0];
  const last = raw[raw.length - 1];
  if (raw.length > 1 && first.full.wallMs && last.full.wallMs) {
    const pct = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(0)}%`;
    const growth = (key) => (last.full[key] / last.lines / (first.full[key] / first.lines) - 1) * 100;
    const netGrowth = (key) => (net(last.full, key) / last.lines / (net(first.full, key) / first.lines) - 1) * 100;
    out.push('');
    out.push(
      `  per-line cost at ${fmtLines(last.lines)} against ${fmtLines(first.lines)}: wall ${pct(growth('wallMs'))}, CPU ${pct(growth('cpuMs'))}; ` +
        `net of start-up: wall ${pct(netGrowth('wallMs'))}, CPU ${pct(netGrowth('cpuMs'))}`,
    );
    // The cost of each added line, between consecutive sizes: fixed costs (start-up, V8 compiling the
    // hot code on the first files) cancel out, so equal figures mean linear work, and fixate's against
    // the floor's is the ratio the two tend to on ever larger trees.
    const marginal = (a, b, row, key) =>
      a[row][key] == null || b[row][key] == null ? null : ((b[row][key] - a[row][key]) * 1000) / (b.lines - a.lines);
    const steps = raw.slice(1).map((b, i) => ({ a: raw[i], b }));
    const fmtStep = ({ a, b }) => {
      const [fw, fc, xw, xc] = [
        marginal(a, b, 'floor', 'wallMs'),
        marginal(a, b, 'floor', 'cpuMs'),
        marginal(a, b, 'full', 'wallMs'),
        marginal(a, b, 'full', 'cpuMs'),
      ];
      const us = (value) => (value == null ? '—' : value.toFixed(2));
      const ratio = (x, f) => (x == null || f == null || f <= 0 || x < 0 ? '—' : fmtX(x / f));
      return (
        `${fmtLines(a.lines)}→${fmtLines(b.lines)}: fixate ${us(xw)} wall, ${us(xc)} CPU; ` +
        `floor ${us(fw)}, ${us(fc)} (fixate/floor ${ratio(xw, fw)}, ${ratio(xc, fc)})`
      );
    };
    out.push(`  µs per added line, ${steps.map(fmtStep).join('; ')}`);
    if (steps.length > 1) {
      const firstStep = steps[0];
      const lastStep = steps[steps.length - 1];
      const change = (key) => {
        const before = marginal(firstStep.a, firstStep.b, 'full', key);
        const after = marginal(lastStep.a, lastStep.b, 'full', key);
        return before && after != null ? pct((after / before - 1) * 100) : '—';
      };
      out.push(
        `  per added line, last step against first: wall ${change('wallMs')}, CPU ${change('cpuMs')} (linear work: about 0%)`,
      );
    }
  }
  console.log(out.join('\n'));
  const startUp = { floor: floorStart, fixate: fixateStart };
  if (opts.json)
    writeFileSync(opts.json, `${JSON.stringify({ loadBefore, loadAfter, startUp, sizes: raw }, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
