/**
 * The parse floor: read every file and build its syntax tree with the TypeScript that ts-morph
 * bundles (the one fixate parses with), parent pointers off, nothing else. No analyser built on
 * that parser can scan every file faster than this, so fixate's time is read against it. TypeScript
 * is loaded on its own, as fixate loads it (src/typescript.ts), not through ts-morph's project layer,
 * so the floor's start-up is no heavier than fixate's.
 *
 *   node bench/workers/floor.mjs <files.json>
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { report } from './report.mjs';

const require = createRequire(import.meta.url);
const ts = createRequire(require.resolve('ts-morph'))('@ts-morph/common/dist/typescript.js');

const files = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const t0 = performance.now();
let statements = 0;
let withErrors = 0;
let bytes = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  bytes += text.length;
  // Script kind comes from the extension, as it does for fixate (.tsx → TSX, .cjs → JS, ...).
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  // Touch the result so the parse cannot be optimised away, and count files that did not parse.
  statements += sf.statements.length;
  if (sf.parseDiagnostics && sf.parseDiagnostics.length > 0) withErrors++;
}
report({
  ok: true,
  workMs: performance.now() - t0,
  files: files.length,
  bytes,
  statements,
  filesWithParseErrors: withErrors,
  typescript: ts.version,
});
