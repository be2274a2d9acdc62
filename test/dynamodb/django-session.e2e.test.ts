/**
 * The backend `fixate init django-dynamodb-session` writes, run end to end: a real Django project
 * (django-app/: SESSION_ENGINE pointing at the generated module, login and logout through
 * django.contrib.auth) on Debian's python3-django and python3-boto3, against DynamoDB Local
 * (global-setup.ts). django-app/scenarios.py drives Django's test client and reports what it
 * observed, reading DynamoDB with boto3 directly rather than through the backend; the assertions
 * are here.
 *
 * /usr/bin/python3 explicitly: the python3 first on PATH can be a separate build (pyenv) that does
 * not see Debian's packages. .ci/run installs the packages, so their absence fails the run.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import {
  DJANGO_SESSION_DEFAULT_FILE,
  DJANGO_SESSION_KEY_PATTERN,
  renderDjangoSessionBackend,
} from '../../src/init/django-dynamodb-session.js';
import { createSessionTable, dropTable, dynamoClient, REPO_ROOT } from './support.js';

const PYTHON = '/usr/bin/python3';
const APP_DIR = join(REPO_ROOT, 'test', 'dynamodb', 'django-app');
const SESSION_KEY = new RegExp(`^${DJANGO_SESSION_KEY_PATTERN}$`);

/** Why Debian's Django and boto3 cannot be used, or undefined when they can. */
function missingPythonPackages(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import django, boto3'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return (
    `${PYTHON} cannot import django and boto3 (${probe.error?.message ?? probe.stderr.trim()}). ` +
    'Install them with: apt-get install -y python3-django python3-boto3 (.ci/run does this when they are missing).'
  );
}

type Observations = Record<string, Record<string, unknown> & { error?: string }>;

