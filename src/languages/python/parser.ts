import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Node as PythonNode, Tree } from 'web-tree-sitter';

export type { PythonNode, Tree as PythonTree };

export interface PythonParser {
  /** Never throws on malformed Python: tree-sitter recovers with ERROR and MISSING nodes. */
  parse(text: string): Tree;
}

let loading: Promise<PythonParser> | undefined;
let loaded: PythonParser | undefined;
let loads = 0;

/**
 * The parser when a scan in this process has loaded it, for synchronous callers that only meet
 * Python files the scan parsed (the fixer checks that a fix adds no syntax error).
 */
export function loadedPythonParser(): PythonParser | undefined {
  return loaded;
}

/**
 * How many times the tree-sitter runtime and the Python grammar were loaded in this process (0 or 1).
 * Exposed so tests can prove that a scan without Python files never pays for them.
 */
export function pythonParserLoadCount(): number {
  return loads;
}

/**
 * The grammar's wasm: the copy the build puts in dist/grammars (the published package has no
 * tree-sitter-python, whose install script would build native code), else, when running from
 * sources, the devDependency's own.
 */
function grammarPath(require: NodeRequire): string {
  const built = fileURLToPath(new URL('../../../grammars/tree-sitter-python.wasm', import.meta.url));
  return existsSync(built) ? built : require.resolve('tree-sitter-python/tree-sitter-python.wasm');
}

/**
 * Loads `web-tree-sitter` and the grammar's wasm (shipped in the `tree-sitter-python` npm package, so
 * no native build and no download) on first use only: the module is imported dynamically, so a scan
 * of TypeScript alone never instantiates the wasm runtime.
 */
export function loadPythonParser(): Promise<PythonParser> {
  loading ??= (async () => {
    loads++;
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(grammarPath(require));
    const parser = new Parser();
    parser.setLanguage(language);
    loaded = {
      parse(text: string): Tree {
        const tree = parser.parse(text);
        if (!tree) throw new Error('tree-sitter returned no tree');
        return tree;
      },
    };
    return loaded;
  })();
  return loading;
}

/** Counts ERROR and MISSING nodes, for the same "syntax errors" note the TypeScript side gives. */
export function syntaxErrorCount(root: PythonNode): number {
  let count = 0;
  walkPython(root, (node) => {
    if (node.isError || node.isMissing) count++;
    // Only subtrees that contain an error are worth entering.
    return node.hasError;
  });
  return count;
}

/**
 * Visits `root` and its descendants in source order with a tree cursor (no recursion, so deeply
 * nested code cannot overflow the stack). `visit` returning false skips the node's children.
 */
export function walkPython(root: PythonNode, visit: (node: PythonNode) => unknown): void {
  const cursor = root.walk();
  try {
    for (;;) {
      const enter = visit(cursor.currentNode) !== false;
      if (enter && cursor.gotoFirstChild()) continue;
      for (;;) {
        if (cursor.currentNode.id === root.id) return;
        if (cursor.gotoNextSibling()) break;
        if (!cursor.gotoParent()) return;
      }
    }
  } finally {
    cursor.delete();
  }
}
