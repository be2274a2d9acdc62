import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'client-controlled-session-id',
  meta: {
    title: 'Session id chosen by the client (adopted or generated from request data)',
    description:
      'The server creates or adopts a session under an id taken from the request. An attacker picks an id, plants it in the victim\'s browser (link, injected cookie), waits for the victim to log in, and then uses the same id: session fixation.',
    severity: 'error',
    precision: 'high',
    securitySeverity: 8.8,
    cwe: [384],
    tags: ['session', 'fixation', 'taint'],
    frameworks: [
      'express-session',
      '@fastify/session',
      'koa-session',
      '@hapi/yar',
      'lucia',
      'next-auth',
      'express',
      'fastify',
      'koa',
      'next',
      'node:http',
      'hono',
      '@nestjs/common',
      'aws-sdk-dynamodb',
      'fetch',
    ],
    messages: {
      clientChosen:
        '{{sink}} uses a session id the client chose: it {{flow}}. Whoever picks the id can plant it in a victim\'s browser and share the session once the victim logs in; checking the value\'s format does not help, because the attacker\'s id is well-formed too.',
      adoptsUnknownKey:
        "{{method}} returns an empty session for a key that has no stored session but keeps that key, so Django saves the new session under it: a key the client sent (an attacker can plant one) becomes a live session id. Set `self._session_key = None` first, as Django's own backends do.",
    },
    suggestions: {
      forgetUnknownKey: 'Forget a key that has no stored session, so Django generates a new one: `{{statement}}`.',
      serverGenerated: 'Generate the session id on the server with a CSPRNG: `{{expression}}`.',
    },
  },
});
