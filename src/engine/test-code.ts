import path from 'node:path';
import { ts } from '#typescript';
import type { Finding } from '../types.js';

/**
 * Test code: files that only a test runner loads. Their sessions are throwaway (`secret: 'test'`, a
 * fake-login route), and on real repositories such findings outnumber the real ones, so they are
 * left out of the report unless asked for (see README, "Test code").
 *
 * The lists follow the default configuration of the runners and tools named, so a file counts as
 * test code only where a standard setup would run it as a test or load it only from tests:
 *
 * - directories: `test/`, `tests/` (mocha, tap, ava, node --test), `__tests__/`, `__mocks__/` (jest),
 *   `__fixtures__/` (jest convention for test inputs), `spec/` (jasmine's `spec_dir`), `e2e/`
 *   (Playwright, Angular, NestJS e2e suites), `cypress/` (everything Cypress loads), `test-d/` (tsd),
 *   `typetests/` and `__typetests__/` (tstyche), and `benchmark/`, `benchmarks/` (code run by hand to
 *   time a package, never deployed: a decision, not a runner default);
 * - file names: `*.test.*`, `*.spec.*` (jest, vitest, Playwright), `*.test-d.*`, `*.spec-d.*` (vitest
 *   typecheck, tsd), `*.tst.*` (tstyche), `*.e2e-spec.*` (NestJS), `*.e2e.*`, `*.cy.*` (Cypress),
 *   `*.bench.*`, `*.benchmark.*` (vitest bench).
 *
 * Deliberately not test code: `fixtures/` (also seed data and fixate's own rule fixtures), `mocks/`,
 * `testing/` (libraries that ship test utilities, like `@nestjs/testing` or fixate's `src/testing`),
 * and names that merely contain "test" (`attestation.ts`, `latest.ts`).
 */
export const TEST_DIRECTORIES: ReadonlySet<string> = new Set([
  'test',
  'tests',
  '__tests__',
  '__mocks__',
  '__fixtures__',
  'spec',
  'e2e',
  'cypress',
  'test-d',
  'typetests',
  '__typetests__',
  'benchmark',
  'benchmarks',
]);

export const TEST_FILE_MARKERS: readonly string[] = [
  'test',
  'spec',
  'test-d',
  'spec-d',
  'tst',
  'e2e-spec',
  'e2e',
  'cy',
  'bench',
  'benchmark',
];

const TEST_FILE_NAME = new RegExp(`\\.(?:${TEST_FILE_MARKERS.join('|')})\\.[^./]+$`);

/**
 * Python test modules by the runners' default discovery: pytest and unittest (`test_*.py`,
 * `*_test.py`), Django's per-app `tests.py`, and pytest's `conftest.py` (fixtures, loaded only by pytest).
 */
const PYTHON_TEST_FILE_NAME = /^(?:test_.*|.*_test|tests|conftest)\.py$/;

/**
 * Packages whose only purpose is running or writing tests: test runners, type-test tools, and the
 * assertion, HTTP-testing and test-double libraries that production code has no use for. `playwright`
 * itself (browser automation, also used by production scrapers) and `node:assert` are not here.
 * A scoped entry ending in `/` stands for every package of the scope.
 */
export const TEST_PACKAGES: readonly string[] = [
  'vitest',
  'jest',
  '@jest/globals',
  'mocha',
  'ava',
  'tap',
  'uvu',
  'jasmine',
  'node:test',
  'bun:test',
  '@playwright/test',
  'cypress',
  'tsd',
  'tstyche',
  'expect-type',
  'supertest',
  'chai',
  'sinon',
  'nock',
  '@testing-library/',
];

/**
 * True when a path (relative to the directory that was scanned, POSIX) names test code by its
 * directories or its file name. Matched case-insensitively: `Tests/` is as much a test directory.
 */
export function isTestPath(relativePath: string): boolean {
  const segments = relativePath.toLowerCase().split('/');
  const name = segments.pop() ?? '';
  return (
    segments.some((segment) => TEST_DIRECTORIES.has(segment)) ||
    TEST_FILE_NAME.test(name) ||
    PYTHON_TEST_FILE_NAME.test(name)
  );
}

export function isTestPackage(specifier: string): boolean {
  return TEST_PACKAGES.some((name) =>
    name.endsWith('/') ? specifier.startsWith(name) : specifier === name || specifier.startsWith(`${name}/`),
  );
}

/**
 * Module specifiers the file imports, re-exports or requires, read by the TypeScript scanner: unlike
 * a text search it skips comments and strings, so a comment mentioning `from 'vitest'` does not hide
 * a production file's findings.
 */
export function moduleSpecifiers(text: string): string[] {
  try {
    return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
  } catch {
    return [];
  }
}

