import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isTestPackage,
  isTestPath,
  mayImportTestPath,
  moduleSpecifiers,
  TEST_DIRECTORIES,
  TEST_FILE_MARKERS,
} from '../../src/engine/test-code.js';
import { scan } from '../../src/index.js';
import type { ScanResult } from '../../src/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const project = path.join(root, 'fixtures/projects/test-code');

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the test-code fixture project, at `relative` below a fresh temporary directory. */
function copyProject(relative = 'project'): string {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'fixate-test-code-'));
  tempDirs.push(temp);
  const copy = path.join(temp, relative);
  mkdirSync(path.dirname(copy), { recursive: true });
  cpSync(project, copy, { recursive: true });
  return copy;
}

const summary = (result: ScanResult) =>
  result.findings.map((f) => `${f.location.path}:${f.location.region.startLine} ${f.ruleId} ${f.severity}`);

describe('test code by path', () => {
  it.each([
    'test/app.ts',
    'tests/helpers/login.ts',
    'src/__tests__/login.ts',
    'src/__mocks__/express-session.ts',
    'src/__fixtures__/app.js',
    'spec/support/app.js',
    'e2e/checkout.ts',
    'cypress/support/commands.ts',
    'test-d/index.ts',
    'src/login.test.ts',
    'src/login.spec.tsx',
    'src/login.test.mjs',
    'index.test-d.ts',
    'src/types.spec-d.ts',
    'test/app.e2e-spec.ts',
    'src/checkout.e2e.ts',
    'cypress-free/login.cy.ts',
    'packages/api/Tests/app.ts',
    'types/index.tst.ts',
    'typetests/session.test.ts',
    'src/__typetests__/options.ts',
    'benchmark/bench.js',
    'benchmarks/scan.ts',
    'src/session.bench.ts',
    'src/store.benchmark.mjs',
  ])('%s is test code', (file) => {
    expect(isTestPath(file)).toBe(true);
  });

  it.each([
    'src/attestation.ts',
    'src/latest.ts',
    'src/contest-entries.ts',
    'src/testing/fixtures.ts',
    'fixtures/app.ts',
    'src/mocks/session.ts',
    'src/test-utils.ts',
    'src/spec.ts',
    'src/testimonials/routes.ts',
    'src/specs.ts',
    'src/login.tests.ts',
    'src/workbench/session.ts',
    'src/bench/routes.ts',
    'src/benchmarking.ts',
    'src/tst.ts',
  ])('%s is not', (file) => {
    expect(isTestPath(file)).toBe(false);
  });
});

describe('test code by what it imports', () => {
  it.each([
    'vitest',
    'vitest/config',
    'jest',
    '@jest/globals',
    'mocha',
    'ava',
    'tap',
    'node:test',
    'supertest',
    'tsd',
    'tstyche',
    '@playwright/test',
    'chai',
    '@testing-library/react',
  ])('%s is a test package', (specifier) => {
    expect(isTestPackage(specifier)).toBe(true);
  });

  it.each(['test', 'playwright', 'node:assert', 'vitesse', 'jest-worker-pool', 'express', './test/app.js'])(
    '%s is not',
    (specifier) => {
      expect(isTestPackage(specifier)).toBe(false);
    },
  );

  it('reads imports, re-exports and requires, but not comments or strings', () => {
    const text = [
      "import { describe } from 'vitest';",
      "export * from './helpers.js';",
      "const request = require('supertest');",
      "// import { it } from 'jest'",
      'const example = "import x from \'mocha\'";',
    ].join('\n');
    expect(moduleSpecifiers(text)).toEqual(['vitest', './helpers.js', 'supertest']);
  });
});

describe('the cheap gate for imports of test support', () => {
  it('lets through a relative specifier into every test directory and with every test file marker', () => {
    for (const directory of TEST_DIRECTORIES) {
      expect(mayImportTestPath(`import { app } from '../${directory}/app.js';`), directory).toBe(true);
      expect(mayImportTestPath(`require("./${directory}")`), directory).toBe(true);
    }
    for (const marker of TEST_FILE_MARKERS) {
      expect(mayImportTestPath(`import { app } from './app.${marker}.js';`), marker).toBe(true);
    }
  });

  it('stops files whose specifiers cannot reach test code', () => {
    expect(mayImportTestPath("import { x } from './routes.js';\nif (/\\d/.test(s)) run();")).toBe(false);
    expect(mayImportTestPath("import { describe } from 'vitest';")).toBe(false);
  });
});

