import { ts } from '#typescript';

export type KindListener = (node: ts.Node) => void;

export { TimeBudgetExceeded } from '../analysis/budget.js';
import { TimeBudgetExceeded } from '../analysis/budget.js';

/**
 * Visits every node of a file once, in source order, without recursion — a 5,000-deep expression must
 * not overflow the stack. `visit` is called for each node; the budget check runs every few thousand
 * nodes so a pathological file is abandoned instead of stalling the scan.
 */
export function walkIteratively(root: ts.Node, visit: (node: ts.Node) => void, deadline: number): void {
  const stack: ts.Node[] = [root];
  const children: ts.Node[] = [];
  let visited = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    if (++visited % 4096 === 0 && performance.now() > deadline) throw new TimeBudgetExceeded();
    children.length = 0;
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

/** Maps listener names (`CallExpression`) to syntax kinds, rejecting names that are not kinds. */
export function syntaxKindOf(name: string): ts.SyntaxKind {
  const kind = (ts.SyntaxKind as unknown as Record<string, number>)[name];
  if (typeof kind !== 'number') throw new Error(`unknown syntax kind "${name}" in rule listeners`);
  return kind;
}
