// Copies the Python grammar's wasm (and its licence) from the tree-sitter-python devDependency into
// dist/grammars, so the published package carries the one file it needs. Depending on
// tree-sitter-python at run time would run its `node-gyp-build` install script on every
// `npx fixate`, which compiles native code (and fails) on platforms without a prebuilt binary.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const grammar = path.dirname(require.resolve('tree-sitter-python/package.json'));
const target = path.join(root, 'dist', 'grammars');
mkdirSync(target, { recursive: true });
copyFileSync(path.join(grammar, 'tree-sitter-python.wasm'), path.join(target, 'tree-sitter-python.wasm'));
copyFileSync(path.join(grammar, 'LICENSE'), path.join(target, 'tree-sitter-python.LICENSE'));