describe("fixate's own fixtures", () => {
  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.[cm]?[jt]sx?$/.test(entry.name))
      .map((entry) => path.join(entry.parentPath, entry.name));
  }

  it('are not test code, by path below the repository or by imports (only fixtures/projects/test-code is)', () => {
    const rulesDir = path.join(root, 'rules');
    const dirs = [
      ...readdirSync(rulesDir).map((id) => path.join(rulesDir, id, 'fixtures')),
      ...readdirSync(path.join(root, 'fixtures/projects'))
        .filter((name) => name !== 'test-code')
        .map((name) => path.join(root, 'fixtures/projects', name)),
    ];
    const files = dirs.flatMap((dir) => {
      try {
        return sources(dir);
      } catch {
        return [];
      }
    });
    expect(files.length).toBeGreaterThan(50);
    const classified = files.filter((file) => {
      const relative = path.relative(root, file).split(path.sep).join('/');
      return isTestPath(relative) || moduleSpecifiers(readFileSync(file, 'utf8')).some(isTestPackage);
    });
    expect(classified).toEqual([]);
  });
});

describe('scanning a project with test code', () => {
  it('leaves test-code findings out and counts them, keeping the secret of test support production imports', async () => {
    const dir = copyProject();
    const result = await scan({ paths: [dir], cwd: dir });
    expect(summary(result)).toEqual([
      'src/contest-entries.ts:6 hardcoded-session-secret error',
      'src/testing/seed-session.ts:4 hardcoded-session-secret error',
      'test/support/demo-app.ts:8 hardcoded-session-secret error',
    ]);
    expect(result.findings.some((f) => f.testCode)).toBe(false);
    expect(result.stats.testFindingsLeftOut).toBe(17);
    expect(result.stats.bySeverity).toEqual({ error: 3, warning: 0, note: 0 });
  });

  it('with includeTests, reports them as notes marked testCode, and the shipped secret unchanged', async () => {
    const dir = copyProject();
    const result = await scan({ paths: [dir], cwd: dir, includeTests: true });
    expect(result.stats.testFindingsLeftOut).toBe(0);
    expect(result.stats.bySeverity).toEqual({ error: 3, warning: 0, note: 17 });
    const fromTests = result.findings.filter((f) => f.testCode);
    expect(fromTests).toHaveLength(17);
    expect(fromTests.every((f) => f.severity === 'note')).toBe(true);
    expect(new Set(fromTests.map((f) => f.location.path))).toEqual(
      new Set([
        'e2e/checkout.ts',
        'src/__tests__/sign-in.ts',
        'src/invoices.spec.ts',
        'src/session-harness.ts',
        'test/support/demo-app.ts',
        'test/support/fake-login.ts',
        'types/session.test-d.ts',
      ]),
    );
    const shipped = result.findings.find(
      (f) => f.location.path === 'test/support/demo-app.ts' && f.ruleId === 'hardcoded-session-secret',
    );
    expect(shipped).toMatchObject({ severity: 'error' });
    expect(shipped?.testCode).toBeUndefined();
  });

  it('leaves out the test-support secret once no production file imports it', async () => {
    const dir = copyProject();
    rmSync(path.join(dir, 'src/demo-server.ts'));
    const result = await scan({ paths: [dir], cwd: dir });
    expect(summary(result)).not.toContain('test/support/demo-app.ts:8 hardcoded-session-secret error');
    expect(result.stats.testFindingsLeftOut).toBe(18);
  });

  it('classifies below the scanned directory, so a project that sits under test/ is not all test code', async () => {
    const dir = copyProject('test/checkouts/project');
    const result = await scan({ paths: [dir], cwd: dir });
    expect(summary(result)).toHaveLength(3);
    expect(result.stats.testFindingsLeftOut).toBe(17);
  });
});
