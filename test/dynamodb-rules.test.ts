/**
 * Dogfooding: the store `fixate init dynamodb-store` writes must satisfy fixate's own rules, in both
 * languages. A regression in either the generator or a DynamoDB rule shows up here as a finding.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDynamoDbStore } from '../src/init/dynamodb-store.js';
import { scan } from '../src/index.js';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function scanGenerated(language: 'ts' | 'js') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-dogfood-'));
  tempDirs.push(dir);
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'dogfood',
      private: true,
      dependencies: {
        '@aws-sdk/client-dynamodb': '^3.0.0',
        '@aws-sdk/lib-dynamodb': '^3.0.0',
        'express-session': '^1.18.0',
      },
    }),
  );
  writeFileSync(path.join(dir, `dynamodb-session-store.${language}`), renderDynamoDbStore({ language }));
  return scan({ paths: [dir], cwd: dir });
}

describe('fixate init dynamodb-store output', () => {
  it.each(['ts', 'js'] as const)('the %s store has no findings from any rule', async (language) => {
    const result = await scanGenerated(language);
    expect(result.findings.map((f) => `${f.ruleId} ${f.location.region.startLine}: ${f.message}`)).toEqual([]);
    expect(result.stats.filesScanned).toBe(1);
  });

  it('the DynamoDB rules do fire on a put-then-delete rotation in the same setting (the test can fail)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-dogfood-'));
    tempDirs.push(dir);
    writeFileSync(
      path.join(dir, 'store.ts'),
      `import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
declare const doc: DynamoDBDocumentClient;
export async function rotate(oldSid: string, newSid: string, data: object) {
  await doc.send(new PutCommand({ TableName: 'sessions', Item: { sid: newSid, sess: JSON.stringify(data) } }));
  await doc.send(new DeleteCommand({ TableName: 'sessions', Key: { sid: oldSid } }));
}
`,
    );
    const result = await scan({ paths: [dir], cwd: dir });
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual([
      'dynamodb-session-missing-expiry',
      'dynamodb-session-rotation-not-atomic',
    ]);
  });
});
