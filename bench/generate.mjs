#!/usr/bin/env node
/**
 * Deterministic generator of a realistic monorepo for `npm run bench`: N packages of Express,
 * Fastify, Koa, NestJS, React and library code, about 5% of whose files touch sessions, cookies,
 * logins or DynamoDB session stores (half vulnerable, half safe). Same (lines, seed) → the same
 * bytes on every machine, so numbers from different runs and machines describe the same input.
 *
 *   node bench/generate.mjs [--lines 500000] [--seed 1] [--out dir] [--force]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { countLines } from './lib/code.mjs';
import { Rng } from './lib/rng.mjs';
import {
  dtoFile,
  jsModuleFile,
  middlewareFile,
  repositoryFile,
  scriptFile,
  serviceFile,
  testFile,
  utilsFile,
} from './templates/common.mjs';
import { expressRoutesFile, fastifyRoutesFile, koaRoutesFile, nestControllerFile } from './templates/server.mjs';
import { SESSION_KINDS, sessionFile } from './templates/session.mjs';
import { ENTITIES, makeEntity, PACKAGE_WORDS } from './templates/vocab.mjs';
import { reactFile } from './templates/web.mjs';

/** Bump whenever the output for a given (lines, seed) changes, so stale corpora are rebuilt. */
export const GENERATOR_VERSION = 3;
export const DEFAULT_LINES = 500_000;
export const DEFAULT_SEED = 1;
export const SESSION_SHARE = 0.05;
export const MIN_FILE_LINES = 50;
export const MAX_FILE_LINES = 400;
/** Templates overshoot their target by up to one block, so targets stay this far under the max. */
const MAX_TARGET = 360;

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const CORPUS_ROOT = path.join(BENCH_DIR, '.corpus');

// ---------------------------------------------------------------------------------------------
// Packages and dependency facts
// ---------------------------------------------------------------------------------------------

const FRAMEWORKS = [
  ['express', 30],
  ['fastify', 14],
  ['koa', 10],
  ['nest', 20],
  ['web', 16],
  ['lib', 10],
];

/** File kinds by framework, with weights: what a package of that kind is mostly made of. */
const KINDS = {
  express: [
    ['express-routes', 20],
    ['service', 15],
    ['repository', 8],
    ['dto', 10],
    ['middleware', 8],
    ['utils', 8],
    ['test', 12],
    ['js-module', 10],
    ['script', 4],
  ],
  fastify: [
    ['fastify-routes', 22],
    ['service', 15],
    ['repository', 8],
    ['dto', 12],
    ['utils', 8],
    ['test', 12],
    ['js-module', 6],
    ['script', 5],
  ],
  koa: [
    ['koa-routes', 22],
    ['service', 15],
    ['repository', 8],
    ['dto', 10],
    ['utils', 10],
    ['test', 12],
    ['js-module', 10],
    ['script', 5],
  ],
  nest: [
    ['nest-controller', 22],
    ['service', 22],
    ['dto', 18],
    ['repository', 8],
    ['utils', 6],
    ['test', 14],
    ['script', 3],
  ],
  web: [
    ['react', 55],
    ['utils', 15],
    ['test', 12],
    ['dto', 10],
    ['script', 3],
  ],
  lib: [
    ['utils', 40],
    ['dto', 15],
    ['test', 20],
    ['service', 10],
    ['js-module', 10],
    ['script', 5],
  ],
};

