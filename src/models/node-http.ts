import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import type { Model } from './model.js';
import {
  allOf,
  carrierInputs,
  EXPRESS_REQUEST,
  EXPRESS_RESPONSE,
  rawSetCookieWrites,
  responseTokenIssues,
  requestCookieInjection,
  redirectSinks,
  urlSearchParamSinks,
} from './session-id.js';

const HEADER_METHODS = ['setHeader', 'appendHeader'];

/** `url.parse(x, true)` and `querystring.parse(x)` return what the string held. */
function passThrough(call: ts.CallExpression | ts.NewExpression): ts.Expression[] | undefined {
  if (!ts.isCallExpression(call) || call.arguments.length === 0) return undefined;
  const reference = moduleReferenceOf(call.expression);
  const parses =
    refersTo(reference, 'url', 'parse') ||
    refersTo(reference, 'node:url', 'parse') ||
    refersTo(reference, 'querystring', 'parse') ||
    refersTo(reference, 'node:querystring', 'parse') ||
    refersTo(reference, 'qs', 'parse');
  return parses ? [call.arguments[0]] : undefined;
}

/**
 * Node's http module: `req.url` and `req.headers` of an `IncomingMessage` (parsed with `new URL(req.url,
 * base)` or `url.parse(req.url, true).query`), raw `Set-Cookie` and `Location` headers via
 * `res.setHeader` / `res.writeHead`.
 */
export const nodeHttp: Model = {
  id: 'node:http',
  packages: ['http', 'node:http', 'https', 'node:https', 'http2', 'node:http2', 'url', 'node:url'],
  // Its hooks only matter next to a session sink, which always names a session (or sid) somewhere.
  keywords: ['sess', 'sid'],
  requestInput: carrierInputs('node:http', EXPRESS_REQUEST, { url: 'url', headers: 'header' }),
  taintPassThrough: passThrough,
  cookieWrites: rawSetCookieWrites('node:http', EXPRESS_RESPONSE, HEADER_METHODS),
  // `res.end(JSON.stringify({ token }))` and token headers.
  tokenIssues: responseTokenIssues('node:http', EXPRESS_RESPONSE, ['end', 'write'], HEADER_METHODS),
  sessionIdSinks: requestCookieInjection('node:http', EXPRESS_REQUEST),
  urlSinks: allOf(redirectSinks('node:http', EXPRESS_RESPONSE, HEADER_METHODS), urlSearchParamSinks('node:http')),
};
