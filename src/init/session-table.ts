/**
 * The DynamoDB table layout shared by every session store `fixate init` generates (express-session
 * and Django): one item per session, keyed by a random session id, expiring through DynamoDB TTL on
 * an epoch-seconds Number, the owner as a plain attribute. One definition, so the generated code,
 * the instructions the CLI prints and the tests that create the table cannot disagree.
 */

export const SESSION_TABLE = {
  partitionKey: 'sid',
  partitionKeyType: 'S',
  /** DynamoDB TTL attribute, in epoch seconds. */
  ttlAttribute: 'expires',
  ttlUnit: 'seconds',
  /** The session's owner, a plain string attribute (ownership binding). */
  userIdAttribute: 'userId',
  /** The serialized session data, a string. */
  dataAttribute: 'sess',
  billingMode: 'PAY_PER_REQUEST',
} as const;

/** CreateTable and UpdateTimeToLive inputs for the table, as plain data (no SDK import here). */
export function sessionTableParams(tableName: string) {
  const t = SESSION_TABLE;
  return {
    createTable: {
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: t.partitionKey, AttributeType: t.partitionKeyType }],
      KeySchema: [{ AttributeName: t.partitionKey, KeyType: 'HASH' as const }],
      BillingMode: t.billingMode,
    },
    updateTimeToLive: {
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: t.ttlAttribute },
    },
  };
}

/** The one-line description of the table for a CLI's next steps. */
export function sessionTableSummary(): string {
  const t = SESSION_TABLE;
  return (
    `Create a DynamoDB table with partition key "${t.partitionKey}" (${t.partitionKeyType})` +
    ` and enable TTL on "${t.ttlAttribute}" (epoch ${t.ttlUnit}).`
  );
}

/** The AWS CLI commands that create the table and enable TTL, carrying exactly sessionTableParams. */
export function sessionTableAwsCliCommands(tableName: string): string[] {
  const params = sessionTableParams(tableName);
  return [
    `aws dynamodb create-table --cli-input-json '${JSON.stringify(params.createTable)}'`,
    `aws dynamodb update-time-to-live --cli-input-json '${JSON.stringify(params.updateTimeToLive)}'`,
  ];
}
