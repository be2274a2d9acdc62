import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateAction } from '@action-validator/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain script without type declarations
import { renderActionInputs, replaceActionInputs } from '../../scripts/action-readme.mjs';
import { ensureBuilt, repoRoot } from './built.js';
import { APP_TS, cli, LOGIN_TS, PACKAGE_JSON, tempRepo, writeFiles } from './temp-project.js';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const actionText = readFileSync(path.join(repoRoot, 'action.yml'), 'utf8');
const action = parse(actionText) as Action;
const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;

describe('action.yml', () => {
  it("is valid action metadata by SchemaStore's github-action schema (as @action-validator/core ships it)", () => {
    expect(validateAction(actionText).errors).toEqual([]);
    // The validator can fail: a composite step without a shell is an error.
    expect(validateAction(actionText.replace('      shell: bash\n', '')).errors).not.toEqual([]);
  });

  it('passes every input to the scan step, and uploads in an always() step', () => {
    const scan = action.runs.steps.find((s) => s.id === 'scan')!;
    for (const name of Object.keys(action.inputs)) {
      expect(scan.env?.[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`]).toBe(`\${{ inputs.${name} }}`);
    }
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.if).toMatch(/^always\(\) && inputs\.upload == 'true'/);
    expect(upload.with?.sarif_file).toBe(`\${{ steps.scan.outputs.sarif-file }}`);
  });

  it("is documented by the README's generated inputs table", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme, 'run `npm run readme:action`').toBe(replaceActionInputs(readme, renderActionInputs(actionText)));
  });
});

/**
 * Runs the scan step as the runner would: `${{ … }}` in its env evaluated (only the forms action.yml
 * uses), bash, and fake GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. `npx` is a stub on PATH that
 * records its arguments and runs the built CLI, so nothing is downloaded.
 */
function runScanStep(dir: string, inputs: Record<string, string>) {
  const step = action.runs.steps.find((s) => s.id === 'scan')!;
  const github: Record<string, string> = { action_path: repoRoot, job: 'security' };
  const evaluate = (value: string) =>
    value.replace(/\$\{\{\s*(inputs|github)\.([\w-]+)\s*\}\}/g, (_, scope: string, name: string) =>
      scope === 'inputs' ? (inputs[name] ?? action.inputs[name]?.default ?? '') : (github[name] ?? ''),
    );
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v)]));
  const bin = path.join(dir, '.stub-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    path.join(bin, 'npx'),
    `#!/usr/bin/env bash\nprintf '%s\\n' "$@" > "${path.join(dir, '.npx-args')}"\n[ "$1" = --yes ] || exit 99\nshift 2\nexec node "${path.join(repoRoot, 'bin/fixate.js')}" "$@"\n`,
  );
  chmodSync(path.join(bin, 'npx'), 0o755);
  const files = { GITHUB_OUTPUT: path.join(dir, '.output'), GITHUB_STEP_SUMMARY: path.join(dir, '.summary') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const run = spawnSync('bash', ['-e', '-c', step.run!], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME, ...files, ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(files.GITHUB_OUTPUT, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );
  return {
    code: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    outputs,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    npxArgs: readFileSync(path.join(dir, '.npx-args'), 'utf8').trim().split('\n'),
  };
}

describe("the action's scan step", () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempRepo('action', { 'package.json': PACKAGE_JSON, 'src/app.ts': APP_TS, '.gitignore': '.stub-bin\n' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the action's own version with npx, writes the outputs and a summary table, and fails on findings", () => {
    const r = runScanStep(dir, {});
    expect(r.code, r.stderr).toBe(1);
    expect(r.npxArgs.slice(0, 3)).toEqual(['--yes', `fixate@${version}`, '.']);
    expect(r.outputs).toEqual({
      category: 'security/.',
      'sarif-file': 'fixate.sarif',
      errors: '1',
      warnings: '0',
      notes: '0',
    });
    expect(r.stdout).toContain('src/app.ts:5:27  error  hardcoded-session-secret');
    expect(r.stdout).not.toContain('::error');
    expect(r.summary).toContain('| severity | rule | location | message |');
    expect(r.summary).toContain('| error | hardcoded-session-secret | src/app.ts:5 |');
    const sarif = JSON.parse(readFileSync(path.join(dir, 'fixate.sarif'), 'utf8'));
    expect(sarif.runs[0].automationDetails.id).toBe('security/./');
  });

  it('annotates when upload is off, reports only new findings against a baseline, and takes a version', async () => {
    expect((await cli(dir, ['baseline', '-q'])).code).toBe(0);
    writeFiles(dir, { 'src/login.ts': LOGIN_TS });
    const r = runScanStep(dir, {
      upload: 'false',
      baseline: '.fixate-baseline.json',
      version: '9.9.9',
      paths: 'src',
      'sarif-file': 'out/report.sarif',
      args: '--include-tests --quiet',
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.npxArgs).toContain('fixate@9.9.9');
    expect(r.npxArgs.slice(-2)).toEqual(['--include-tests', '--quiet']);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^::error file=src\/login\.ts,line=6,col=3,.*title=fixate missing-session-regeneration::/),
      'fixate: 1 finding; 1 known finding in the baseline left out.',
    ]);
    expect(r.outputs).toMatchObject({ category: 'security/src', 'sarif-file': 'out/report.sarif', errors: '1' });
    expect(r.summary).toContain('1 known findings in the baseline left out.');
    expect(r.summary).not.toContain('hardcoded-session-secret');
  });

  it('exits 0 with an empty table when nothing is new', () => {
    const r = runScanStep(dir, { baseline: '.fixate-baseline.json', paths: 'src/app.ts' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ errors: '0', warnings: '0', notes: '0' });
    expect(r.summary).toContain('No new findings.');
  });
});
