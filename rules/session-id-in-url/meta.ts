import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'session-id-in-url',
  meta: {
    title: 'Session id carried in a URL (read from it, or written into it)',
    description:
      'Session ids in URLs leak through server and proxy logs, browser history, bookmarks and the Referer header, and a link lets an attacker hand a victim a session id of their choosing (fixation). A session id belongs in a cookie only.',
    severity: 'warning',
    precision: 'high',
    securitySeverity: 6.5,
    cwe: [598, 384],
    tags: ['session', 'fixation', 'taint'],
    frameworks: [
      'express-session',
      '@fastify/session',
      'koa-session',
      '@hapi/yar',
      'lucia',
      'express',
      'fastify',
      'koa',
      'next',
      'node:http',
      '@nestjs/common',
      'aws-sdk-dynamodb',
      'fetch',
    ],
    messages: {
      lookupFromUrl:
        '{{sink}} looks a session up by an id taken from the URL: it {{flow}}. URLs end up in logs, history and Referer headers, and a link can hand a victim an attacker\'s session id; read the id from the session cookie instead.',
      sessionKeyFromQuery:
        'The query-string value {{source}} is the key of a session lookup ({{lookup}}): it {{flow}}. URLs leak through browser history, server and proxy logs and the Referer header, and a session key carried in a URL lets an attacker fix a victim\'s session with a link; accept the session key from the session cookie (or an Authorization header) only.',
      adoptedFromUrl:
        '{{sink}} takes the session id from the URL: it {{flow}}. A link can hand a victim an attacker\'s session id (fixation), and URLs leak through logs, history and Referer headers; keep the id in the session cookie.',
      urlTokenExchanged:
        '{{sink}} issues a session minted from a token taken from the URL: it {{flow}}. The token is {{weakness}}, so the link itself is a standing credential that leaks through logs, history and Referer headers, and anyone holding it gets (or plants) a session. Delete or mark the token used and check its expiry before issuing the session.',
      idInUrl:
        'The session id is written into a URL ({{sink}}): it {{flow}}. URLs leak through logs, browser history and the Referer header, and whoever reads the id can use the session; keep it in the cookie only.',
    },
    suggestions: {
      dropParameter: 'Remove the `{{parameter}}` parameter from the URL; the session cookie already identifies the session.',
    },
  },
});
