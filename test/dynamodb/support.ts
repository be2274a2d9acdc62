import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type session from 'express-session';
import ts from 'typescript';
import { inject } from 'vitest';
import { DYNAMODB_STORE_TABLE, renderDynamoDbStore } from '../../src/init/dynamodb-store.js';
import { sessionTableParams } from '../../src/init/session-table.js';

export const DUMMY_CREDENTIALS = { accessKeyId: 'fixatetest', secretAccessKey: 'fixatetest' };
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    credentials: DUMMY_CREDENTIALS,
  });
}

/** A fresh table per test file, so files can run in parallel against one DynamoDB Local. */
export async function createSessionTable(
  client: DynamoDBClient,
  label: string,
  options: { ttl: boolean } = { ttl: true },
): Promise<string> {
  const tableName = `fixate-${label}-${randomUUID()}`;
  const params = sessionTableParams(tableName);
  await client.send(new CreateTableCommand(params.createTable));
  if (options.ttl) await client.send(new UpdateTimeToLiveCommand(params.updateTimeToLive));
  return tableName;
}

export async function dropTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
}

export type Language = 'ts' | 'js';

/** The run-time shape of the generated module; its real types are checked in generated-module.test.ts. */
export interface GeneratedStore extends session.Store {
  readSession(sid: string): Promise<session.SessionData | null>;
  writeSession(sid: string, data: object): Promise<void>;
  deleteSession(sid: string): Promise<void>;
  extendSession(sid: string, data: object): Promise<void>;
  rotate(oldId: string, newId: string, data: object): Promise<void>;
  belongsTo(sid: string, userId: string | number): Promise<boolean>;
  destroyAllForUser(userId: string | number): Promise<number>;
  touch(sid: string, data: object, callback?: (err?: unknown) => void): void;
}

export interface GeneratedModule {
  DynamoDBSessionStore: new (options: {
    client: DynamoDBClient | DynamoDBDocumentClient;
    tableName: string;
    ttlSeconds?: number;
    maxTtlSeconds?: number;
  }) => GeneratedStore;
  generateSessionId(): string;
  isValidSessionId(sid: unknown): boolean;
  rotateSession(req: unknown, store: GeneratedStore): Promise<void>;
}

/**
 * Writes the generated module under node_modules/.cache so that Node resolves express-session and
 * @aws-sdk/* from this repository, then imports it natively. `.mjs` because no package.json
 * `type` applies inside node_modules. The TypeScript variant goes through transpileModule, which
 * only erases types: what runs is exactly what users get, minus annotations.
 */
export async function loadGeneratedStore(language: Language): Promise<{ module: GeneratedModule; cleanup(): void }> {
  const base = join(REPO_ROOT, 'node_modules', '.cache', 'fixate-test');
  await mkdir(base, { recursive: true });
  const dir = mkdtempSync(join(base, `store-${language}-`));
  const source = renderDynamoDbStore({ language });
  const code =
    language === 'ts'
      ? ts.transpileModule(source, {
          fileName: 'dynamodb-session-store.ts',
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        }).outputText
      : source;
  const file = join(dir, 'dynamodb-session-store.mjs');
  writeFileSync(file, code);
  const module = (await import(pathToFileURL(file).href)) as GeneratedModule;
  return { module, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const TABLE = DYNAMODB_STORE_TABLE;

/** express-session's cookie value for a session id: `s:` + id + `.` + HMAC-SHA256 (cookie-signature). */
export function signedSessionCookie(sid: string, secret: string, name = 'connect.sid'): string {
  const signature = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `${name}=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}

/** The `name=value` pair of the session cookie in a response, or undefined. */
export function sessionCookieFrom(setCookie: string | string[] | undefined, name = 'connect.sid'): string | undefined {
  const headers = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  const header = headers.find((h) => h.startsWith(`${name}=`));
  return header?.split(';')[0];
}

/** The unsigned session id inside a `connect.sid=s%3A<id>.<sig>` cookie pair. */
export function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  if (!value.startsWith('s:')) throw new Error(`unsigned session cookie: ${cookie}`);
  return value.slice(2, value.lastIndexOf('.'));
}
