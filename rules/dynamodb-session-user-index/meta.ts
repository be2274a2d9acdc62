import { defineRuleMeta } from '../../src/rule.js';

export default defineRuleMeta({
  id: 'dynamodb-session-user-index',
  meta: {
    title: 'DynamoDB session table keyed or indexed by user id',
    description:
      'A session table whose partition key is a user id has one guessable key per user, and a global secondary index from user id to sessions lets anyone with table or index read access map users to live session ids.',
    severity: 'note',
    precision: 'medium',
    securitySeverity: 4.3,
    cwe: [200],
    tags: ['session', 'dynamodb', 'key-design'],
    frameworks: ['aws-sdk-dynamodb', 'aws-cdk-lib'],
    messages: {
      userPartitionKey:
        'This session table is partitioned by the user id `{{attribute}}`: one guessable key per user instead of a random session id. Use a high-entropy session id as the partition key and keep the user id as a plain attribute.',
      userIndex:
        'The index `{{index}}` maps the user id `{{attribute}}` to session items; anyone who can read it can enumerate live session ids per user. Keep the user id a plain attribute; if you need the lookup, restrict the index with IAM (or use a per-user item written in the same transaction) and never expose it.',
    },
  },
});
