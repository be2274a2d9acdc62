import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { scanWithRules } from '../../src/engine/scan.js';
import { primaryLocationLineHashes } from '../../src/engine/fingerprint.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-fingerprint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('hashes lines as GitHub reads the file: a byte-order mark stays in line 1', async () => {
  const source = "import session from 'express-session'; export default session({ secret: 'keyboard cat' });\n";
  writeFileSync(path.join(dir, 'app.ts'), `\uFEFF${source}`);
  const result = await scanWithRules({ paths: [dir], cwd: dir }, await loadRules());
  const finding = result.findings.find((f) => f.ruleId === 'hardcoded-session-secret');
  expect(finding?.location.region.startLine).toBe(1);
  expect(finding?.lineHash).toBe(primaryLocationLineHashes(`\uFEFF${source}`)[0]);
  expect(finding?.lineHash).not.toBe(primaryLocationLineHashes(source)[0]);
});
