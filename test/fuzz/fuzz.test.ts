/**
 * Mutation fuzzing of the rule fixtures (and fixture projects), TypeScript and Python: byte flips, truncations, token
 * deletions, duplications and swaps, splices from other fixtures, random nesting and hostile
 * characters, plus broken package.json and lockfiles beside some of them. Every mutant is scanned by
 * every registered rule, in batches (one scan per batch amortises start-up); the scan must resolve,
 * no rule or engine step may crash, and every report must render, with SARIF valid against the
 * official 2.1.0 schema.
 *
 * Reproduce a failure with the seed it prints: `FIXATE_FUZZ_SEED=<seed> npx vitest run test/fuzz` (the
 * same seed gives the same mutants as long as the fixture files are the same). Explore with
 * `FIXATE_FUZZ_SEED=random`. FIXATE_FUZZ_KEEP=1 keeps the generated inputs (failing batches are always
 * kept, and their directory is printed).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { scanWithRules } from '../../src/engine/scan.js';
import { renderJson, renderSarif, renderText } from '../../src/reporters/index.js';
import type { ScanResult } from '../../src/types.js';
import { sarifSchemaErrors } from '../hostile/support.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const BATCHES = 10;
const PER_BATCH = 205;
/**
 * A fixed seed by default, so `npm test` is deterministic: the same fixtures and rules give the same
 * 2,050 mutants on every machine. `FIXATE_FUZZ_SEED=random` draws a new seed to explore further.
 */
const SEED_SETTING = process.env.FIXATE_FUZZ_SEED ?? '20240601';
const SEED = SEED_SETTING === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_SETTING);

/**
 * Notifications that mean fixate itself failed on an input. Everything else (syntax errors, binary,
 * too deep, not UTF-8, a blown time budget on a loaded machine, notes) describes the input.
 */
const CRASH_CODES = new Set(['rule-crashed', 'analysis-failed', 'parse-failed']);

/** mulberry32: tiny, fast, and the same sequence for the same seed on every platform. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}
type Random = ReturnType<typeof prng>;

interface Seed {
  /** Path relative to its fixture directory, so cross-file imports keep resolving. */
  relative: string;
  text: string;
  siblings: { relative: string; text: string }[];
}

function sourceFiles(dir: string, prefix = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...sourceFiles(dir, relative));
    else if (/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py)$/.test(entry.name)) found.push(relative);
  }
  return found.sort();
}

