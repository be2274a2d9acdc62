import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { accessedName, unwrap } from '../analysis/syntax.js';
import { resolveValue } from '../analysis/values.js';
import type { FileContext, Model } from './model.js';
import {
  allOf,
  bodyTokenIssues,
  carrierInputs,
  isCarrier,
  KOA_CONTEXT,
  rawSetCookieWrites,
  responseTokenIssues,
  redirectSinks,
  responseCookieCalls,
  type TokenIssue,
  urlSearchParamSinks,
} from './session-id.js';

/**
 * koa request inputs: `ctx.query`, `ctx.querystring`, `ctx.params` (koa-router), `ctx.url`, `ctx.headers`,
 * `ctx.request.query/body/headers`, `ctx.get()`, `ctx.cookies.get()`.
 */
export const koaRequestInput = carrierInputs(
  'koa',
  KOA_CONTEXT,
  {
    query: 'url',
    querystring: 'url',
    params: 'url',
    url: 'url',
    originalUrl: 'url',
    href: 'url',
    'request.query': 'url',
    'request.querystring': 'url',
    'request.url': 'url',
    'request.body': 'body',
    headers: 'header',
    header: 'header',
    'request.headers': 'header',
    'request.header': 'header',
  },
  { get: 'header', 'request.get': 'header', 'cookies.get': 'cookie' },
);

/** `ctx.body = { token }` (or `ctx.response.body`): koa sends whatever the body is set to. */
function bodyAssignmentTokens(node: ts.Node, file: FileContext): TokenIssue[] | undefined {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const target = unwrap(node.left);
  if (!ts.isPropertyAccessExpression(target) || target.name.text !== 'body') return undefined;
  let owner = unwrap(target.expression);
  if (ts.isPropertyAccessExpression(owner) && owner.name.text === 'response') owner = unwrap(owner.expression);
  if (!isCarrier(owner, KOA_CONTEXT)) return undefined;
  return bodyTokenIssues('koa', file.textOf(target), node, node.right, file);
}

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
    return [{ model: 'koa', label: 'app.keys', value: { node: node.right, file }, keyList: true }];
  },
  // Session-id taint: request inputs, `ctx.cookies.set(name, value)`, `ctx.redirect()`, `Location` headers.
  requestInput: koaRequestInput,
  cookieWrites: allOf(
    // The `cookies` module sets Secure when the request came over TLS and HttpOnly unless told otherwise.
    responseCookieCalls('koa', KOA_CONTEXT, ['set'], ['cookies'], { secure: 'auto', httpOnly: true }),
    rawSetCookieWrites('koa', KOA_CONTEXT, ['set', 'append']),
  ),
  tokenIssues: allOf(bodyAssignmentTokens, responseTokenIssues('koa', KOA_CONTEXT, [], ['set', 'append'])),
  urlSinks: allOf(redirectSinks('koa', KOA_CONTEXT, ['set']), urlSearchParamSinks('koa')),
};