describe('generated Django DynamoDB session backend, end to end', () => {
  let client: DynamoDBClient;
  const tables: string[] = [];
  let dir: string | undefined;
  let observations: Observations;

  /** One scenario's observations; a Python exception in it fails the test with its traceback. */
  function observed(scenario: string): Record<string, unknown> {
    const result = observations[scenario];
    if (result === undefined) throw new Error(`scenarios.py reported nothing for ${scenario}`);
    if (result.error !== undefined) throw new Error(`${scenario} raised in Python:\n${result.error}`);
    return result;
  }

  beforeAll(async () => {
    const missing = missingPythonPackages();
    if (missing) throw new Error(missing);
    client = dynamoClient();
    const table = await createSessionTable(client, 'django');
    tables.push(table);
    const noTtlTable = await createSessionTable(client, 'django-nottl', { ttl: false });
    tables.push(noTtlTable);
    const base = join(REPO_ROOT, 'node_modules', '.cache', 'fixate-test');
    await mkdir(base, { recursive: true });
    dir = mkdtempSync(join(base, 'django-'));
    writeFileSync(join(dir, DJANGO_SESSION_DEFAULT_FILE), renderDjangoSessionBackend());
    const { stdout } = await promisify(execFile)(PYTHON, [join(APP_DIR, 'scenarios.py')], {
      cwd: APP_DIR,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        PATH: process.env.PATH,
        // No __pycache__ left in the repository by a test run.
        PYTHONDONTWRITEBYTECODE: '1',
        FIXATE_SESSION_BACKEND_DIR: dir,
        FIXATE_DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
        FIXATE_SESSIONS_TABLE: table,
        FIXATE_NO_TTL_TABLE: noTtlTable,
        FIXATE_DJANGO_DB: join(dir, 'users.sqlite3'),
      },
    });
    observations = JSON.parse(stdout) as Observations;
  });

  afterAll(async () => {
    for (const table of tables) await dropTable(client, table);
    client?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs on Django 3.2 or later with the generated module as SESSION_ENGINE', () => {
    const version = String(observations.django);
    expect(Number(version.split('.')[0]) * 100 + Number(version.split('.')[1])).toBeGreaterThanOrEqual(302);
    expect(String(observations.backend)).toContain(dir);
  });

  it('defeats fixation: after the victim logs in with a planted key, that key resolves to nothing', () => {
    const r = observed('fixation');
    // The attack is real: the attacker's key was a stored session the victim's browser then carried.
    expect(r.plantedKey).toMatch(SESSION_KEY);
    expect(r.plantedKeyStoredBeforeLogin).toBe(true);
    expect(r.loginStatus).toBe(200);
    expect(r.victimKey).toMatch(SESSION_KEY);
    expect(r.victimKey).not.toBe(r.plantedKey);
    expect(r.attackerIs).toBeNull();
    expect(r.plantedKeyItemAfterLogin).toBe(false);
    expect(r.victimIs).toBe('alice');
    // cycle_key() moved the data along: the visit counted under the planted key is kept.
    expect(r.victimVisits).toBe(1);
    expect(r.victimKeyOwner).toBe(r.aliceId);
  });

  it('logout deletes the session: the old key, replayed, is anonymous', () => {
    const r = observed('logout_kills_key');
    expect(r.before).toEqual({ is: 'alice', item: true });
    expect(r.logoutStatus).toBe(200);
    expect(r.itemAfterLogout).toBe(false);
    expect(r.replayedKeyIs).toBeNull();
    expect(r.existsAfterLogout).toBe(false);
  });

  it('refuses an expired item that TTL has not deleted yet', () => {
    const r = observed('expired_item_refused');
    expect(r.expiredItemStillStored).toBe(true);
    expect(r.expiredKeyIs).toBeNull();
    expect(r.expiredExists).toBe(false);
    expect(r.expiredLoad).toEqual({});
    // The same item with a future expiry signs Alice in: the expiry alone made the difference.
    expect(r.liveKeyIs).toBe('alice');
    expect(r.liveExists).toBe(true);
  });

  it('clear_expired() deletes expired items and keeps live ones', () => {
    const r = observed('expired_item_refused');
    expect(r.expiredItemAfterClearExpired).toBe(false);
    expect(r.liveItemAfterClearExpired).toBe(true);
  });

  it('never adopts a key the client made up, and create() never writes over an existing session', () => {
    const r = observed('keys_never_adopted');
    expect(r.loginStatus).toBe(200);
    expect(r.victimIs).toBe('alice');
    expect(r.victimKey).toMatch(SESSION_KEY);
    expect(r.victimKey).not.toBe(r.invented);
    expect(r.inventedItem).toBe(false);
    expect(r.createdKey).toMatch(SESSION_KEY);
    expect(r.createdKey).not.toBe(r.existingKey);
    expect(r.existingItemUnchanged).toBe(true);
  });

  it.each([
    ['cycle_key()', 'stale_rotation'],
    ['acycle_key()', 'async_stale_rotation'],
  ])(
    'rotating with %s a session another request already rotated fails instead of making a second key',
    (_how, scenario) => {
      const r = observed(scenario);
      expect(r.outcomes).toEqual(['rotated', 'SessionInterrupted']);
      expect(r.liveKeys).toBe(1);
      expect(r.oldKeyItem).toBe(false);
      expect(r.firstKeyItem).toBe(true);
    },
  );

  it('concurrent rotations of one session leave exactly one live key', () => {
    const { rounds } = observed('concurrent_rotation') as { rounds: { outcomes: string[]; liveKeys: number }[] };
    expect(rounds.length).toBeGreaterThan(0);
    for (const round of rounds) {
      expect(round.liveKeys).toBe(1);
      expect(round.outcomes.filter((outcome) => outcome === 'rotated').length).toBeLessThanOrEqual(1);
      for (const outcome of round.outcomes) expect(['rotated', 'SessionInterrupted']).toContain(outcome);
    }
    // Rotation did happen (the invariant is not met by nothing ever rotating).
    expect(rounds.some((round) => round.outcomes.includes('rotated'))).toBe(true);
  });

  it('refuses a session loaded for a user other than its owner, and owner bindings that disagree', () => {
    const r = observed('ownership');
    expect(r.loadedAsAlice).toBe(r.aliceId);
    expect(r.loadedAsBob).toEqual([]);
    expect(r.keyAfterLoadAsBob).toBeNull();
    expect(r.matchingOwnerIs).toBe('alice');
    expect(r.mismatchedOwnerIs).toBeNull();
    expect(r.missingOwnerIs).toBeNull();
  });

  it('refuses a login that writes the identity into the planted key without rotating it', () => {
    const r = observed('ownership');
    expect(r.loginWithoutRotationStatus).toBe(400);
    expect(r.plantedKeyIsAfterLoginWithoutRotation).toBeNull();
    expect(r.plantedKeyOwnerAfterLoginWithoutRotation).toBeNull();
  });
});
