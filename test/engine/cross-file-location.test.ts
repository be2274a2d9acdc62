import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fixate-cross-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The secret is reported where it is written (options.ts) although the rule meets it through the
// session() call in app.ts: the snippet and the line hash must come from options.ts.
it('takes the snippet and line hash of a finding from the file its location is in', async () => {
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ dependencies: { 'express-session': '^1.18.0' } }));
  writeFileSync(
    path.join(dir, 'src/options.ts'),
    "// session options\nexport const sessionOptions = {\n  secret: 'correct-horse-battery-staple-42',\n  resave: false,\n};\n",
  );
  writeFileSync(
    path.join(dir, 'src/app.ts'),
    "import express from 'express';\nimport session from 'express-session';\nimport { sessionOptions } from './options';\n\nconst app = express();\napp.use(session({ ...sessionOptions, cookie: { secure: true } }));\n",
  );
  const result = await scan({ paths: [dir], cwd: dir, rules: ['hardcoded-session-secret'] });
  const secret = result.findings.find((finding) => finding.ruleId === 'hardcoded-session-secret');
  expect(secret?.location.path).toMatch(/src\/options\.ts$/);
  expect(secret?.location.region.startLine).toBe(3);
  expect(secret?.snippet).toContain('correct-horse-battery-staple-42');
});
