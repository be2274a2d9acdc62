import { createRequire } from 'node:module';
import type { ts as TypeScript } from 'ts-morph';

/**
 * The TypeScript compiler fixate parses with: the one ts-morph bundles (a designated dependency),
 * loaded on its own. fixate uses only the parser and the syntax API, never ts-morph's project layer,
 * and loading ts-morph evaluates that layer and keeps about 7 MB of TypeScript lib files in memory:
 * about 0.1 s of every run and 20 MB of peak RSS for nothing.
 *
 * Sources import `ts` from `#typescript` (package.json "imports"): at run time that is this module;
 * for the type checker it is `types/typescript.d.ts`, which re-exports ts-morph's `ts` namespace, so
 * `ts.Node` stays a type and `ts.isCallExpression` a function. Should ts-morph ever move its bundled
 * TypeScript, the whole of ts-morph is loaded instead: slower, never wrong.
 */
function loadTypeScript(): typeof TypeScript {
  const require = createRequire(import.meta.url);
  try {
    // Resolved from ts-morph's own location, so it is the copy ts-morph itself uses, however npm
    // arranged node_modules.
    return createRequire(require.resolve('ts-morph'))('@ts-morph/common/dist/typescript.js');
  } catch {
    return require('ts-morph').ts;
  }
}

export const ts = loadTypeScript();
