import type { Model } from './model.js';
import {
  allOf,
  carrierInputs,
  EXPRESS_REQUEST,
  EXPRESS_RESPONSE,
  NO_COOKIE_FLAGS,
  rawSetCookieWrites,
  responseTokenIssues,
  redirectSinks,
  responseCookieCalls,
  urlSearchParamSinks,
} from './session-id.js';

const HEADER_METHODS = ['header', 'headers'];

/**
 * fastify: request inputs (`request.query/body/params/headers/url`, `request.cookies` with
 * @fastify/cookie), `reply.setCookie()` / `reply.cookie()`, `reply.redirect()` and `Location` headers.
 */
export const fastifyRequestInput = carrierInputs('fastify', EXPRESS_REQUEST, {
  query: 'url',
  params: 'url',
  url: 'url',
  originalUrl: 'url',
  body: 'body',
  headers: 'header',
  cookies: 'cookie',
});

export const fastify: Model = {
  id: 'fastify',
  packages: ['fastify'],
  // Its hooks only matter next to a session sink, which always names a session (or sid) somewhere.
  keywords: ['sess', 'sid'],
  requestInput: fastifyRequestInput,
  cookieWrites(node, file) {
    return [
      ...(responseCookieCalls('fastify', EXPRESS_RESPONSE, ['setCookie', 'cookie'], [], NO_COOKIE_FLAGS)(node, file) ??
        []),
      ...(rawSetCookieWrites('fastify', EXPRESS_RESPONSE, HEADER_METHODS)(node, file) ?? []),
    ];
  },
  tokenIssues: responseTokenIssues('fastify', EXPRESS_RESPONSE, ['send'], HEADER_METHODS),
  urlSinks: allOf(redirectSinks('fastify', EXPRESS_RESPONSE, HEADER_METHODS), urlSearchParamSinks('fastify')),
};
