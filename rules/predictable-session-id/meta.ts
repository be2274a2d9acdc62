import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'predictable-session-id',
  meta: {
    title: 'Session id made from a predictable or low-entropy value',
    description:
      'A session id derived from Math.random(), a timestamp, a counter, a name-based or time-based UUID, a hash of user data or too few random bytes can be guessed or enumerated, letting an attacker take over sessions without stealing a cookie.',
    severity: 'error',
    precision: 'high',
    securitySeverity: 8.1,
    cwe: [330, 331],
    tags: ['session', 'randomness'],
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
      '@hapi/hapi',
      'next',
      'node:http',
      'hono',
      'aws-sdk-dynamodb',
      'fetch',
    ],
    messages: {
      predictable:
        '{{sink}} gets its value from `{{source}}`, which is predictable: {{reason}}. Session ids need at least 128 bits from a CSPRNG ({{flow}}).',
      constant:
        '{{sink}} is the constant `{{value}}`: every session gets the same credential, so anyone can set it by hand and skip the login. Issue a fresh random token per login and remember it on the server.',
    },
    suggestions: {
      cryptoRandom: 'Generate the id with `{{expression}}` (256 bits from the OS CSPRNG).',
    },
  },
});
