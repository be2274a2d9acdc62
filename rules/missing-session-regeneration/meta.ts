import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'missing-session-regeneration',
  meta: {
    title: 'Session id kept across login or privilege change (no regeneration)',
    description:
      'When a login, signup, MFA step-up, OAuth callback or role change writes identity into a session without first giving it a new id, an attacker who planted that session id in the victim\'s browser (session fixation) is logged in too.',
    severity: 'error',
    precision: 'high',
    securitySeverity: 8.1,
    cwe: [384],
    tags: ['session', 'authentication', 'session-fixation'],
    frameworks: [
      'express-session',
      '@fastify/session',
      'koa-session',
      '@hapi/yar',
      'passport',
      '@fastify/passport',
      '@nestjs/common',
      // Hand-rolled session stores (sessions by role), e.g. a Map behind node:http.
      'node:http',
    ],
    messages: {
      writeWithoutRotation:
        "'{{key}}' is written to the session in {{where}}{{evidence}} without regenerating the session first, so a session id planted before {{event}} stays valid after it.",
      writeBeforeRotation:
        "'{{key}}' is written to the session in {{where}} before the session is regenerated on line {{line}}; regenerate first and write the identity into the new session.",
      writeOutsideCallback:
        "'{{key}}' is written to the session in {{where}} outside the callback of the regenerate call on line {{line}}; regeneration completes later, so the identity is written to the old session id.",
      writeOnSomePaths:
        "'{{key}}' is written to the session in {{where}}, but the session is regenerated only on some of the paths that reach this write.",
      helperWriteWithoutRotation:
        "{{helper}}() writes '{{key}}' into the session passed here (in {{where}}) without the session being regenerated first.",
      loginKeepsId:
        '{{login}} logs the user in with {{library}} {{version}} ({{versionEvidence}}), which keeps the session id across login ({{advisory}} affects {{library}} {{affected}}).',
      loginVersionUnknown:
        '{{login}} logs the user in with {{library}}, but the installed {{library}} version could not be determined ({{reason}}); {{library}} {{affected}} keeps the session id across login ({{advisory}}).',
    },
    suggestions: {
      wrapInRegenerate:
        'Move the statements from the first identity write into `{{callee}}((err) => { … })` so they run on the new session.{{review}}',
      wrapInRegenerateKeeping:
        'Move the statements from the first identity write into `{{callee}}((err) => { … })` so they run on the new session, carrying over the values the rotation would drop and this handler still needs ({{keys}}).{{review}}',
      insertRotation: 'Regenerate the session before writing the identity: `{{statement}}`{{review}}',
      insertRotationKeeping:
        'Regenerate the session before writing the identity (`{{statement}}`), carrying over the values the rotation would drop and this handler still needs ({{keys}}).{{review}}',
      rotateBeforeLogin:
        'Or, keeping this {{library}} version, regenerate the session and log in on the new one: `{{rotation}}` around the login.',
      upgradeLibrary: 'Raise {{library}} to {{range}} in package.json and reinstall. Note: {{note}}.',
    },
  },
});
