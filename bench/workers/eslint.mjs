/**
 * ESLint with eslint-plugin-security's recommended rules, configured in code (flat config, no
 * config file lookup), over the file list the runner gives it.
 *
 * ESLint's default parser (espree) cannot read TypeScript. When a TypeScript parser is installed
 * (`@typescript-eslint/parser` or `typescript-eslint`) every file is linted; otherwise only the
 * .js/.jsx/.mjs/.cjs files are, and the result says so, so nobody compares it with a full scan
 * by accident. Transpiling TS to JS first would measure a different (smaller) input.
 *
 *   node bench/workers/eslint.mjs <files.json> <root> [concurrency]
 */
import { readFileSync } from 'node:fs';
import { fail, report } from './report.mjs';

const [listPath, root, concurrencyArg = 'off'] = process.argv.slice(2);
const TS_FILE = /\.(ts|tsx|mts|cts)$/i;

async function loadTsParser() {
  try {
    const m = await import('@typescript-eslint/parser');
    return { parser: m.default ?? m, name: '@typescript-eslint/parser' };
  } catch {}
  try {
    const m = await import('typescript-eslint');
    return { parser: (m.default ?? m).parser, name: 'typescript-eslint' };
  } catch {}
  return null;
}

async function main() {
  const files = JSON.parse(readFileSync(listPath, 'utf8'));
  const { ESLint } = await import('eslint');
  const security = (await import('eslint-plugin-security')).default;
  const ts = await loadTsParser();
  const lintable = ts ? files : files.filter((f) => !TS_FILE.test(f));
  const config = [
    // Without a `files` entry naming them, flat config only lints .js/.mjs/.cjs.
    { files: ['**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}'] },
    security.configs.recommended,
    { files: ['**/*.jsx'], languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } },
    ...(ts ? [{ files: ['**/*.{ts,tsx,mts,cts}'], languageOptions: { parser: ts.parser } }] : []),
  ];
  const concurrency = /^\d+$/.test(concurrencyArg) ? Number(concurrencyArg) : concurrencyArg;
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: config,
    // The runner already applied the exclusions; lint exactly the list.
    ignore: false,
    cache: false,
    errorOnUnmatchedPattern: false,
    ...(concurrency !== 'off' ? { concurrency } : {}),
  });
  const t0 = performance.now();
  const results = await eslint.lintFiles(lintable);
  const workMs = performance.now() - t0;
  let messages = 0;
  let fatal = 0;
  const byRule = {};
  for (const r of results) {
    for (const m of r.messages) {
      if (m.fatal) {
        fatal++;
        continue;
      }
      messages++;
      byRule[m.ruleId] = (byRule[m.ruleId] ?? 0) + 1;
    }
  }
  report({
    ok: true,
    workMs,
    files: results.length,
    tsParser: ts?.name ?? null,
    messages,
    filesWithFatalErrors: fatal,
    byRule,
    eslintVersion: ESLint.version,
  });
}

main().catch((err) => fail(`ESLint threw: ${err?.stack ?? err}`, 4));
