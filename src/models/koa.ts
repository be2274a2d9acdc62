import { ts } from 'ts-morph';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { accessedName, unwrap } from '../analysis/syntax.js';
import { resolveValue } from '../analysis/values.js';
import type { Model } from './model.js';

/** koa: `app.keys = [...]` signs every cookie, koa-session's included. */
export const koa: Model = {
  id: 'koa',
  packages: ['koa'],
  keywords: ['koa'],
  secretSites(node, file) {
    if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
    const target = unwrap(node.left);
    if (accessedName(target) !== 'keys' || !ts.isPropertyAccessExpression(target)) return undefined;
    const app = resolveValue(target.expression, file).node;
    const isKoaApp = ts.isNewExpression(app) && refersTo(moduleReferenceOf(app.expression), 'koa');
    if (!isKoaApp) return undefined;
    return [{ model: 'koa', label: 'app.keys', value: { node: node.right, file } }];
  },
};