/** Exact versions; the lockfile records these and package.json a caret range over them. */
const V = {
  express: ['4.21.2', '5.1.0'],
  'express-session': ['1.18.1'],
  'cookie-parser': ['1.4.7'],
  passport: ['0.5.0', '0.7.0'],
  'passport-local': ['1.0.0'],
  bcrypt: ['5.1.1'],
  fastify: ['4.28.1', '5.2.1'],
  '@fastify/session': ['10.9.0', '11.1.0'],
  '@fastify/cookie': ['9.4.0', '11.0.2'],
  koa: ['2.15.3'],
  'koa-session': ['6.4.0', '7.0.2'],
  'koa-bodyparser': ['4.4.1'],
  '@koa/router': ['13.1.0'],
  '@nestjs/common': ['10.4.15'],
  '@nestjs/core': ['10.4.15'],
  '@nestjs/platform-express': ['10.4.15'],
  'reflect-metadata': ['0.2.2'],
  rxjs: ['7.8.1'],
  'class-validator': ['0.14.1'],
  'class-transformer': ['0.5.1'],
  react: ['18.3.1'],
  'react-dom': ['18.3.1'],
  zod: ['3.24.1'],
  pg: ['8.13.1'],
  pino: ['9.6.0'],
  '@aws-sdk/client-dynamodb': ['3.721.0'],
  '@aws-sdk/lib-dynamodb': ['3.721.0'],
  typescript: ['5.7.3'],
  vitest: ['2.1.8'],
  supertest: ['7.0.0'],
  '@types/node': ['20.17.10'],
  '@types/express': ['4.17.21', '5.0.0'],
  '@types/express-session': ['1.18.1'],
  '@types/react': ['18.3.18'],
  vite: ['6.0.7'],
};

/** A few real transitive dependencies, so the lockfile is not just the direct ones. */
const TRANSITIVE = {
  'express-session': {
    cookie: '0.7.2',
    'cookie-signature': '1.0.7',
    debug: '2.6.9',
    depd: '2.0.0',
    'on-headers': '1.0.2',
    parseurl: '1.3.3',
    'safe-buffer': '5.2.1',
    'uid-safe': '2.1.5',
  },
  passport: { 'passport-strategy': '1.0.0', pause: '0.0.1', 'utils-merge': '1.0.1' },
  'passport-local': { 'passport-strategy': '1.0.0' },
  'cookie-parser': { cookie: '0.7.2', 'cookie-signature': '1.0.6' },
  'koa-session': { crc: '3.8.0', debug: '4.4.0', 'is-type': '0.0.1', 'uuid-ts': '0.0.0' },
  '@fastify/session': { 'fastify-plugin': '5.0.1', 'safe-stable-stringify': '2.5.0' },
  bcrypt: { '@mapbox/node-pre-gyp': '1.0.11', 'node-addon-api': '5.1.0' },
};

