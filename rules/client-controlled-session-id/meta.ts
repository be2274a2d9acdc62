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
    },
    suggestions: {
      serverGenerated: 'Generate the session id on the server with a CSPRNG: `{{expression}}`.',
    },
  },
});
