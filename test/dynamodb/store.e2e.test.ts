/**
 * The generated store against a real DynamoDB (DynamoDB Local, started by global-setup.ts), behind
 * a real express + express-session app. Both variants run the same suite, which is what shows the
 * JavaScript text behaves like the TypeScript one.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSessionTable,
  dropTable,
  dynamoClient,
  type GeneratedModule,
  type GeneratedStore,
  loadGeneratedStore,
  sessionCookieFrom,
  sessionIdOf,
  signedSessionCookie,
  TABLE,
} from './support.js';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    visits?: number;
  }
}

const SECRET = 'fixate-e2e-secret-0123456789abcdef0123456789abcdef';
const HOUR_MS = 60 * 60 * 1000;

function sessionData(extra: Record<string, unknown> = {}, maxAgeMs = HOUR_MS) {
  return {
    cookie: {
      originalMaxAge: maxAgeMs,
      expires: new Date(Date.now() + maxAgeMs).toISOString(),
      httpOnly: true,
      path: '/',
    },
    ...extra,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe.each(['ts', 'js'] as const)('generated DynamoDB session store (%s variant)', (language) => {
  let client: DynamoDBClient;
  let raw: DynamoDBDocumentClient;
  let tableName: string;
  let noTtlTableName: string;
  let mod: GeneratedModule;
  let cleanup = () => {};
  let store: GeneratedStore;
  let noTtlStore: GeneratedStore;
  let sends = 0;

  beforeAll(async () => {
    client = dynamoClient();
    tableName = await createSessionTable(client, language);
    // DynamoDB Local (1.11.478, as bundled) reaps TTL-expired items within about a second, unlike
    // AWS, where it can take up to 48 hours. Expired-item tests use a table with TTL off, which is
    // the reaper lagging indefinitely.
    noTtlTableName = await createSessionTable(client, `${language}-nottl`, { ttl: false });
    raw = DynamoDBDocumentClient.from(client);
    // The store gets its own document client whose send is counted, so "no DynamoDB call" is measured.
    const counted = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const send = counted.send.bind(counted);
    counted.send = ((...args: Parameters<typeof send>) => {
      sends++;
      return send(...args);
    }) as typeof counted.send;
    ({ module: mod, cleanup } = await loadGeneratedStore(language));
    store = new mod.DynamoDBSessionStore({ client: counted, tableName, ttlSeconds: 3600 });
    noTtlStore = new mod.DynamoDBSessionStore({ client, tableName: noTtlTableName });
  });

  afterAll(async () => {
    cleanup();
    if (tableName) await dropTable(client, tableName);
    if (noTtlTableName) await dropTable(client, noTtlTableName);
    client?.destroy();
  });

  async function item(sid: string, table = tableName) {
    const { Item } = await raw.send(new GetCommand({ TableName: table, Key: { sid }, ConsistentRead: true }));
    return Item;
  }

  const indexKey = (userId: string) => `${TABLE.userIndexKeyPrefix}${userId}`;

  function getViaCallback(sid: string, from = store): Promise<unknown> {
    return new Promise((resolve, reject) => {
      from.get(sid, (err: unknown, data: unknown) => (err ? reject(err) : resolve(data)));
    });
  }

  function app(sessionStore = store) {
    const server = express();
    server.use(express.json());
    server.use(
      session({
        store: sessionStore,
        genid: mod.generateSessionId,
        secret: SECRET,
        resave: false,
        saveUninitialized: false,
        cookie: { httpOnly: true, sameSite: 'lax', maxAge: HOUR_MS },
      }),
    );
    server.get('/visit', (req, res) => {
      req.session.visits = (req.session.visits ?? 0) + 1;
      res.json({ visits: req.session.visits });
    });
    // The body's user stands in for a verified credential; only the session handling matters here.
    server.post('/login', (req, res, next) => {
      const user = String(req.body.user);
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.userId = user;
        res.json({ ok: true });
      });
    });
    server.post('/login-keep-data', async (req, res) => {
      await mod.rotateSession(req, store);
      req.session.userId = String(req.body.user);
      res.json({ visits: req.session.visits ?? 0 });
    });
    // The CWE-384 bug itself: the identity is written into whatever session the request came with.
    server.post('/login-without-regenerate', (req, res, next) => {
      req.session.userId = String(req.body.user);
      req.session.save((err) => (err ? next(err) : res.json({ ok: true })));
    });
    server.get('/me', (req, res) => {
      if (!req.session.userId) {
        res.status(401).json({ error: 'not signed in' });
        return;
      }
      res.json({ userId: req.session.userId, visits: req.session.visits ?? 0 });
    });
    server.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: err.message });
    });
    return server;
  }

  it('defeats session fixation: the planted id is deleted at login and never authenticates', async () => {
    const server = app();
    const attacker = await request(server).get('/visit').expect(200);
    const planted = sessionCookieFrom(attacker.headers['set-cookie']);
    expect(planted).toBeDefined();
    const plantedId = sessionIdOf(planted!);
    expect(mod.isValidSessionId(plantedId)).toBe(true);
    expect(await item(plantedId)).toMatchObject({ sid: plantedId });

    // The victim's browser carries the attacker's cookie into the login.
    const login = await request(server).post('/login').set('Cookie', planted!).send({ user: 'alice' }).expect(200);
    const victim = sessionCookieFrom(login.headers['set-cookie']);
    expect(victim).toBeDefined();
    const victimId = sessionIdOf(victim!);
    expect(victimId).not.toBe(plantedId);

    expect(await item(plantedId)).toBeUndefined();
    await request(server).get('/me').set('Cookie', planted!).expect(401);
    await request(server).get('/me').set('Cookie', victim!).expect(200, { userId: 'alice', visits: 0 });
    expect(await item(victimId)).toMatchObject({ sid: victimId, userId: 'alice' });
    expect(await store.belongsTo(victimId, 'alice')).toBe(true);
    expect(await store.belongsTo(plantedId, 'alice')).toBe(false);
    // The attacker's probe above must not have brought the old id back.
    expect(await item(plantedId)).toBeUndefined();
  });

  it('refuses to authenticate a planted id when the login forgets to regenerate', async () => {
    const server = app();
    const attacker = await request(server).get('/visit').expect(200);
    const planted = sessionCookieFrom(attacker.headers['set-cookie'])!;
    const plantedId = sessionIdOf(planted);

    const login = await request(server).post('/login-without-regenerate').set('Cookie', planted).send({ user: 'bob' });
    expect(login.status).toBe(500);
    expect(login.body.error).toMatch(/regenerate/);

    await request(server).get('/me').set('Cookie', planted).expect(401);
    const stored = await item(plantedId);
    expect(stored).toBeDefined();
    expect(stored?.userId).toBeUndefined();
    expect(await item(indexKey('bob'))).toBeUndefined();
  });

  it('rotateSession keeps the data, deletes the planted id and issues a new one', async () => {
    const server = app();
    const attacker = await request(server).get('/visit').expect(200);
    const planted = sessionCookieFrom(attacker.headers['set-cookie'])!;
    const plantedId = sessionIdOf(planted);

    const login = await request(server)
      .post('/login-keep-data')
      .set('Cookie', planted)
      .send({ user: 'carol' })
      .expect(200, { visits: 1 });
    const rotated = sessionCookieFrom(login.headers['set-cookie'])!;
    const rotatedId = sessionIdOf(rotated);
    expect(rotatedId).not.toBe(plantedId);
    expect(await item(plantedId)).toBeUndefined();
    await request(server).get('/me').set('Cookie', planted).expect(401);
    await request(server).get('/me').set('Cookie', rotated).expect(200, { userId: 'carol', visits: 1 });
    expect((await item(indexKey('carol')))?.sids).toEqual(new Set([rotatedId]));
  });

  it('rotateSession on a session that was never stored just moves to a new id', async () => {
    const server = app();
    const login = await request(server).post('/login-keep-data').send({ user: 'dana' }).expect(200, { visits: 0 });
    const cookie = sessionCookieFrom(login.headers['set-cookie'])!;
    await request(server).get('/me').set('Cookie', cookie).expect(200, { userId: 'dana', visits: 0 });
  });

  it('treats an expired item as absent although TTL has not reaped it', async () => {
    const sid = mod.generateSessionId();
    const expires = nowSeconds() - 60;
    const data = sessionData({ userId: 'erin' });
    await raw.send(
      new PutCommand({ TableName: noTtlTableName, Item: { sid, sess: JSON.stringify(data), expires, userId: 'erin' } }),
    );

    expect(await getViaCallback(sid, noTtlStore)).toBeNull();
    expect(await noTtlStore.readSession(sid)).toBeNull();
    expect(await noTtlStore.belongsTo(sid, 'erin')).toBe(false);
    await request(app(noTtlStore)).get('/me').set('Cookie', signedSessionCookie(sid, SECRET)).expect(401);
    // Neither a touch nor a rotation may bring it back.
    await noTtlStore.extendSession(sid, data);
    await expect(noTtlStore.rotate(sid, mod.generateSessionId(), data)).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    });
    expect(await item(sid, noTtlTableName)).toEqual({ sid, sess: JSON.stringify(data), expires, userId: 'erin' });
  });

  it('treats unreadable session data as absent instead of failing the request', async () => {
    const expires = nowSeconds() + 3600;
    for (const sess of ['{not json', '{"visits":1}', 'null']) {
      const sid = mod.generateSessionId();
      await raw.send(new PutCommand({ TableName: tableName, Item: { sid, sess, expires } }));
      expect(await store.readSession(sid)).toBeNull();
      await request(app()).get('/me').set('Cookie', signedSessionCookie(sid, SECRET)).expect(401);
    }
  });

  it('rejects malformed ids without calling DynamoDB', async () => {
    const valid = mod.generateSessionId();
    const malformed = [
      '',
      'short',
      valid.slice(1),
      `${valid}A`,
      `${valid.slice(1)}=`,
      `${valid.slice(1)}+`,
      `${valid.slice(1)}/`,
      ` ${valid.slice(1)}`,
      `${valid.slice(0, 42)}\n`,
      indexKey('alice'),
      '../../etc/passwd',
    ];
    const before = sends;
    for (const sid of malformed) {
      expect(mod.isValidSessionId(sid)).toBe(false);
      expect(await getViaCallback(sid)).toBeNull();
      expect(await store.belongsTo(sid, 'alice')).toBe(false);
      await store.deleteSession(sid);
      await store.extendSession(sid, sessionData({ userId: 'alice' }));
      await expect(store.writeSession(sid, sessionData())).rejects.toThrow(/malformed/);
      await expect(store.rotate(sid, valid, sessionData())).rejects.toThrow(/malformed/);
    }
    // Validly signed, so express-session hands the id to the store, which must not look it up.
    await request(app())
      .get('/me')
      .set('Cookie', signedSessionCookie(indexKey('alice'), SECRET))
      .expect(401);
    expect(sends).toBe(before);

    // Control: the counter does see the store's calls.
    expect(await store.readSession(valid)).toBeNull();
    expect(sends).toBe(before + 1);
  });

  it('rotates atomically: a failed rotation changes nothing, a successful one leaves only the new item', async () => {
    const oldId = mod.generateSessionId();
    const takenId = mod.generateSessionId();
    await store.writeSession(oldId, sessionData({ visits: 1 }));
    await store.writeSession(takenId, sessionData({ visits: 99 }));
    const oldBefore = await item(oldId);
    const takenBefore = await item(takenId);

    const failure = await store
      .rotate(oldId, takenId, sessionData({ visits: 1, userId: 'frank' }))
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'TransactionCanceledException' });
    expect((failure as { CancellationReasons: { Code: string }[] }).CancellationReasons.map((r) => r.Code)).toEqual([
      'ConditionalCheckFailed',
      'None',
      'None',
    ]);
    expect(await item(oldId)).toEqual(oldBefore);
    expect(await item(takenId)).toEqual(takenBefore);
    expect(await item(indexKey('frank'))).toBeUndefined();

    const newId = mod.generateSessionId();
    await store.rotate(oldId, newId, sessionData({ visits: 1, userId: 'frank' }));
    expect(await item(oldId)).toBeUndefined();
    expect(await item(newId)).toMatchObject({ sid: newId, userId: 'frank' });
    expect(await store.readSession(newId)).toMatchObject({ visits: 1, userId: 'frank' });
    expect((await item(indexKey('frank')))?.sids).toEqual(new Set([newId]));

    // The old id is gone, so it cannot be rotated again (its Delete condition fails).
    await expect(store.rotate(oldId, mod.generateSessionId(), sessionData())).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    });
  });

  it('lets only the rotating response bind a user to a rotated item', async () => {
    const oldId = mod.generateSessionId();
    const newId = mod.generateSessionId();
    await store.writeSession(oldId, sessionData({ visits: 1 }));
    await store.rotate(oldId, newId, sessionData({ visits: 1 }));
    expect((await item(newId))?.bindableUntil).toBeGreaterThan(nowSeconds());
    await store.writeSession(newId, sessionData({ visits: 2 }));
    expect((await item(newId))?.bindableUntil).toBeUndefined();
    // Once the rotated item has been rewritten anonymously, it is an ordinary anonymous session.
    await expect(store.writeSession(newId, sessionData({ userId: 'mallory' }))).rejects.toThrow(/regenerate/);
    expect((await item(newId))?.userId).toBeUndefined();
  });

  it('checks ownership and destroys every session of one user only', async () => {
    const grace = [mod.generateSessionId(), mod.generateSessionId(), mod.generateSessionId()];
    await store.writeSession(grace[0], sessionData({ userId: 'grace' }));
    // passport keeps the user in session.passport.user
    await store.writeSession(grace[1], sessionData({ passport: { user: 'grace' } }));
    await store.writeSession(grace[2], sessionData({ userId: 'grace' }));
    const heidi = mod.generateSessionId();
    await store.writeSession(heidi, sessionData({ userId: 'heidi' }));

    expect(await store.belongsTo(grace[1], 'grace')).toBe(true);
    expect(await store.belongsTo(grace[0], 'heidi')).toBe(false);
    expect(await store.belongsTo(heidi, 'heidi')).toBe(true);
    expect((await item(indexKey('grace')))?.sids).toEqual(new Set(grace));

    await store.deleteSession(grace[2]);
    expect((await item(indexKey('grace')))?.sids).toEqual(new Set(grace.slice(0, 2)));

    expect(await store.destroyAllForUser('grace')).toBe(2);
    for (const sid of grace) expect(await item(sid)).toBeUndefined();
    expect((await item(indexKey('grace')))?.sids).toBeUndefined();
    expect(await store.belongsTo(heidi, 'heidi')).toBe(true);
    expect(await store.destroyAllForUser('grace')).toBe(0);
  });

  it('signs a user out of every browser', async () => {
    const server = app();
    const logins = await Promise.all(
      [1, 2].map(() => request(server).post('/login').send({ user: 'ivan' }).expect(200)),
    );
    const cookies = logins.map((res) => sessionCookieFrom(res.headers['set-cookie'])!);
    for (const cookie of cookies) await request(server).get('/me').set('Cookie', cookie).expect(200);

    expect(await store.destroyAllForUser('ivan')).toBe(2);
    for (const cookie of cookies) await request(server).get('/me').set('Cookie', cookie).expect(401);
  });

  it('stores expires in epoch seconds, from the cookie or ttlSeconds, capped by maxTtlSeconds', async () => {
    const fromCookie = mod.generateSessionId();
    await store.writeSession(fromCookie, sessionData({}, 2 * HOUR_MS));
    const fromTtl = mod.generateSessionId();
    await store.writeSession(fromTtl, { cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' } });
    const capped = mod.generateSessionId();
    await store.writeSession(capped, sessionData({ userId: 'judy' }, 365 * 24 * HOUR_MS));

    const now = nowSeconds();
    const expiresOf = async (sid: string) => (await item(sid))?.expires as number;
    for (const sid of [fromCookie, fromTtl, capped]) {
      const expires = await expiresOf(sid);
      expect(Number.isInteger(expires)).toBe(true);
      expect(expires).toBeLessThan(10 ** 10);
    }
    // Ranges, not exact values: only the unit and the source of the lifetime are asserted.
    expect(await expiresOf(fromCookie)).toBeGreaterThan(now + 3600);
    expect(await expiresOf(fromCookie)).toBeLessThanOrEqual(now + 7200 + 1);
    expect(await expiresOf(fromTtl)).toBeGreaterThan(now + 60);
    expect(await expiresOf(fromTtl)).toBeLessThanOrEqual(now + 3600 + 1);
    expect(await expiresOf(capped)).toBeLessThanOrEqual(now + 30 * 24 * 3600 + 1);
    expect(await expiresOf(capped)).toBeGreaterThan(now + 29 * 24 * 3600);
    expect(await expiresOf(indexKey('judy'))).toBeGreaterThanOrEqual(await expiresOf(capped));
  });

  it('touch extends a live session but never recreates a destroyed one', async () => {
    const sid = mod.generateSessionId();
    await store.writeSession(sid, sessionData({ userId: 'kim' }, 60 * 1000));
    const shortExpiry = (await item(sid))?.expires as number;
    await new Promise<void>((resolve, reject) =>
      store.touch(sid, sessionData({ userId: 'kim' }, 2 * HOUR_MS), (err: unknown) => (err ? reject(err) : resolve())),
    );
    expect((await item(sid))?.expires).toBeGreaterThan(shortExpiry);

    await new Promise<void>((resolve, reject) => store.destroy(sid, (err: unknown) => (err ? reject(err) : resolve())));
    await store.extendSession(sid, sessionData({ userId: 'kim' }));
    expect(await item(sid)).toBeUndefined();
  });

  it('round-trips session data through the express-session callback API', async () => {
    const sid = mod.generateSessionId();
    const data = sessionData({ visits: 3, nested: { a: [1, 'two'] } });
    await new Promise<void>((resolve, reject) =>
      // The stored form of a session (cookie as JSON), which is what express-session hands a store after a load.
      store.set(sid, data as unknown as session.SessionData, (err: unknown) => (err ? reject(err) : resolve())),
    );
    expect(await getViaCallback(sid)).toEqual(data);
    expect(await item(sid)).toMatchObject({ sid, sess: JSON.stringify(data) });
  });
});