function makePackage(rng, name, framework, passport = null) {
  const deps = {};
  const dev = { typescript: V.typescript[0], vitest: V.vitest[0], '@types/node': V['@types/node'][0] };
  const add = (dep, version) => {
    deps[dep] = version ?? V[dep][0];
  };
  const server = ['express', 'fastify', 'koa', 'nest'].includes(framework);
  if (framework === 'express') {
    const v5 = rng.chance(0.3);
    add('express', V.express[v5 ? 1 : 0]);
    add('express-session');
    add('cookie-parser');
    dev['@types/express'] = V['@types/express'][v5 ? 1 : 0];
    dev['@types/express-session'] = V['@types/express-session'][0];
    dev.supertest = V.supertest[0];
    const wantsPassport = rng.chance(0.6);
    const version = rng.pick(V.passport);
    if (passport || wantsPassport) {
      add('passport', passport ?? version);
      add('passport-local');
    }
  } else if (framework === 'fastify') {
    const v5 = rng.chance(0.5);
    add('fastify', V.fastify[v5 ? 1 : 0]);
    add('@fastify/session', V['@fastify/session'][v5 ? 1 : 0]);
    add('@fastify/cookie', V['@fastify/cookie'][v5 ? 1 : 0]);
  } else if (framework === 'koa') {
    add('koa');
    add('koa-session', rng.pick(V['koa-session']));
    add('koa-bodyparser');
    add('@koa/router');
  } else if (framework === 'nest') {
    for (const d of ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs']) add(d);
    add('class-validator');
    add('class-transformer');
    add('express-session');
    dev['@types/express-session'] = V['@types/express-session'][0];
  } else if (framework === 'web') {
    add('react');
    add('react-dom');
    dev['@types/react'] = V['@types/react'][0];
    dev.vite = V.vite[0];
  }
  if (server) {
    add('bcrypt');
    add('pg');
    add('pino');
  }
  if (framework !== 'web') add('zod');
  if (framework === 'lib' || (server && rng.chance(0.35))) {
    add('@aws-sdk/client-dynamodb');
    add('@aws-sdk/lib-dynamodb');
  }
  const moduleType = (framework === 'express' || framework === 'koa') && rng.chance(0.3) ? 'commonjs' : 'module';
  const entities = rng.sample(ENTITIES, rng.int(3, 7)).map((e) => makeEntity(rng, e));
  return {
    name,
    scopedName: `@acme/${name}`,
    version: `${rng.int(0, 3)}.${rng.int(0, 20)}.${rng.int(0, 9)}`,
    framework,
    moduleType,
    deps,
    dev,
    entities,
    paths: new Set(),
  };
}

function packageJson(pkg, workspaceDeps) {
  const caret = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, `^${v}`]));
  const json = {
    name: pkg.scopedName,
    version: pkg.version,
    private: true,
    ...(pkg.moduleType === 'module' ? { type: 'module' } : {}),
    main: 'dist/index.js',
    scripts: {
      build: pkg.framework === 'web' ? 'vite build' : 'tsc -p tsconfig.json',
      test: 'vitest run',
      ...(pkg.framework === 'web' ? { dev: 'vite' } : { start: 'node dist/server.js' }),
    },
    dependencies: {
      ...caret(pkg.deps),
      ...Object.fromEntries(workspaceDeps.map((w) => [w.scopedName, `^${w.version}`])),
    },
    devDependencies: caret(pkg.dev),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function integrity(name, version) {
  return `sha512-${createHash('sha512').update(`${name}@${version}`).digest('base64')}`;
}

function lockEntry(name, version, extra = {}) {
  const base = name.startsWith('@') ? name.split('/')[1] : name;
  const entry = {
    version,
    resolved: `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`,
    integrity: integrity(name, version),
    license: 'MIT',
    ...extra,
  };
  const t = TRANSITIVE[name];
  if (t) entry.dependencies = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, `^${v}`]));
  return entry;
}

/**
 * npm v7+ lockfile (lockfileVersion 3). The most common version of each dependency is hoisted to
 * the root `node_modules/`; packages that need another version get a nested entry under their own
 * `packages/<name>/node_modules/`, exactly where version-aware rules have to look it up.
 */
