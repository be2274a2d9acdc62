import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'hardcoded-session-secret',
  meta: {
    title: 'Session signing secret hardcoded in source',
    description:
      'A session secret written in the source (directly, through a constant, or as the fallback of an environment variable) is known to everyone who can read the code, so they can forge signed session cookies or tokens and plant ids of their choosing.',
    severity: 'error',
    precision: 'high',
    securitySeverity: 7.5,
    cwe: [798],
    tags: ['session', 'secrets'],
    frameworks: [
      'express-session',
      'cookie-session',
      '@fastify/session',
      '@fastify/secure-session',
      'koa',
      '@hapi/yar',
      '@hapi/cookie',
      'iron-session',
      // Remix and React Router v7 session storages and createCookie.
      'remix',
      'cookie-parser',
      // cookie-signature, keygrip, cookies, @fastify/cookie used directly.
      'cookie-signing',
      // Tokens that authenticate requests: jsonwebtoken, express-jwt, koa-jwt, passport-jwt, @nestjs/jwt, @fastify/jwt.
      'jwt',
      // Strapi's config modules: `app.keys`, the admin and users-permissions token keys.
      '@strapi/strapi',
    ],
    messages: {
      literal:
        'The {{library}} `{{option}}` is the hardcoded string {{preview}}; anyone who can read the source can forge the session cookies or tokens it signs.',
      literalKeys:
        'All {{count}} keys of the {{library}} `{{option}}` are hardcoded strings ({{previews}}); anyone who can read the source can forge the session cookies or tokens they sign.',
      literalSomeKeys:
        '{{count}} of the {{total}} keys of the {{library}} `{{option}}` are hardcoded strings ({{previews}}); anyone who can read the source can forge the session cookies or tokens they verify.',
      fallbackKeys:
        'The {{library}} `{{option}}` falls back to {{count}} hardcoded keys ({{previews}}) when {{unset}}, so a missing variable silently ships public secrets.',
      configDefault:
        'The {{library}} `{{option}}` is the {{store}} key `{{key}}`, whose default is the hardcoded string {{preview}}{{unless}}: a deployment that does not set it ships a public secret. Drop the default so a missing value fails at start-up.',
      fallbackChain:
        'The {{library}} `{{option}}` falls back to the hardcoded string {{preview}} when {{variables}} are unset, so missing variables silently ship a public secret.',
      fallback:
        'The {{library}} `{{option}}` falls back to the hardcoded string {{preview}} when `{{variable}}` is unset, so a missing variable silently ships a public secret.',
      developmentLiteral:
        'The {{library}} `{{option}}` is the hardcoded string {{preview}} in a development settings module ({{reason}}): fine on a developer machine, but any deployment started with these settings signs sessions with a public key.',
      developmentFallback:
        'The {{library}} `{{option}}` falls back to the hardcoded string {{preview}} when `{{variable}}` is unset, in a development settings module ({{reason}}): fine on a developer machine, but any deployment started with these settings without the variable signs sessions with a public key.',
      fallbackRejectedOnlyWhen:
        'The {{library}} `{{option}}` falls back to the hardcoded string {{preview}} when {{variables}} is unset; the check that rejects it throws only when `{{condition}}`, so wherever that does not hold the public secret is used.',
      template:
        'The {{library}} `{{option}}` is read from `{{module}}`, which is not in the repository; its template `{{template}}` sets it to the hardcoded string {{preview}}, so a deployment copied from the template runs with a public secret unless it was changed.',
      optionsDefault:
        'The {{library}} `{{option}}` defaults to the hardcoded string {{preview}}, used whenever {{unset}}: a deployment that relies on the default ships a public secret. Drop the default and fail at start-up when no secret is set.',
      fallbackUnlessThrown:
        'The {{library}} `{{option}}` falls back to the hardcoded string {{preview}} when {{variables}} is unset; the check before it throws only when `{{condition}}`, so every other environment (staging, an unset NODE_ENV) silently ships a public secret.',
    },
    suggestions: {
      fromEnvironment:
        'Read the secret from the environment (`{{variable}}`) and fail at start-up when it is missing; rotate the exposed value.',
    },
    // A test harness that production code imports is deployed with it, and so is its secret.
    reportInImportedTestSupport: true,
  },
});