function loadSeeds(): Seed[] {
  const dirs = [
    ...readdirSync(path.join(repoRoot, 'rules'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(repoRoot, 'rules', entry.name, 'fixtures')),
    ...readdirSync(path.join(repoRoot, 'fixtures/projects'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(repoRoot, 'fixtures/projects', entry.name)),
  ];
  const seeds: Seed[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = sourceFiles(dir);
    } catch {
      continue;
    }
    const texts = new Map(files.map((file) => [file, readFileSync(path.join(dir, file), 'utf8')]));
    for (const file of files) {
      const folder = path.posix.dirname(file);
      const siblings = files
        .filter((other) => other !== file && path.posix.dirname(other) === folder && folder !== '.')
        .map((other) => ({ relative: other, text: texts.get(other)! }));
      seeds.push({ relative: file, text: texts.get(file)!, siblings });
    }
  }
  return seeds;
}

const TOKEN = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`[^`]*`|\/\/[^\n]*|\s+|[^\s]/g;
const OPENERS = ['(', '{', '[', '`${', '<a>', 'f(', '...{', '() => ', 'if (x) ', '-', '!', 'await '];
const CLOSERS: Record<string, string> = {
  '(': ')',
  '{': '}',
  '[': ']',
  '`${': '}`',
  '<a>': '</a>',
  'f(': ')',
  '...{': '}',
};
const HOSTILE = [
  '\uFEFF',
  '\r',
  '\r\n',
  '\u2028',
  '\u202E',
  '\u0000',
  '\uD800',
  '😀',
  '\\',
  '/*',
  '*/',
  '`',
  '${',
  "'",
  '"',
  '<',
  '//',
  '#!',
  '@',
  '\t'.repeat(40),
  'x'.repeat(3000),
  'session',
  'secret',
  'require(',
  'import(',
  "from './m.js'",
  'fixate-ignore-next-line',
  '/* fixate-ignore-file',
];

type Mutation = (text: string, random: Random, seeds: Seed[]) => string;

const tokens = (text: string) => text.match(TOKEN) ?? [];

const mutations: Record<string, Mutation> = {
  byteFlip(text, random) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length === 0) return text;
    for (let n = 1 + random.int(4); n > 0; n--) bytes[random.int(bytes.length)] = random.int(256);
    // Kept as bytes on disk: invalid UTF-8 is part of the point (decoded as Latin-1 downstream).
    return bytes.toString('latin1');
  },
  truncate(text, random) {
    return text.slice(0, random.int(text.length + 1));
  },
  deleteTokens(text, random) {
    const list = tokens(text);
    const at = random.int(list.length);
    list.splice(at, 1 + random.int(3));
    return list.join('');
  },
  duplicateTokens(text, random) {
    const list = tokens(text);
    const at = random.int(list.length);
    const span = list.slice(at, at + 1 + random.int(12));
    const times = 1 + random.int(random.next() < 0.1 ? 200 : 3);
    list.splice(at, 0, ...Array.from({ length: times }, () => span).flat());
    return list.join('');
  },
  swapTokens(text, random) {
    const list = tokens(text);
    if (list.length < 2) return text;
    const a = random.int(list.length);
    const b = random.int(list.length);
    [list[a], list[b]] = [list[b], list[a]];
    return list.join('');
  },
  splice(text, random, seeds) {
    const donor = tokens(random.pick(seeds).text);
    const from = random.int(donor.length);
    const list = tokens(text);
    list.splice(random.int(list.length + 1), 0, ...donor.slice(from, from + 1 + random.int(40)));
    return list.join('');
  },
  nest(text, random) {
    const list = tokens(text);
    const opener = random.pick(OPENERS);
    const closer = CLOSERS[opener] ?? '';
    const depth = 1 + random.int(random.next() < 0.05 ? 3000 : 60);
    const start = random.int(list.length + 1);
    const end = start + random.int(list.length - start + 1);
    // Unbalanced on purpose now and then.
    const close = random.next() < 0.8 ? closer.repeat(depth) : closer.repeat(random.int(depth));
    const separator = random.next() < 0.5 ? '\n' : '';
    list.splice(end, 0, close);
    list.splice(start, 0, `${opener}${separator}`.repeat(depth));
    return list.join('');
  },
  hostileCharacters(text, random) {
    const at = random.int(text.length + 1);
    return text.slice(0, at) + random.pick(HOSTILE) + text.slice(at);
  },
};
const MUTATION_NAMES = Object.keys(mutations);

const MANIFEST = {
  name: 'fuzz',
  dependencies: {
    'express-session': '^1.17.0',
    passport: '0.5.0',
    'cookie-session': '2.0.0',
    '@fastify/session': '10.0.0',
    koa: '2.0.0',
  },
};
const LOCKFILES: Record<string, string> = {
  'package-lock.json': JSON.stringify(
    { lockfileVersion: 3, packages: { 'node_modules/express-session': { version: '1.17.3' } } },
    null,
    2,
  ),
  'yarn.lock': 'express-session@^1.17.0:\n  version "1.17.3"\n',
  'pnpm-lock.yaml': "packages:\n  /express-session@1.17.3:\n    resolution: {integrity: x}\n  '/passport@0.5.0':\n",
};

interface Mutant {
  dir: string;
  files: Record<string, string | Buffer>;
  recipe: string;
}

function makeMutant(index: number, random: Random, seeds: Seed[]): Mutant {
  const seed = random.pick(seeds);
  const applied: string[] = [];
  let text = seed.text;
  for (let n = 1 + random.int(4); n > 0; n--) {
    const name = random.pick(MUTATION_NAMES);
    applied.push(name);
    text = mutations[name](text, random, seeds);
  }
  const dir = `m${String(index).padStart(4, '0')}`;
  // byteFlip leaves latin1-encoded bytes; write every mutant as bytes so flips survive exactly.
  const files: Mutant['files'] = {
    [seed.relative]: applied.includes('byteFlip') ? Buffer.from(text, 'latin1') : text,
  };
  for (const sibling of seed.siblings) files[sibling.relative] = sibling.text;
  if (random.next() < 0.15) {
    const manifest = JSON.stringify(MANIFEST);
    files['package.json'] = random.next() < 0.5 ? mutations.truncate(manifest, random, seeds) : manifest;
    const lockName = random.pick(Object.keys(LOCKFILES));
    const mutate = mutations[random.pick(['truncate', 'byteFlip', 'deleteTokens', 'duplicateTokens'])];
    files[lockName] = mutate(LOCKFILES[lockName], random, seeds);
    applied.push(`package.json+${lockName}`);
  }
  return { dir, files, recipe: `${seed.relative} <- ${applied.join(', ')}` };
}

const rules = await loadRules();
const seeds = loadSeeds();
const workDirs: string[] = [];
afterAll(() => {
  // FIXATE_FUZZ_KEEP=1 keeps every generated batch for inspection.
  if (process.env.FIXATE_FUZZ_KEEP) return;
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('fuzzing the fixtures', () => {
  // The time limit is for a loaded CI machine; the run normally takes well under a minute on two cores.
  it(`${BATCHES * PER_BATCH} mutants: no crash, no unhandled rejection, valid SARIF (seed ${SEED})`, {
    timeout: 300_000,
  }, async () => {
    expect(seeds.length).toBeGreaterThan(10);
    const random = prng(SEED);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const failures: string[] = [];
    const expectedCounts = new Map<string, number>();
    const slow: string[] = [];
    let inputs = 0;
    try {
      for (let batch = 0; batch < BATCHES; batch++) {
        const root = mkdtempSync(path.join(os.tmpdir(), `fixate-fuzz-${SEED}-${batch}-`));
        workDirs.push(root);
        writeFileSync(path.join(root, 'package.json'), JSON.stringify(MANIFEST));
        const mutants: Mutant[] = [];
        for (let i = 0; i < PER_BATCH; i++) {
          const mutant = makeMutant(batch * PER_BATCH + i, random, seeds);
          mutants.push(mutant);
          for (const [name, content] of Object.entries(mutant.files)) {
            const target = path.join(root, mutant.dir, name);
            mkdirSync(path.dirname(target), { recursive: true });
            writeFileSync(target, content);
          }
        }
        inputs += mutants.length;
        const recipeOf = (file: string | undefined) =>
          mutants.find((m) => file?.startsWith(`${m.dir}/`))?.recipe ?? '(whole batch)';
        const where = `seed ${SEED}, batch ${batch} (FIXATE_FUZZ_SEED=${SEED} npx vitest run test/fuzz)`;

        let result: ScanResult;
        try {
          result = await scanWithRules({ paths: ['.'], cwd: root, noPrefilter: true, debug: true }, rules);
        } catch (error) {
          failures.push(`${where}: scan rejected: ${(error as Error)?.stack ?? String(error)}`);
          workDirs.pop();
          continue;
        }
        for (const n of result.notifications) {
          if (!CRASH_CODES.has(n.code) && n.level !== 'error') {
            expectedCounts.set(n.code, (expectedCounts.get(n.code) ?? 0) + 1);
            if (n.code === 'time-budget') slow.push(`${n.path} [${recipeOf(n.path)}]`);
            continue;
          }
          failures.push(
            `${where}: ${n.code} on ${n.path} [${recipeOf(n.path)}]: ${n.message}\n${n.detail ?? ''}\n(input kept in ${root})`,
          );
        }
        try {
          const log = JSON.parse(renderSarif(result, { category: 'fuzz' }));
          const errors = sarifSchemaErrors(log);
          if (errors.length > 0) failures.push(`${where}: invalid SARIF: ${JSON.stringify(errors.slice(0, 5))}`);
          JSON.parse(renderJson(result));
          renderText(result, { color: true, debug: true });
        } catch (error) {
          failures.push(`${where}: a reporter threw: ${(error as Error)?.stack ?? String(error)}`);
        }
        if (failures.length > 0) workDirs.pop();
        if (failures.length >= 20) break;
      }
      // Let any stray promise rejection surface before checking.
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    for (const reason of rejections) failures.push(`seed ${SEED}: unhandled rejection: ${String(reason)}`);
    if (failures.length > 0) {
      console.error(`fixate fuzz: seed ${SEED}: ${failures.length} failure(s)\n${failures.join('\n\n')}`);
    } else {
      const counts = [...expectedCounts].map(([code, count]) => `${code} ${count}`).join(', ');
      console.log(
        `fixate fuzz: seed ${SEED}: ${inputs} mutants of ${seeds.length} fixture files scanned clean by ${rules.length} rules (${counts})`,
      );
      if (slow.length > 0) console.log(`over the time budget:\n${slow.join('\n')}`);
    }
    expect(failures, `seed ${SEED}`).toEqual([]);
    expect(inputs).toBeGreaterThanOrEqual(2000);
  });
});
