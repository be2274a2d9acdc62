import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { scanWithRules } from '../../src/engine/scan.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rules = (await loadRules()).filter((rule) => rule.id === 'hardcoded-session-secret');

describe('hardcoded-session-secret', () => {
  it('reports an array of literal keys on one line once (`app.keys = [a, b]`)', async () => {
    const dir = path.join(root, 'rules/hardcoded-session-secret/fixtures');
    const result = await scanWithRules(
      { paths: [path.join(dir, 'koa-module-exports.js')], cwd: dir, manifestBoundary: dir },
      rules,
    );
    expect(result.findings.map((finding) => finding.location.region.startLine)).toEqual([6]);
  });
});
