import { ts } from '#typescript';
import type { FileContext } from './file-context.js';
import { unwrap } from './syntax.js';
import { staticValue } from './values.js';

/** Whether a tested value is there (truthy, not nullish) or not. */
export type Presence = 'held' | 'missing';

/**
 * What a condition evaluating to `outcome` says about the values `tested` recognises (someone signed in,
 * the session holding a key): present, absent, or nothing. Exact for `!`, `&&`, `||` and comparisons
 * with `null`/`undefined`: `!a || b` being false says `a` is held; being true says nothing about `a`.
 */
export function presenceWhen(
  condition: ts.Expression,
  outcome: boolean,
  tested: (node: ts.Expression) => boolean,
  file: FileContext,
): Presence | undefined {
  const inner = unwrap(condition);
  if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
    return presenceWhen(inner.operand, !outcome, tested, file);
  }
  if (!ts.isBinaryExpression(inner)) return tested(inner) ? (outcome ? 'held' : 'missing') : undefined;
  const operator = inner.operatorToken.kind;
  if (operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken) {
    const left = presenceWhen(inner.left, outcome, tested, file);
    const right = presenceWhen(inner.right, outcome, tested, file);
    // `a && b` true and `a || b` false: both sides have that outcome, so either one's answer holds.
    if ((operator === ts.SyntaxKind.AmpersandAmpersandToken) === outcome) return left ?? right;
    // Otherwise at least one side has it: only what both sides say.
    return left === right ? left : undefined;
  }
  const nothing = (side: ts.Expression) => {
    const value = staticValue(side, file);
    return value?.kind === 'null' || value?.kind === 'undefined';
  };
  const compared = nothing(inner.right) ? inner.left : nothing(inner.left) ? inner.right : undefined;
  if (!compared || !tested(compared)) return undefined;
  const equal = operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken;
  const notEqual =
    operator === ts.SyntaxKind.ExclamationEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsEqualsToken;
  if (!equal && !notEqual) return undefined;
  return equal === outcome ? 'missing' : 'held';
}