function packageLock(rootName, packages, workspaceDepsOf) {
  const entries = {};
  const rootDev = { typescript: `^${V.typescript[0]}`, vitest: `^${V.vitest[0]}` };
  entries[''] = { name: rootName, version: '0.0.0', workspaces: ['packages/*'], devDependencies: rootDev };
  const uses = new Map();
  const note = (dep, version, pkg, dev) => {
    if (!uses.has(dep)) uses.set(dep, new Map());
    const byVersion = uses.get(dep);
    if (!byVersion.has(version)) byVersion.set(version, { pkgs: [], dev: true });
    const u = byVersion.get(version);
    if (pkg) u.pkgs.push(pkg);
    if (!dev) u.dev = false;
  };
  for (const p of packages) {
    for (const [d, v] of Object.entries(p.deps)) note(d, v, p, false);
    for (const [d, v] of Object.entries(p.dev)) note(d, v, p, true);
    entries[`node_modules/${p.scopedName}`] = { resolved: `packages/${p.name}`, link: true };
    const wdeps = workspaceDepsOf(p);
    entries[`packages/${p.name}`] = {
      name: p.scopedName,
      version: p.version,
      dependencies: {
        ...Object.fromEntries(Object.entries(p.deps).map(([k, v]) => [k, `^${v}`])),
        ...Object.fromEntries(wdeps.map((w) => [w.scopedName, `^${w.version}`])),
      },
      devDependencies: Object.fromEntries(Object.entries(p.dev).map(([k, v]) => [k, `^${v}`])),
    };
  }
  for (const [dep, byVersion] of uses) {
    const ranked = [...byVersion.entries()].sort(
      (a, b) => b[1].pkgs.length - a[1].pkgs.length || (a[0] < b[0] ? -1 : 1),
    );
    const [hoisted, info] = ranked[0];
    entries[`node_modules/${dep}`] = lockEntry(dep, hoisted, info.dev ? { dev: true } : {});
    for (const [version, other] of ranked.slice(1)) {
      for (const p of other.pkgs) {
        entries[`packages/${p.name}/node_modules/${dep}`] = lockEntry(dep, version, other.dev ? { dev: true } : {});
      }
    }
    for (const [t, tv] of Object.entries(TRANSITIVE[dep] ?? {})) {
      entries[`node_modules/${t}`] ??= lockEntry(t, tv, info.dev ? { dev: true } : {});
    }
  }
  const sorted = Object.fromEntries(
    Object.entries(entries).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
  );
  return `${JSON.stringify({ name: rootName, version: '0.0.0', lockfileVersion: 3, requires: true, packages: sorted }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

const UTIL_NAMES = [
  'strings',
  'async',
  'collections',
  'dates',
  'numbers',
  'cache',
  'config',
  'events',
  'format',
  'guards',
];

function pathFor(kind, rng, pkg, e) {
  const cjsExt = pkg.moduleType === 'commonjs' ? 'js' : 'cjs';
  switch (kind) {
    case 'dto':
      return pkg.framework === 'web' ? `src/types/${e.kebab}.ts` : `src/dto/${e.kebab}.dto.ts`;
    case 'service':
      return `src/services/${e.kebab}.service.ts`;
    case 'repository':
      return `src/repositories/${e.kebab}.repository.ts`;
    case 'utils':
      return `src/utils/${rng.pick(UTIL_NAMES)}.ts`;
    case 'middleware':
      return `src/middleware/${rng.pick(['request', 'errors', 'limits', 'http'])}.ts`;
    case 'test':
      return `src/__tests__/${e.kebab}.service.test.ts`;
    case 'js-module':
      return pkg.moduleType === 'module' && rng.chance(0.4)
        ? `src/lib/${e.kebab}-${rng.pick(['helpers', 'index', 'store'])}.js`
        : `src/legacy/${e.kebab}-${rng.pick(['helpers', 'store', 'handlers', 'index'])}.${cjsExt}`;
    case 'script':
      return `src/scripts/${rng.pick(['migrate', 'backfill', 'export', 'reindex'])}-${e.kebab}s.mjs`;
    case 'express-routes':
      return `src/routes/${e.kebab}.routes.ts`;
    case 'fastify-routes':
      return `src/routes/${e.kebab}.ts`;
    case 'koa-routes':
      return `src/routes/${e.kebab}.router.ts`;
    case 'nest-controller':
      return `src/${e.kebab}/${e.kebab}.controller.ts`;
    case 'react':
      return `src/components/${e.Name}${rng.pick(['List', 'Panel', 'Page', 'View', 'Editor'])}.tsx`;
    default:
      throw new Error(`no path for kind ${kind}`);
  }
}

function uniquePath(pkg, rel) {
  let candidate = rel;
  const dir = path.posix.dirname(rel);
  const base = path.posix.basename(rel);
  const dot = base.indexOf('.');
  for (let n = 2; pkg.paths.has(candidate); n++) {
    candidate = `${dir}/${base.slice(0, dot)}-${n}${base.slice(dot)}`;
  }
  pkg.paths.add(candidate);
  return candidate;
}

function render(kind, rng, pkg, entities, target) {
  switch (kind) {
    case 'dto':
      return dtoFile(rng, pkg, entities, target);
    case 'service':
      return serviceFile(rng, pkg, entities, target);
    case 'repository':
      return repositoryFile(rng, pkg, entities, target);
    case 'utils':
      return utilsFile(rng, pkg, entities, target);
    case 'middleware':
      return middlewareFile(rng, pkg, entities, target);
    case 'test':
      return testFile(rng, pkg, entities, target);
    case 'script':
      return scriptFile(rng, pkg, entities, target);
    case 'express-routes':
      return expressRoutesFile(rng, pkg, entities, target);
    case 'fastify-routes':
      return fastifyRoutesFile(rng, pkg, entities, target);
    case 'koa-routes':
      return koaRoutesFile(rng, pkg, entities, target);
    case 'nest-controller':
      return nestControllerFile(rng, pkg, entities, target);
    case 'react':
      return reactFile(rng, pkg, entities, target);
    default:
      throw new Error(`no template for kind ${kind}`);
  }
}

/**
 * Builds the whole corpus in memory. Returns `files` (source files, sorted by path, with their
 * kind and whether they are session-relevant/vulnerable), `meta` (package.json and lockfiles,
 * not counted as lines) and totals.
 */
export function planCorpus({ lines = DEFAULT_LINES, seed = DEFAULT_SEED } = {}) {
  if (!Number.isInteger(lines) || lines < 1000)
    throw new RangeError(`--lines must be an integer >= 1000, got ${lines}`);
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`--seed must be a non-negative integer, got ${seed}`);
  const rng = new Rng(seed);
  const packageCount = Math.max(3, Math.round(lines / 20_000));
  const words = rng.shuffle(PACKAGE_WORDS);
  const packages = [];
  for (let i = 0; i < packageCount; i++) {
    const name = i < words.length ? words[i] : `${words[i % words.length]}-${Math.floor(i / words.length) + 1}`;
    // Whatever the dice say: a back end on a current passport, a library and a front end; and,
    // once there is room, a second back end pinned to a passport that does not regenerate the
    // session on login, so version-aware rules see both facts.
    const fixed = [
      ['express', '0.7.0'],
      ['lib', null],
      ['web', null],
      ['express', '0.5.0'],
    ];
    const [framework, passport] = fixed[i] ?? [rng.weighted(FRAMEWORKS), null];
    packages.push(makePackage(rng.fork(), name, framework, passport));
  }
  const libs = packages.filter((p) => p.framework === 'lib');
  const workspaceDeps = new Map(packages.map((p) => [p, p.framework === 'lib' ? [] : [rng.pick(libs)]]));

  const files = [];
  let total = 0;
  let sessionDebt = rng.float();
  while (lines - total >= MIN_FILE_LINES) {
    const fileRng = rng.fork();
    const remaining = lines - total;
    // Aim a little above the minimum: a template may trim a trailing blank line or two.
    const floor = MIN_FILE_LINES + 5;
    const target =
      remaining <= MAX_TARGET + floor
        ? Math.max(floor, Math.min(remaining, MAX_TARGET))
        : floor + Math.floor((MAX_TARGET - floor) * fileRng.float() ** 1.6);
    // Error diffusion rather than a coin flip per file: small corpora still get their 5%.
    sessionDebt += SESSION_SHARE;
    const session = sessionDebt >= 1;
    if (session) sessionDebt -= 1;

    const pkg = fileRng.pick(packages);
    const entities = fileRng.sample(pkg.entities, fileRng.int(1, 2));
    let kind;
    let rel;
    let text;
    let vulnerable = false;
    if (session) {
      const options = SESSION_KINDS[pkg.framework].filter(([, , , , needs]) => !needs || pkg.deps[needs]);
      const [k, , stem, ext] = fileRng.weighted(options.map((o) => [o, o[1]]));
      kind = k;
      const realExt = ext === 'cjs' && pkg.moduleType === 'commonjs' ? 'js' : ext;
      rel = uniquePath(pkg, `src/${stem}.${realExt}`);
      ({ text, vulnerable } = sessionFile(kind, fileRng, pkg, entities, target));
    } else {
      kind = fileRng.weighted(KINDS[pkg.framework]);
      rel = uniquePath(pkg, pathFor(kind, fileRng, pkg, entities[0]));
      text =
        kind === 'js-module'
          ? jsModuleFile(fileRng, pkg, entities, target, /\.c?js$/.test(rel) && !rel.startsWith('src/lib/'))
          : render(kind, fileRng, pkg, entities, target);
    }
    const n = countLines(text);
    total += n;
    files.push({ path: `packages/${pkg.name}/${rel}`, text, lines: n, kind, session, vulnerable });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const rootName = 'acme-platform';
  const meta = [
    {
      path: 'package.json',
      text: `${JSON.stringify(
        {
          name: rootName,
          version: '0.0.0',
          private: true,
          workspaces: ['packages/*'],
          scripts: { build: 'npm run build --workspaces', test: 'npm test --workspaces' },
          devDependencies: { typescript: `^${V.typescript[0]}`, vitest: `^${V.vitest[0]}` },
        },
        null,
        2,
      )}\n`,
    },
    { path: 'package-lock.json', text: packageLock(rootName, packages, (p) => workspaceDeps.get(p)) },
    { path: '.gitignore', text: 'node_modules/\ndist/\ncoverage/\n' },
    ...packages.map((p) => ({ path: `packages/${p.name}/package.json`, text: packageJson(p, workspaceDeps.get(p)) })),
    ...packages.flatMap((p) => ignoredFiles(p)),
  ];
  return {
    lines,
    seed,
    files,
    meta,
    totalLines: total,
    packages: packages.map((p) => ({ name: p.name, framework: p.framework, moduleType: p.moduleType, deps: p.deps })),
  };
}

/**
 * Two `.gitignore` files per package (about one per 10,000 lines: medusa has 54 in 494k lines), with
 * what real ones hold: anchored build directories, globs, a `**` pattern, a negation, a directory that
 * ignores everything in it but itself. Each comes with source files it ignores, which a scan must not
 * read and which git never commits. They are `meta`: not counted as lines, never scanned.
 */
function ignoredFiles(pkg) {
  const root = `packages/${pkg.name}`;
  return [
    {
      path: `${root}/.gitignore`,
      text: [
        '# build output',
        '/dist',
        '/build/',
        '*.tsbuildinfo',
        '.env*',
        '!.env.example',
        'src/**/*.generated.ts',
        '!src/**/keep.generated.ts',
        'coverage',
        '',
      ].join('\n'),
    },
    { path: `${root}/src/generated/.gitignore`, text: '# written by the API client generator\n*\n!.gitignore\n' },
    { path: `${root}/src/generated/client.ts`, text: 'export const generatedClient = { version: 1 };\n' },
    { path: `${root}/src/models.generated.ts`, text: 'export const generatedModels: string[] = [];\n' },
    { path: `${root}/build/server.js`, text: 'module.exports = { built: true };\n' },
  ];
}

/** sha256 over every path and content, in path order: one value to compare whole corpora by. */
export function corpusHash(plan) {
  const h = createHash('sha256');
  for (const f of [...plan.meta, ...plan.files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    h.update(f.path);
    h.update('\0');
    h.update(f.text);
    h.update('\0');
  }
  return h.digest('hex');
}

export async function writeCorpus(plan, dir) {
  const all = [...plan.meta, ...plan.files];
  const dirs = new Set(all.map((f) => path.dirname(path.join(dir, f.path))));
  for (const d of [...dirs].sort()) await mkdir(d, { recursive: true });
  // Bounded concurrency: thousands of parallel writes exhaust file descriptors on small machines.
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < all.length) {
        const f = all[next++];
        await writeFile(path.join(dir, f.path), f.text);
      }
    }),
  );
}

function git(dir, args, extraEnv = {}) {
  const env = { ...process.env, ...extraEnv };
  // A bench run from inside a git hook inherits these, and they would point git at the project repo.
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX']) delete env[k];
  const r = spawnSync(
    'git',
    ['-c', 'user.name=fixate-bench', '-c', 'user.email=bench@fixate.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd: dir, env, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}: ${r.stderr || r.error}`);
  return r.stdout;
}