/**
 * Any relative specifier that could reach a test path: a file outside test directories can only reach
 * one by naming the directory or the file marker in the specifier, so files without such a string
 * need no scanner pass. `test/test-code.test.ts` checks that every directory and marker matches.
 */
const RELATIVE_TEST_SPECIFIER = /['"`]\.\.?\/[^'"`\r\n]*?(?:test|spec|mock|e2e|cypress|fixture|bench|\.tst\b|\.cy\b)/i;

export function mayImportTestPath(text: string): boolean {
  return RELATIVE_TEST_SPECIFIER.test(text);
}

export type TestCodeReason = 'path' | 'imports';

/**
 * Classifies the files of one scan and remembers which test-path files production code imports.
 * Paths are classified below the scanned directory that holds them, so pointing fixate at a
 * directory (a fixture, a copy under `/tmp/test-…`) never makes the directory itself test code.
 */
export class TestCodeClassifier {
  private readonly reasons = new Map<string, TestCodeReason | undefined>();
  private readonly importedByProduction = new Set<string>();

  constructor(
    /** Absolute scan targets (directories or files). */
    private readonly targets: string[],
    private readonly srcRoot: string,
    /** A relative specifier of `fromAbsPath` to the absolute file it names, or undefined. */
    private readonly resolve: (fromAbsPath: string, specifier: string) => string | undefined,
  ) {}

  /** The path that is classified: below the outermost scanned directory holding the file. */
  classifiedPath(absPath: string): string {
    let best: string | undefined;
    for (const target of this.targets) {
      const relative = path.relative(target, absPath);
      if (relative === '') return path.basename(absPath);
      if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
      if (best === undefined || relative.length > best.length) best = relative;
    }
    return (best ?? path.relative(this.srcRoot, absPath)).split(path.sep).join('/');
  }

  isTestPath(absPath: string): boolean {
    return isTestPath(this.classifiedPath(absPath));
  }

  /** Why the file is test code (its path, or a test package it imports), or undefined for production code. */
  reason(absPath: string, text: () => string): TestCodeReason | undefined {
    if (this.reasons.has(absPath)) return this.reasons.get(absPath);
    const reason: TestCodeReason | undefined = this.isTestPath(absPath)
      ? 'path'
      : moduleSpecifiers(text()).some(isTestPackage)
        ? 'imports'
        : undefined;
    this.reasons.set(absPath, reason);
    return reason;
  }

  /**
   * Called with every file the scan reads (pre-filtered ones too: an entry point that never mentions
   * a session can still import a test harness that builds one). When a production file imports a
   * test-path file, that file is test support that ships.
   */
  noteRead(absPath: string, text: string): void {
    if (this.isTestPath(absPath) || !mayImportTestPath(text)) return;
    const specifiers = moduleSpecifiers(text);
    if (specifiers.some(isTestPackage)) return;
    for (const specifier of specifiers) {
      if (!specifier.startsWith('.')) continue;
      const target = this.resolve(absPath, specifier);
      if (target && this.isTestPath(target)) this.importedByProduction.add(target);
    }
  }

  isImportedByProduction(absPath: string): boolean {
    return this.importedByProduction.has(absPath);
  }
}

export interface TestCodePolicy {
  /** Report findings in test code as notes tagged `test` instead of leaving them out. */
  includeTests: boolean;
  /** Rules whose findings in test support imported by production code stay reported as they are. */
  keptInImportedTestSupport: ReadonlySet<string>;
  /** The absolute path of a finding path (relative to the source root). */
  absPathOf(findingPath: string): string;
  /** The text of a scanned file, read only when its path does not already decide. */
  textOf(absPath: string): string;
}

/**
 * Splits findings by where they are: production findings are kept, test-code findings are left out
 * (or, with `includeTests`, lowered to notes and marked `testCode`). Returns how many were left out.
 */
export function applyTestCodePolicy(
  findings: Finding[],
  classifier: TestCodeClassifier,
  policy: TestCodePolicy,
): { findings: Finding[]; leftOut: number } {
  const kept: Finding[] = [];
  let leftOut = 0;
  for (const finding of findings) {
    const absPath = policy.absPathOf(finding.location.path);
    const reason = classifier.reason(absPath, () => policy.textOf(absPath));
    if (!reason) {
      kept.push(finding);
    } else if (policy.keptInImportedTestSupport.has(finding.ruleId) && classifier.isImportedByProduction(absPath)) {
      kept.push(finding);
    } else if (policy.includeTests) {
      kept.push({ ...finding, severity: 'note', testCode: true });
    } else {
      leftOut++;
    }
  }
  return { findings: kept, leftOut };
}
