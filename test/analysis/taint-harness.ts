import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from 'ts-morph';
import { type SourceInfo, TaintEngine, type TaintOptions, type TaintResult } from '../../src/analysis/taint.js';
import { memberPath, unwrap } from '../../src/analysis/syntax.js';
import type { FileContext } from '../../src/analysis/file-context.js';
import { SourceProgram } from '../../src/engine/program.js';
import { ProjectFacts } from '../../src/engine/project-facts.js';

/**
 * Test sources: `source()` (kind 'test'), `req.query` / `req.body` (kind 'url' / 'body'), `req.cookies`
 * (kind 'cookie'), and parameters decorated `@Query()`. Test sinks: the first argument of `sink(...)`.
 */
export function testSource(node: ts.Node, file: FileContext): SourceInfo | undefined {
  if (ts.isParameter(node)) {
    const decorated = ts.getDecorators(node)?.some((d) => d.getText(file.sourceFile).startsWith('@Query'));
    return decorated ? { label: `@Query() ${node.name.getText(file.sourceFile)}`, kind: 'url' } : undefined;
  }
  if (!ts.isExpression(node as ts.Expression)) return undefined;
  const expression = unwrap(node as ts.Expression);
  if (ts.isCallExpression(expression) && ts.isIdentifier(expression.expression)) {
    if (expression.expression.text === 'source') return { label: 'source()', kind: 'test' };
  }
  const parts = memberPath(expression);
  if (parts && parts.length === 2 && parts[0] === 'req') {
    const kind = { query: 'url', body: 'body', cookies: 'cookie' }[parts[1]];
    if (kind) return { label: parts.join('.'), kind };
  }
  return undefined;
}

export interface Fixture {
  dir: string;
  program: SourceProgram;
  file(name: string): FileContext;
  /** Every `sink(x)` argument of a file, analysed, in source order. */
  sinks(name: string, engine?: TaintEngine): { text: string; line: number; result: TaintResult }[];
  dispose(): void;
}

export function fixture(files: Record<string, string>, options: Partial<TaintOptions> = {}): Fixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-taint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const facts = new ProjectFacts(
    dir,
    () => {},
    (p) => path.relative(dir, p),
  );
  const program = new SourceProgram(dir, dir, facts, [], new Set(), 1024 * 1024);
  const defaultEngine = new TaintEngine({ isSource: testSource, ...options });
  const file = (name: string) => {
    const loaded = program.get(path.join(dir, name));
    if (!loaded) throw new Error(`cannot load ${name}`);
    return loaded;
  };
  return {
    dir,
    program,
    file,
    sinks(name, engine = defaultEngine) {
      const context = file(name);
      const found: ts.CallExpression[] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'sink') {
          found.push(node);
        }
        ts.forEachChild(node, visit);
      };
      visit(context.sourceFile);
      return found.map((call) => ({
        text: context.textOf(call.arguments[0]),
        line: context.lineOf(call),
        result: engine.sourcesOf(call.arguments[0], context),
      }));
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
