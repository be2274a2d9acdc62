import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'session-not-invalidated-on-logout',
  meta: {
    title: 'Logout that leaves the server-side session valid',
    description:
      'A logout that only clears the cookie or the user from the session leaves the session id valid in the store: anyone who copied it (a fixation attacker, a shared computer, a leaked log) stays logged in after the user logged out.',
    severity: 'warning',
    precision: 'high',
    securitySeverity: 5.4,
    cwe: [613],
    tags: ['session', 'logout'],
    frameworks: [
      'express-session',
      '@fastify/session',
      'koa-session',
      '@hapi/yar',
      'cookie-session',
      'iron-session',
      '@fastify/secure-session',
      'passport',
      '@fastify/passport',
      '@nestjs/common',
      'aws-sdk-dynamodb',
    ],
    messages: {
      notInvalidated:
        '{{handler}} logs the user out ({{evidence}}) but never ends the server-side session, so the session id stays valid for anyone who obtained it.',
      sealedNotCleared:
        '{{handler}} logs the user out ({{evidence}}) but neither ends nor clears the session: the session lives in a sealed cookie, which stays valid, so the browser stays signed in.',
      cookieOnly:
        '{{handler}} clears the session cookie but never ends the server-side session: the old session id stays valid in the store for anyone who copied it.',
      libraryLogoutKeepsId:
        '{{handler}} relies on `{{call}}`, but {{library}} {{version}} ({{affected}}) only removes the user and keeps the session id valid; end the session yourself or upgrade.',
      notOnEveryPath:
        '{{handler}} ends the server-side session on some paths only: the path completing at line {{line}} signs the user out but leaves the session id valid for anyone who obtained it.',
      logoutThrows:
        '`{{call}}()` is called without a callback: {{library}} {{version}} requires one and throws, so the logout fails and the session stays logged in.',
      libraryLogoutUnknown:
        '{{handler}} relies on `{{call}}`, whose effect depends on the {{library}} version ({{reason}}): {{affected}} it keeps the session id valid.',
    },
    suggestions: {
      destroyAndRespond: 'End the server-side session with `{{callee}}(…)` and respond inside its callback.',
      invalidateStatement: 'End the server-side session: `{{statement}}`.',
      passCallback: 'Pass a callback to `{{call}}(…)` and continue inside it; errors go to `{{onError}}`.',
    },
  },
});