/**
 * Makes the corpus its own git repository with two commits, the second touching one file, so
 * `--changed-since HEAD~1` has exactly one changed file to report on. Fixed dates keep the
 * commit ids stable across regenerations.
 */
function gitInit(dir, plan) {
  const date = '2024-01-01T00:00:00Z';
  const env = { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '.']);
  git(dir, ['commit', '-q', '--no-verify', '-m', 'Generated benchmark corpus'], env);
  const touched = plan.files.find((f) => f.session && f.vulnerable) ?? plan.files[0];
  return touched.path;
}

async function touchAndCommit(dir, rel) {
  const date = '2024-01-02T00:00:00Z';
  const abs = path.join(dir, rel);
  await writeFile(abs, `${await readFile(abs, 'utf8')}// reviewed for the --changed-since benchmark\n`);
  git(dir, ['commit', '-q', '--no-verify', '-am', 'Touch one file'], {
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  });
}

/**
 * The project's `biome check .` globs include `bench/**`, and a generated corpus (deliberately
 * full of unused imports and vulnerable code) would fail `npm test` and be rewritten by
 * `biome check --write`. A nested Biome config that excludes everything keeps it out. (tsc skips
 * dot-directories on its own.)
 */
export async function shieldFromProjectTools(root) {
  await mkdir(root, { recursive: true });
  const biome = path.join(root, 'biome.json');
  if (!existsSync(biome)) {
    await writeFile(biome, `${JSON.stringify({ root: false, files: { includes: ['!**'] } }, null, 2)}\n`);
  }
}

