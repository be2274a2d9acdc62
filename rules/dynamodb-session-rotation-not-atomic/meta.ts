import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'dynamodb-session-rotation-not-atomic',
  meta: {
    title: 'DynamoDB session rotation that can leave the old session id alive',
    description:
      'A session moved to a new DynamoDB key must lose its old key in the same TransactWriteItems call; a separate or missing delete leaves the attacker-known id valid after a crash, throttle or partial failure (session fixation), and an unconditional put can overwrite an existing session.',
    severity: 'error',
    precision: 'high',
    securitySeverity: 8.1,
    cwe: [384],
    tags: ['session', 'dynamodb', 'fixation'],
    frameworks: ['aws-sdk-dynamodb'],
    messages: {
      separateDelete:
        'This put moves the session to a new key, but the old key `{{oldKey}}` is deleted in a separate call: if that call fails or never runs, the old (possibly attacker-planted) id stays valid. Write both in one transaction; `npx fixate init dynamodb-store` generates a store that does.',
      separateDeletePython:
        'This put moves the session to a new key, but the old key `{{oldKey}}` is deleted in a separate request: between the two, and for good if the delete fails, both keys are valid. Write both in one `transact_write_items` (a Put with `attribute_not_exists` and a Delete of the old key).',
      neverDeleted:
        'This put moves the session to a new key while the old key `{{oldKey}}` is never deleted, so the old (possibly attacker-planted) id stays valid. Delete it in the same transaction; `npx fixate init dynamodb-store` generates a store that does.',
      putNotConditional:
        'The rotation writes the new session item without `ConditionExpression: attribute_not_exists({{key}})`, so it can overwrite an existing session under that id. `npx fixate init dynamodb-store` generates a store with the conditional put.',
    },
    suggestions: {
      transactWrite:
        'Replace the put and the delete with one `{{command}}`: a Put conditioned on `attribute_not_exists({{key}})` and a Delete of the old key conditioned on `attribute_exists({{key}})` (or run `npx fixate init dynamodb-store`).',
      transactWritePython:
        'Write the new item and delete the old key in one `transact_write_items`: a Put conditioned on `attribute_not_exists({{key}})` and a Delete of the old key.',
      addNotExists: 'Add `ConditionExpression: attribute_not_exists({{key}})` to the Put.',
    },
  },
});
