import type { Model } from './model.js';
import { type CarrierStyle, carrierInputs } from './session-id.js';

const HAPI_REQUEST: CarrierStyle = { names: /^(req|request)$/, types: /\bRequest\b/, handlerIndex: 0 };

/** @hapi/hapi request inputs: `request.query`, `request.params`, `request.payload`, `request.headers`, `request.state`. */
export const hapi: Model = {
  id: '@hapi/hapi',
  packages: ['@hapi/hapi', 'hapi'],
  // Its hooks only matter next to a session sink, which always names a session (or sid) somewhere.
  keywords: ['sess', 'sid'],
  requestInput: carrierInputs('@hapi/hapi', HAPI_REQUEST, {
    query: 'url',
    params: 'url',
    url: 'url',
    path: 'url',
    payload: 'body',
    headers: 'header',
    state: 'cookie',
  }),
};