export function corpusDir(lines, seed, root = CORPUS_ROOT) {
  return path.join(root, `lines-${lines}-seed-${seed}`);
}

/**
 * Returns the corpus directory for (lines, seed), generating it only when its stamp is missing or
 * from another generator version. The stamp sits beside the corpus, not in it, so nothing but
 * the generated project is scanned.
 */
export async function ensureCorpus({
  lines = DEFAULT_LINES,
  seed = DEFAULT_SEED,
  root = CORPUS_ROOT,
  force = false,
  log = () => {},
} = {}) {
  const dir = corpusDir(lines, seed, root);
  const stampPath = `${dir}.stamp.json`;
  if (!force && existsSync(stampPath) && existsSync(dir)) {
    try {
      const stamp = JSON.parse(await readFile(stampPath, 'utf8'));
      if (stamp.generatorVersion === GENERATOR_VERSION) return { dir, stamp, generated: false };
    } catch {
      // Unreadable stamp: regenerate.
    }
  }
  await shieldFromProjectTools(root);
  log(`generating corpus: ${lines} lines, seed ${seed} → ${path.relative(process.cwd(), dir)}`);
  const t0 = performance.now();
  await rm(stampPath, { force: true });
  await rm(dir, { recursive: true, force: true });
  const plan = planCorpus({ lines, seed });
  await writeCorpus(plan, dir);
  let touchedFile = null;
  let gitError = null;
  try {
    touchedFile = gitInit(dir, plan);
    await touchAndCommit(dir, touchedFile);
  } catch (err) {
    gitError = String(err.message ?? err);
  }
  const stamp = {
    generatorVersion: GENERATOR_VERSION,
    lines,
    seed,
    files: plan.files.length,
    totalLines: plan.totalLines,
    sessionFiles: plan.files.filter((f) => f.session).length,
    vulnerableFiles: plan.files.filter((f) => f.vulnerable).length,
    packages: plan.packages.length,
    contentHash: corpusHash(plan),
    touchedFile,
    gitError,
  };
  await writeFile(stampPath, `${JSON.stringify(stamp, null, 2)}\n`);
  log(`generated ${stamp.files} files, ${stamp.totalLines} lines in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, stamp, generated: true };
}

async function main() {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: String(DEFAULT_LINES) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const lines = Number(values.lines);
  const seed = Number(values.seed);
  const { dir, stamp } = await ensureCorpus({
    lines,
    seed,
    root: values.out ? path.resolve(values.out) : CORPUS_ROOT,
    force: values.force,
    log: (m) => console.error(m),
  });
  console.log(JSON.stringify({ dir, ...stamp }, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
