import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const multitoolDir = join(require.resolve('@microsoft/sarif-multitool-linux/package.json'), '..');
export const MULTITOOL = join(multitoolDir, 'Sarif.Multitool');
export const SCHEMA_PATH = join(multitoolDir, 'sarif-2.1.0.json');
export const multitoolRuns = process.platform === 'linux' && process.arch === 'x64';

let schemaValidator: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;

/** Errors of the official SARIF 2.1.0 schema (draft 2020-12, hence ajv's 2020 build). */
export function sarifSchemaErrors(log: unknown): unknown[] {
  if (!schemaValidator) {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    schemaValidator = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  return schemaValidator(log) ? [] : [...(schemaValidator.errors ?? [])];
}

/**
 * Notes we accept, each for a reason: SARIF2002 (GitHub requires message.text, GH1015), SARIF2003
 * (version control data is the CLI's to add, reporters are pure), SARIF2006 (no network in tests),
 * SARIF2009 (rule ids are kebab-case by design, see docs/architecture.md).
 */
export const ACCEPTED_NOTES = new Set(['SARIF2002', 'SARIF2003', 'SARIF2006', 'SARIF2009']);

/**
 * Runs the native `Sarif.Multitool validate --rule-kind "Sarif;Ghas"` (GitHub's ingestion rules) —
 * not the npm wrapper, whose shell would split "Sarif;Ghas" — and returns what it reports.
 */
export async function multitoolResults(sarif: string): Promise<Sarif.Result[]> {
  try {
    accessSync(MULTITOOL, constants.X_OK);
  } catch {
    // npm 11 can skip the package's postinstall chmod.
    chmodSync(MULTITOOL, 0o755);
  }
  const dir = mkdtempSync(join(tmpdir(), 'fixate-sarif-'));
  try {
    const input = join(dir, 'log.sarif');
    // The validator refuses to overwrite its output, and this build rejects `--log ForceOverwrite`.
    const output = join(dir, 'validation.sarif');
    writeFileSync(input, sarif);
    await promisify(execFile)(
      MULTITOOL,
      ['validate', '--rule-kind', 'Sarif;Ghas', '--level', 'Error;Warning;Note', '--output', output, input],
      { env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' }, timeout: 120_000 },
    );
    return (JSON.parse(readFileSync(output, 'utf8')) as Sarif.Log).runs[0].results ?? [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Validator results that matter: errors, warnings, and notes we have not accepted with a reason. */
export function seriousMultitoolResults(results: Sarif.Result[]): string[] {
  return results
    .filter((r) => r.level !== 'note' || !ACCEPTED_NOTES.has(r.ruleId ?? ''))
    .map((r) => `${r.level ?? 'warning'} ${r.ruleId}: ${JSON.stringify(r.message)}`);
}

/**
 * The two validations every SARIF a demo produces must pass: the official schema, and Multitool's
 * `validate --rule-kind "Sarif;Ghas"` without errors or warnings (where the Multitool binary runs).
 */
export function itPassesSarifValidation(sarif: () => string): void {
  it('validates against the official SARIF 2.1.0 schema', () => {
    expect(sarifSchemaErrors(JSON.parse(sarif()))).toEqual([]);
  });

  it.runIf(multitoolRuns)(
    'passes Sarif.Multitool validate --rule-kind "Sarif;Ghas" with no errors or warnings',
    async () => {
      expect(seriousMultitoolResults(await multitoolResults(sarif()))).toEqual([]);
    },
  );
}
