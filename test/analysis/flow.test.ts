import { describe, expect, it } from 'vitest';
import { dominance, happensOnExit } from '../../src/analysis/flow.js';
import { ts } from '../../src/api.js';

/** Parses `code`, finds the function `f`, the call `target()` and treats a call `rotate()` as the event. */
function analyse(code: string) {
  const source = ts.createSourceFile('t.ts', code, ts.ScriptTarget.Latest, true);
  let fn: ts.FunctionLikeDeclaration | undefined;
  let target: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name?.text === 'f') fn = node;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'target')
      target = node;
    ts.forEachChild(node, visit);
  };
  visit(source);
  const happens = (node: ts.Node) =>
    ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'rotate';
  return { at: target ? dominance(fn!, target, happens) : undefined, onExit: happensOnExit(fn!, happens) };
}

describe('dominance', () => {
  it.each([
    ['sequence', 'function f() { rotate(); target(); }', 'all'],
    ['after the target', 'function f() { target(); rotate(); }', 'none'],
    ['one branch', 'function f(a) { if (a) { rotate(); } target(); }', 'some'],
    ['both branches', 'function f(a) { if (a) rotate(); else rotate(); target(); }', 'all'],
    ['early return on the other branch', 'function f(a) { if (!a) return; rotate(); target(); }', 'all'],
    ['branch that leaves', 'function f(a) { if (a) { return; } else { rotate(); } target(); }', 'all'],
    ['throw on the unrotated branch', 'function f(a) { if (!a) { throw new Error(); } rotate(); target(); }', 'all'],
    ['catch may start before or after the rotation', 'function f() { try { rotate(); } catch { target(); } }', 'some'],
    ['after try/catch where the catch leaves', 'function f() { try { rotate(); } catch { return; } target(); }', 'all'],
    ['after try/catch where the catch continues', 'function f() { try { rotate(); } catch { } target(); }', 'some'],
    ['finally rotates', 'function f() { try { x(); } finally { rotate(); } target(); }', 'all'],
    ['short circuit', 'function f(a) { a && rotate(); target(); }', 'some'],
    ['conditional both ways', 'function f(a) { a ? rotate() : rotate(); target(); }', 'all'],
    ['loop body may not run', 'function f(xs) { for (const x of xs) rotate(); target(); }', 'some'],
    ['target inside a loop, undecided', 'function f(xs) { for (const x of xs) { target(); } }', 'unknown'],
    [
      'target inside a loop after a rotation before it',
      'function f(xs) { rotate(); for (const x of xs) { target(); } }',
      'all',
    ],
    ['nested function bodies are opaque', 'function f() { const g = () => rotate(); target(); }', 'none'],
    [
      'switch with default rotating in every clause',
      'function f(a) { switch (a) { case 1: rotate(); break; default: rotate(); } target(); }',
      'all',
    ],
    ['switch without default', 'function f(a) { switch (a) { case 1: rotate(); break; } target(); }', 'some'],
  ])('%s', (_name, code, expected) => {
    expect(analyse(code).at).toBe(expected);
  });
});

describe('happensOnExit', () => {
  it.each([
    ['rotates then returns', 'function f() { rotate(); return 1; }', true],
    ['returns early before rotating', 'function f(a) { if (a) return; rotate(); }', false],
    ['rotates on every return', 'function f(a) { if (a) { rotate(); return; } rotate(); }', true],
    ['never rotates', 'function f() { x(); }', false],
  ])('%s', (_name, code, expected) => {
    expect(analyse(code).onExit).toBe(expected);
  });
});
