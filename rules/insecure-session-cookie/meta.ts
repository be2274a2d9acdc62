import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'insecure-session-cookie',
  meta: {
    title: 'Session cookie sent without Secure, readable by scripts, or SameSite=None',
    description:
      'A session cookie without the Secure flag travels over plain HTTP where a network attacker can read or plant it (fixation); without HttpOnly any XSS can steal it; SameSite=None without Secure is rejected or leaks cross-site.',
    severity: 'warning',
    precision: 'high',
    securitySeverity: 5.9,
    cwe: [614, 1004, 1275],
    tags: ['session', 'cookie'],
    frameworks: [
      'express-session',
      'cookie-session',
      '@fastify/session',
      '@fastify/secure-session',
      'koa-session',
      '@hapi/yar',
      '@hapi/cookie',
      'iron-session',
      // Remix and React Router v7 session storages and createCookie.
      'remix',
      // Session tokens set by hand: `res.cookie()`, `reply.setCookie()`, `ctx.cookies.set()`, `cookies().set()`,
      // hono's `setCookie(c, …)`.
      'express',
      'fastify',
      'koa',
      'next',
      'hono',
      'fetch',
    ],
    messages: {
      secureFalse:
        'The {{library}} session cookie sets `{{flag}}: false`, so the session id is also sent over plain HTTP where it can be read or planted.',
      secureMissing:
        'The {{library}} session cookie has no `{{flag}}` option and {{library}} defaults to an insecure cookie, so the session id is also sent over plain HTTP.',
      secureDefaultFalse:
        '{{library}} takes `{{flag}}` from configuration whose default is `false` ({{default}}): a deployment that sets nothing sends the session cookie over plain HTTP, where anyone on the network can read it.',
      secureConditionalAssignment:
        'The {{library}} options get their cookie settings only from `{{assigned}} = …` inside `if ({{condition}})`; when that condition is false the session cookie keeps {{library}}\'s default, without `{{flag}}`, and is also sent over plain HTTP. Make sure the condition holds wherever real users are served, or set `{{flag}}` outside the `if`.',
      secureConditional:
        'The {{library}} session cookie sets `{{flag}}` from a runtime condition; make sure it is true wherever the app serves real users.',
      httpOnlyFalse:
        'The {{library}} session cookie sets `{{flag}}: false`, so any script on the page (and any XSS) can read the session id.',
      httpOnlyMissing:
        'The {{library}} session cookie has no `{{flag}}` option and {{library}} does not set it by default, so any script on the page (and any XSS) can read the session id.',
      flagsMissing:
        'The {{library}} session cookie has neither `{{flag}}` nor `{{httpOnly}}` and {{library}} sets neither by default, so the session id is also sent over plain HTTP and any script (or XSS) can read it.',
      headerAttributesMissing:
        'This `Set-Cookie` header sends a session cookie without {{attributes}}. Without `Secure` the cookie also travels over plain HTTP; without `HttpOnly` any script on the page (and any XSS) can read it.',
      headerSameSiteNone:
        'This `Set-Cookie` header sends a session cookie with `SameSite=None` but without {{attributes}}; browsers reject it, or send it cross-site over plain HTTP.',
      djangoSettingFalse: 'Django settings set `{{setting}} = False`, so {{consequence}}.',
      djangoSettingDefaultFalse:
        'Django settings read `{{setting}}` from {{source}} with a default of False: a deployment that does not set it gets False, so {{consequence}}.',
      djangoSecureMissing:
        'These Django settings serve a deployment (DEBUG is off, or off unless the environment turns it on, or the module is named for production) and never set `{{setting}}`, which Django defaults to False, so the session id is also sent over plain HTTP, where it can be read or planted.',
      sameSiteNoneInsecure:
        'The {{library}} session cookie sets `{{sameSite}}: none` without `{{flag}}: true`; browsers reject it or send it cross-site over HTTP.',
    },
    suggestions: {
      setDjangoSetting: 'Set `{{setting}} = {{value}}` in the settings module.',
      addHeaderAttributes: 'Add the attributes to the header: `{{attributes}}`.',
      setSecureTrue: 'Set `{{flag}}: true` so the session cookie is only sent over HTTPS.',
      setSecureTrueExpressSession:
        'Set `{{flag}}: true` (behind a TLS-terminating proxy also call `app.set("trust proxy", 1)`, or use `"auto"`).',
      addSecure: 'Add `{{flag}}: true` to the session cookie options.',
      setHttpOnlyTrue: 'Set `{{flag}}: true` so scripts cannot read the session cookie.',
      addCookieFlags: 'Add `{{flags}}` to the session cookie options.',
    },
  },
});
