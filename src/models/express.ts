import type { Model } from './model.js';
import {
  allOf,
  carrierInputs,
  EXPRESS_REQUEST,
  EXPRESS_RESPONSE,
  NO_COOKIE_FLAGS,
  rawSetCookieWrites,
  responseTokenIssues,
  requestCookieInjection,
  redirectSinks,
  responseCookieCalls,
  urlSearchParamSinks,
} from './session-id.js';

const HEADER_METHODS = ['set', 'header', 'setHeader', 'append'];

/**
 * express: request inputs (`req.query`, `req.body`, `req.params`, `req.headers`, `req.get()`/`header()`,
 * `req.url`, `req.originalUrl`, `req.cookies`, `req.signedCookies`), response cookies (`res.cookie`, raw
 * `Set-Cookie`) and redirects (`res.redirect`, `res.location`, `Location` headers). The request is a
 * handler's first parameter (or a parameter named/typed like one); syntax only.
 */
export const expressRequestInput = carrierInputs(
  'express',
  EXPRESS_REQUEST,
  {
    query: 'url',
    params: 'url',
    url: 'url',
    originalUrl: 'url',
    body: 'body',
    headers: 'header',
    cookies: 'cookie',
    signedCookies: 'cookie',
  },
  { get: 'header', header: 'header', param: 'url' },
);

export const express: Model = {
  id: 'express',
  packages: ['express'],
  // Its hooks only matter next to a session sink, which names a session (or sid) somewhere, or next to
  // a cookie: hand-rolled sessions are recognised by role whatever the cookie is called.
  keywords: ['sess', 'sid', 'cookie'],
  requestInput: expressRequestInput,
  cookieWrites(node, file) {
    return [
      ...(responseCookieCalls('express', EXPRESS_RESPONSE, ['cookie'], [], NO_COOKIE_FLAGS)(node, file) ?? []),
      ...(rawSetCookieWrites('express', EXPRESS_RESPONSE, HEADER_METHODS)(node, file) ?? []),
    ];
  },
  tokenIssues: responseTokenIssues('express', EXPRESS_RESPONSE, ['json', 'send', 'jsonp'], HEADER_METHODS),
  sessionIdSinks: requestCookieInjection('express', EXPRESS_REQUEST),
  urlSinks: allOf(redirectSinks('express', EXPRESS_RESPONSE, HEADER_METHODS), urlSearchParamSinks('express')),
};
