import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import type { Model } from './model.js';

/** cookie-parser: `cookieParser(secret | secrets[])` signs cookies, including session cookies read with it. */
export const cookieParser: Model = {
  id: 'cookie-parser',
  packages: ['cookie-parser'],
  keywords: ['cookie'],
  secretSites(node, file) {
    if (!ts.isCallExpression(node) || node.arguments.length === 0) return undefined;
    if (!refersTo(moduleReferenceOf(node.expression), 'cookie-parser')) return undefined;
    return [{ model: 'cookie-parser', label: 'cookieParser secret', value: { node: node.arguments[0], file } }];
  },
};
