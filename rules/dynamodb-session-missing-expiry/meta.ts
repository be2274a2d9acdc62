import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'dynamodb-session-missing-expiry',
  meta: {
    title: 'DynamoDB session item that never expires, or expiry not checked on read',
    description:
      'DynamoDB TTL deletes an item only when its expiry attribute holds epoch seconds, and only up to ~48 hours late; a session written without expiry, with a millisecond timestamp, or read without comparing its expiry to now stays usable long after it should have ended.',
    severity: 'warning',
    precision: 'medium',
    securitySeverity: 5.4,
    cwe: [613],
    tags: ['session', 'dynamodb', 'expiry'],
    frameworks: ['aws-sdk-dynamodb', 'aws-cdk-lib', 'connect-dynamodb', 'dynamodb-store'],
    messages: {
      noExpiry:
        'This session item is written without an expiry attribute, so DynamoDB TTL never removes it and the session never ends. `npx fixate init dynamodb-store` generates a store that writes `expires` in epoch seconds.',
      milliseconds:
        '`{{attribute}}` is written in milliseconds (`Date.now()`/`getTime()` without `/ 1000`); DynamoDB TTL reads epoch seconds, so this session would live for millennia. `npx fixate init dynamodb-store` generates a store that writes seconds.',
      unguardedRead:
        'This session read uses the item without comparing its expiry to now; TTL deletion lags by up to ~48 hours, so expired sessions are still accepted. `npx fixate init dynamodb-store` generates a store that checks expiry on every read.',
      conditionalExpiry:
        'The expiry (`{{attribute}}`) is written only when a condition holds: when it is false the item gets no expiry (null or undefined), so DynamoDB TTL never removes it and the session never ends server-side. express-session leaves `cookie.expires` null unless `maxAge` is set. Fall back to a default lifetime (`: Math.floor(Date.now() / 1000) + ttlSeconds`).',
      conditionalExpiryPython:
        'The expiry (`{{attribute}}`) is written only when a condition holds: when it is false the item gets no expiry (`None`), so DynamoDB TTL never removes it and the session never ends server-side. Fall back to a default lifetime (`else int(time.time()) + max_age`).',
      notEpochSeconds:
        '`{{attribute}}` is written as {{kind}}; DynamoDB TTL only reads a Number of epoch seconds, so it never deletes this session item. Write `int(time.time()) + max_age`.',
      unguardedReadPython:
        'This session read never compares the item\'s expiry with now; TTL deletion lags by up to ~48 hours, so an expired session is still accepted. Treat an item whose expiry is `<= int(time.time())` as absent.',
      expiryOnlyLogout:
        'This "logout" only sets `{{attribute}}` to now, but the session reads in this file do not check expiry, so the session stays valid until TTL deletes it: DynamoDB TTL deletion can lag by up to 48 hours. Delete the item, or check expiry on read (`npx fixate init dynamodb-store`).',
      cdkNoTtl:
        'This session table has no `timeToLiveAttribute`, so DynamoDB never deletes expired sessions.',
    },
    suggestions: {
      toSeconds: 'Write epoch seconds: `Math.floor(<milliseconds> / 1000)`.',
      addGuard:
        'Treat an expired item as absent right after the read: `if ({{item}} && {{item}}.{{attribute}} <= Math.floor(Date.now() / 1000)) return {{absent}};`.',
      addTtl: 'Enable TTL on the expiry attribute: `timeToLiveAttribute: \'{{attribute}}\'`.',
    },
  },
});
