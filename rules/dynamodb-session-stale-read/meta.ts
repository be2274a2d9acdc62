import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'dynamodb-session-stale-read',
  meta: {
    title: 'DynamoDB session read without ConsistentRead',
    description:
      'An eventually consistent DynamoDB read can return a session item that was deleted or rotated a moment ago, so a logged-out or rotated-away (attacker-known) session id is still accepted for a short window.',
    severity: 'warning',
    precision: 'high',
    securitySeverity: 4.8,
    cwe: [367],
    tags: ['session', 'dynamodb', 'race-condition'],
    frameworks: ['aws-sdk-dynamodb', 'connect-dynamodb', 'dynamodb-store'],
    messages: {
      eventuallyConsistentByDefault:
        'This session read is eventually consistent unless the store is configured otherwise: `ConsistentRead` is `{{expression}}`{{option}}, which is {{fallback}} by default, so a deleted or rotated session can still be returned. Make strongly consistent reads the default (or pass the option as `true` where the store is created).',
      eventuallyConsistent:
        'This session read is eventually consistent (`ConsistentRead` is {{current}}), so it can return an item that was just deleted or rotated. Use `ConsistentRead: true`; `npx fixate init dynamodb-store` generates a store that does.',
    },
    suggestions: {
      consistentRead: 'Set `ConsistentRead: true` on the session read.',
      consistentReadPython: 'Pass `ConsistentRead=True` to the session read.',
    },
  },
});
