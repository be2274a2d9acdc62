/**
 * Session, cookie, login and DynamoDB session-store code: the ~5% of files fixate is about. Each
 * template has a vulnerable and a safe form, so the corpus exercises both the reporting and the
 * not-reporting paths; the rest of each file is ordinary route code, as in a real login module.
 */
import { code, FileBuilder, fill, indent, MAX_LINES } from '../lib/code.mjs';
import { jsTemplates } from './common.mjs';
import { ROUTE_SECTIONS, routeImports, sections } from './server.mjs';
import { reactFile } from './web.mjs';

const HARDCODED_SECRETS = ['keyboard cat', 'supersecret', 'changeme', 'dev-secret-123', 'my-session-secret', 's3cr3t'];

function withRouteFiller(fb, rng, framework, entities, target) {
  sections(fb, target, entities.length, (i) => ROUTE_SECTIONS[framework](fb, rng, entities[i]));
  // A route section needs room; top up a file that is just short of its target with helpers.
  let pool = [];
  fill(fb, target, 0, () => {
    if (pool.length === 0) pool = rng.shuffle(utilTemplatesFor(fb, rng));
    return pool.shift()();
  });
}

function header(fb, lines) {
  for (const l of lines) fb.add(l);
  fb.add('');
}

const sessionDataAugmentation = code`
  declare module 'express-session' {
    interface SessionData {
      userId?: string;
      role?: string;
      loginAt?: number;
    }
  }`;

// ---------------------------------------------------------------------------------------------

function expressLogin(rng, _pkg, entities, target, vulnerable) {
  const fb = new FileBuilder();
  header(fb, [
    "import bcrypt from 'bcrypt';",
    ...routeImports('express', entities),
    "import type { UserRepository } from '../repositories/user.repository.js';",
  ]);
  fb.block(sessionDataAugmentation);
  const style = rng.pick(['callback', 'promise']);
  const establish = vulnerable
    ? code`
        req.session.userId = user.id;
        req.session.role = user.role;
        req.session.loginAt = Date.now();
        res.json({ id: user.id, role: user.role });`
    : style === 'callback'
      ? code`
        req.session.regenerate((err) => {
          if (err) return next(err);
          req.session.userId = user.id;
          req.session.role = user.role;
          req.session.loginAt = Date.now();
          req.session.save((saveErr) => {
            if (saveErr) return next(saveErr);
            res.json({ id: user.id, role: user.role });
          });
        });`
      : code`
        await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
        req.session.userId = user.id;
        req.session.role = user.role;
        req.session.loginAt = Date.now();
        res.json({ id: user.id, role: user.role });`;
  const fn = fb.uniq('createLoginRouter');
  fb.block(code`
    export function ${fn}(users: UserRepository): Router {
      const router = Router();

      router.post('/login', async (req: Request, res: Response, next: NextFunction) => {
        const { email, password } = req.body ?? {};
        if (typeof email !== 'string' || typeof password !== 'string') {
          res.status(400).json({ error: 'email and password are required' });
          return;
        }
        try {
          const user = await users.findByEmail(email.trim().toLowerCase());
          const ok = user ? await bcrypt.compare(password, user.passwordHash) : false;
          if (!user || !ok) {
            res.status(401).json({ error: 'invalid credentials' });
            return;
          }
          ${establish}
        } catch (err) {
          next(err);
        }
      });

      router.post('/logout', (req: Request, res: Response, next: NextFunction) => {
        req.session.destroy((err) => {
          if (err) return next(err);
          res.clearCookie('${rng.pick(['sid', 'connect.sid', 'app.sid'])}');
          res.sendStatus(204);
        });
      });

      router.get('/me', async (req: Request, res: Response) => {
        if (!req.session.userId) {
          res.status(401).json({ error: 'not signed in' });
          return;
        }
        const user = await users.findById(req.session.userId);
        res.json(user ? { id: user.id, email: user.email, role: user.role } : null);
      });

      return router;
    }`);
  withRouteFiller(fb, rng, 'express', entities, target);
  return fb.toString();
}

function expressLoginJs(rng, _pkg, entities, target, vulnerable) {
  const fb = new FileBuilder();
  fb.add("'use strict';");
  fb.add('');
  fb.add("const bcrypt = require('bcrypt');");
  fb.add("const express = require('express');");
  fb.add('');
  const establish = vulnerable
    ? code`
        req.session.userId = user.id;
        req.session.isAdmin = user.role === 'admin';
        res.redirect('/dashboard');`
    : code`
        req.session.regenerate(function (regenErr) {
          if (regenErr) return next(regenErr);
          req.session.userId = user.id;
          req.session.isAdmin = user.role === 'admin';
          req.session.save(function () {
            res.redirect('/dashboard');
          });
        });`;
  fb.block(code`
    function loginRoutes(db) {
      const router = express.Router();

      router.post('/login', function (req, res, next) {
        db.users.findOne({ email: String(req.body.email || '').toLowerCase() }, function (err, user) {
          if (err) return next(err);
          if (!user) return res.status(401).render('login', { error: 'Unknown account' });
          bcrypt.compare(String(req.body.password || ''), user.passwordHash, function (cmpErr, ok) {
            if (cmpErr) return next(cmpErr);
            if (!ok) return res.status(401).render('login', { error: 'Wrong password' });
            ${establish}
          });
        });
      });

      router.get('/logout', function (req, res) {
        req.session.destroy(function () {
          res.redirect('/');
        });
      });

      return router;
    }`);
  const exported = ['loginRoutes'];
  let pool = [];
  let i = 0;
  fill(fb, target, 2, () => {
    if (pool.length === 0) pool = rng.shuffle(jsTemplates(fb, rng, entities[i++ % entities.length], true));
    const [name, text] = pool.shift()();
    exported.push(name);
    return text;
  });
  fb.add(`module.exports = { ${exported.join(', ')} };`);
  return fb.toString();
}

function sessionOptions(rng, vulnerable, genid) {
  // A vulnerable config has one to three of the classic mistakes, not always all of them.
  const issues = vulnerable
    ? genid
      ? new Set(['genid'])
      : new Set(rng.sample(['secret', 'secure', 'httpOnly', 'noCookie'], rng.int(1, 3)))
    : new Set();
  const secret = issues.has('secret')
    ? `'${rng.pick(HARDCODED_SECRETS)}'`
    : rng.pick([
        "requireEnv('SESSION_SECRET')",
        'process.env.SESSION_SECRET!',
        "(process.env.SESSION_SECRETS ?? '').split(',')",
      ]);
  const cookie = issues.has('noCookie')
    ? ''
    : code`
      cookie: {
        secure: ${issues.has('secure') ? 'false' : rng.pick(["process.env.NODE_ENV === 'production'", 'true'])},
        httpOnly: ${issues.has('httpOnly') ? 'false' : 'true'},
        sameSite: '${rng.pick(['lax', 'strict'])}',
        maxAge: ${rng.pick(['8 * 60 * 60 * 1000', '30 * 24 * 60 * 60 * 1000', '15 * 60 * 1000'])},
      },`;
  const genidLine = genid
    ? vulnerable
      ? rng.pick([
          "genid: (req) => (typeof req.query.sid === 'string' ? req.query.sid : randomUUID()),",
          "genid: (req) => req.get('x-session-id') ?? randomUUID(),",
          'genid: (req) => req.body?.sessionId || randomUUID(),',
        ])
      : rng.pick(['genid: () => randomUUID(),', "genid: () => randomBytes(32).toString('base64url'),"])
    : '';
  return code`
    {
      name: '${rng.pick(['sid', 'app.sid', '__Host-sid'])}',
      secret: ${secret},
      resave: false,
      saveUninitialized: ${issues.size > 0 ? 'true' : 'false'},
      ${genidLine}
      ${cookie}
      store,
    }`;
}

function expressSessionConfig(rng, _pkg, entities, target, vulnerable, genid = false) {
  const fb = new FileBuilder();
  header(fb, [
    "import { randomBytes, randomUUID } from 'node:crypto';",
    "import express, { type Express } from 'express';",
    "import session, { type Store } from 'express-session';",
    ...entities.map((e) => `import { create${e.Name}Router } from './routes/${e.kebab}.routes.js';`),
    ...entities.map((e) => `import type { ${e.Name}Service } from './services/${e.kebab}.service.js';`),
  ]);
  fb.block(code`
    function requireEnv(name: string): string {
      const value = process.env[name];
      if (!value) {
        throw new Error(\`\${name} must be set\`);
      }
      return value;
    }`);
  fb.block(code`
    export interface AppDeps {
      store: Store;
      ${entities.map((e) => `${e.plural}: ${e.Name}Service;`).join('\n')}
    }`);
  fb.block(code`
    export function createApp({ store, ...deps }: AppDeps): Express {
      const app = express();
      app.disable('x-powered-by');
      ${vulnerable ? '' : "app.set('trust proxy', 1);"}
      app.use(express.json({ limit: '${rng.pick(['100kb', '1mb', '5mb'])}' }));
      app.use(
        session(${sessionOptions(rng, vulnerable, genid)}),
      );
      ${entities.map((e) => `app.use('/api', create${e.Name}Router(deps.${e.plural}));`).join('\n')}
      app.get('/healthz', (_req, res) => {
        res.json({ ok: true, uptime: process.uptime() });
      });
      return app;
    }`);
  let pool = [];
  fill(fb, target, 0, () => {
    if (pool.length === 0) pool = rng.shuffle(utilTemplatesFor(fb, rng));
    return pool.shift()();
  });
  return fb.toString();
}

/** Small configuration helpers that pad an app/bootstrap file to its target size. */
function utilTemplatesFor(fb, rng) {
  const u = (n) => fb.uniq(n);
  return [
    () => code`
      export function ${u('parsePort')}(value: string | undefined, fallback = ${rng.pick([3000, 8080])}): number {
        const port = Number(value);
        return Number.isInteger(port) && port > 0 && port < 65536 ? port : fallback;
      }`,
    () => code`
      export async function ${u('shutdownGracefully')}(server: { close(cb: (err?: Error) => void): void }, timeoutMs = 10_000): Promise<void> {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('shutdown timed out')), timeoutMs);
          server.close((err) => {
            clearTimeout(timer);
            if (err) reject(err);
            else resolve();
          });
        });
      }`,
    () => code`
      export const ${u('corsOrigins')} = (process.env.CORS_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0);`,
    () => code`
      export function ${u('listenOnce')}(app: { listen(port: number, cb: () => void): unknown }, port: number): Promise<void> {
        return new Promise((resolve) => {
          app.listen(port, () => {
            console.log(\`listening on :\${port}\`);
            resolve();
          });
        });
      }`,
    () => code`
      export interface ${u('FeatureFlags')} {
        ${['newCheckout', 'betaSearch', 'fastExports', 'darkLaunch']
          .slice(0, rng.int(2, 4))
          .map((f) => `${f}: boolean;`)
          .join('\n')}
      }

      export function ${u('readFlags')}(env: NodeJS.ProcessEnv = process.env): Record<string, boolean> {
        const out: Record<string, boolean> = {};
        for (const [key, value] of Object.entries(env)) {
          if (key.startsWith('FLAG_')) out[key.slice(5).toLowerCase()] = value === '1' || value === 'true';
        }
        return out;
      }`,
    () => code`
      export function ${u('installProcessHandlers')}(log: { error: (obj: unknown, msg: string) => void }): void {
        process.on('unhandledRejection', (reason) => log.error({ reason }, 'unhandled rejection'));
        process.on('uncaughtException', (err) => {
          log.error({ err }, 'uncaught exception');
          process.exitCode = 1;
        });
      }`,
  ];
}

function expressCustomSid(rng, _pkg, _entities, target, vulnerable) {
  const fb = new FileBuilder();
  header(fb, [
    "import { randomBytes } from 'node:crypto';",
    "import type { NextFunction, Request, Response } from 'express';",
  ]);
  const cookieName = rng.pick(['__app_sid', 'sid', 'x_sess']);
  fb.block(code`
    export interface SessionRecord {
      userId?: string;
      createdAt: number;
      data: Record<string, unknown>;
    }

    export interface SessionBackend {
      get(id: string): Promise<SessionRecord | undefined>;
      set(id: string, record: SessionRecord, ttlSeconds: number): Promise<void>;
      delete(id: string): Promise<void>;
    }

    const COOKIE_NAME = '${cookieName}';
    const newSessionId = (): string => randomBytes(32).toString('base64url');`);
  const lookup = vulnerable
    ? code`
        const presented =
          (typeof req.query.sid === 'string' ? req.query.sid : undefined) ?? req.get('x-session-id') ?? req.cookies?.[COOKIE_NAME];
        let sid: string = presented ?? newSessionId();
        let record = await backend.get(sid);
        if (!record) {
          // Unknown id: adopt it so the client keeps the id it sent.
          record = { createdAt: Date.now(), data: {} };
          await backend.set(sid, record, ttlSeconds);
        }`
    : code`
        const presented: string | undefined = req.cookies?.[COOKIE_NAME];
        let record = presented ? await backend.get(presented) : undefined;
        let sid = presented;
        if (!record || !sid) {
          sid = newSessionId();
          record = { createdAt: Date.now(), data: {} };
          await backend.set(sid, record, ttlSeconds);
        }`;
  fb.block(code`
    export function sessionMiddleware(backend: SessionBackend, ttlSeconds = ${rng.pick([900, 3600, 86_400])}) {
      return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
        try {
          ${lookup}
          res.cookie(COOKIE_NAME, sid, { httpOnly: true, secure: true, sameSite: 'lax', maxAge: ttlSeconds * 1000 });
          res.locals.sessionId = sid;
          res.locals.session = record;
          next();
        } catch (err) {
          next(err);
        }
      };
    }`);
  const bind = vulnerable
    ? code`
        const sid: string = res.locals.sessionId;
        const record: SessionRecord = { ...res.locals.session, userId };
        await backend.set(sid, record, ttlSeconds);
        return sid;`
    : code`
        const oldSid: string | undefined = res.locals.sessionId;
        const sid = newSessionId();
        await backend.set(sid, { createdAt: Date.now(), data: {}, userId }, ttlSeconds);
        if (oldSid) await backend.delete(oldSid);
        res.cookie(COOKIE_NAME, sid, { httpOnly: true, secure: true, sameSite: 'lax', maxAge: ttlSeconds * 1000 });
        res.locals.sessionId = sid;
        return sid;`;
  fb.block(code`
    /** Called by the login handler once the password has been checked. */
    export async function bindUserToSession(backend: SessionBackend, res: Response, userId: string, ttlSeconds = 3600): Promise<string> {
      ${bind}
    }

    export async function endSession(backend: SessionBackend, res: Response): Promise<void> {
      const sid: string | undefined = res.locals.sessionId;
      if (sid) await backend.delete(sid);
      res.clearCookie(COOKIE_NAME);
    }`);
  let pool = [];
  fill(fb, target, 0, () => {
    if (pool.length === 0) pool = rng.shuffle(utilTemplatesFor(fb, rng));
    return pool.shift()();
  });
  return fb.toString();
}

function expressAuthCookie(rng, _pkg, entities, target, vulnerable) {
  const fb = new FileBuilder();
  header(fb, [
    "import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';",
    ...routeImports('express', entities),
  ]);
  const opts = vulnerable
    ? rng.pick([
        "{ httpOnly: false, secure: false, sameSite: 'none', maxAge: 30 * 86_400_000 }",
        '{ maxAge: 30 * 86_400_000 }',
        '{ httpOnly: true, secure: false, maxAge: 7 * 86_400_000 }',
      ])
    : "{ httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: 8 * 3_600_000 }";
  fb.block(code`
    const SIGNING_KEY = process.env.TOKEN_SIGNING_KEY ?? '';

    function sign(value: string): string {
      return \`\${value}.\${createHmac('sha256', SIGNING_KEY).update(value).digest('base64url')}\`;
    }

    export function verifySignedToken(token: string): string | null {
      const dot = token.lastIndexOf('.');
      if (dot <= 0) return null;
      const expected = Buffer.from(sign(token.slice(0, dot)));
      const actual = Buffer.from(token);
      return expected.length === actual.length && timingSafeEqual(expected, actual) ? token.slice(0, dot) : null;
    }

    export function issueSessionCookie(res: Response, userId: string): void {
      const token = sign(\`\${userId}:\${randomBytes(16).toString('hex')}\`);
      res.cookie('session_token', token, ${opts});
    }

    export function clearSessionCookie(res: Response): void {
      res.clearCookie('session_token', { path: '/' });
    }`);
  withRouteFiller(fb, rng, 'express', entities, target);
  return fb.toString();
}

function passportLogin(rng, pkg, entities, target, _vulnerable) {
  const fb = new FileBuilder();
  const legacy = pkg.deps.passport?.startsWith('0.5');
  // Some teams on passport 0.5 regenerate by hand, which makes the old version harmless here.
  const manualRegenerate = legacy && rng.chance(0.3);
  header(fb, [
    "import bcrypt from 'bcrypt';",
    "import passport from 'passport';",
    "import { Strategy as LocalStrategy } from 'passport-local';",
    ...routeImports('express', entities),
    "import type { UserRepository, AppUser } from '../repositories/user.repository.js';",
  ]);
  const logIn = manualRegenerate
    ? code`
        req.session.regenerate((regenErr) => {
          if (regenErr) return next(regenErr);
          req.logIn(user, (loginErr) => {
            if (loginErr) return next(loginErr);
            res.json({ id: user.id });
          });
        });`
    : code`
        req.logIn(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          res.json({ id: user.id });
        });`;
  fb.block(code`
    export function configurePassport(users: UserRepository): void {
      passport.use(
        new LocalStrategy({ usernameField: 'email' }, async (email, password, done) => {
          try {
            const user = await users.findByEmail(email.toLowerCase());
            if (!user || !(await bcrypt.compare(password, user.passwordHash))) {
              return done(null, false, { message: 'Invalid email or password' });
            }
            return done(null, user);
          } catch (err) {
            return done(err);
          }
        }),
      );
      passport.serializeUser((user, done) => done(null, (user as AppUser).id));
      passport.deserializeUser(async (id: string, done) => {
        try {
          done(null, (await users.findById(id)) ?? false);
        } catch (err) {
          done(err);
        }
      });
    }

    export function createAuthRouter(): Router {
      const router = Router();
      router.post(
        '/login',
        passport.authenticate('local', { failureRedirect: '/login?failed=1', failureMessage: true }),
        (_req: Request, res: Response) => res.redirect('/dashboard'),
      );
      router.post('/api/login', (req: Request, res: Response, next: NextFunction) => {
        passport.authenticate('local', (err: unknown, user: AppUser | false) => {
          if (err) return next(err);
          if (!user) return res.status(401).json({ error: 'invalid credentials' });
          ${logIn}
        })(req, res, next);
      });
      router.post('/logout', (req: Request, res: Response, next: NextFunction) => {
        ${
          legacy
            ? "req.logout();\nres.redirect('/');"
            : "req.logout((err) => {\n  if (err) return next(err);\n  res.redirect('/');\n});"
        }
      });
      return router;
    }`);
  withRouteFiller(fb, rng, 'express', entities, target);
  return { text: fb.toString(), vulnerable: legacy && !manualRegenerate };
}

function dynamoStore(rng, _pkg, _entities, target, vulnerable) {
  const fb = new FileBuilder();
  // Two bugs seen in hand-rolled DynamoDB stores: rotating with a put and a separate delete (a
  // failure or race between them leaves the old id valid), and trusting TTL, which deletes expired
  // items only eventually (up to days later), instead of checking expiry on read.
  const bug = vulnerable ? rng.pick(['put-then-delete', 'put-then-delete', 'ttl-only']) : null;
  const cls = rng.pick(['DynamoSessionStore', 'SessionTable', 'DynamoSessions']);
  header(fb, [
    "import { randomBytes } from 'node:crypto';",
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';",
  ]);
  const expiryCheck =
    bug === 'ttl-only'
      ? ''
      : code`
          if (typeof Item.expiresAt !== 'number' || Item.expiresAt <= this.nowSeconds()) {
            return undefined;
          }`;
  const rotate =
    bug === 'put-then-delete'
      ? code`
          const current = await this.get(oldId);
          if (!current) return undefined;
          const newId = this.newId();
          await this.doc.send(
            new PutCommand({ TableName: this.table, Item: { ...this.key(newId), ...current, expiresAt: this.nowSeconds() + this.ttlSeconds } }),
          );
          await this.doc.send(new DeleteCommand({ TableName: this.table, Key: this.key(oldId) }));
          return newId;`
      : code`
          const current = await this.get(oldId);
          if (!current) return undefined;
          const newId = this.newId();
          await this.doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: this.table,
                    Item: { ...this.key(newId), ...current, expiresAt: this.nowSeconds() + this.ttlSeconds },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                { Delete: { TableName: this.table, Key: this.key(oldId), ConditionExpression: 'attribute_exists(pk)' } },
              ],
            }),
          );
          return newId;`;
  fb.block(code`
    export interface StoredSession {
      userId?: string;
      roles: string[];
      data: Record<string, unknown>;
      expiresAt: number;
    }

    export class ${cls} {
      private readonly doc: DynamoDBDocumentClient;

      constructor(
        private readonly table = process.env.SESSIONS_TABLE ?? '${rng.pick(['sessions', 'app-sessions', 'web_sessions'])}',
        client: DynamoDBClient = new DynamoDBClient({}),
        private readonly ttlSeconds = ${rng.pick([900, 3600, 28_800])},
      ) {
        this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
      }

      private key(id: string): { pk: string } {
        return { pk: \`SESSION#\${id}\` };
      }

      private nowSeconds(): number {
        return Math.floor(Date.now() / 1000);
      }

      newId(): string {
        return randomBytes(32).toString('base64url');
      }

      async get(id: string): Promise<StoredSession | undefined> {
        const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: this.key(id), ConsistentRead: true }));
        if (!Item) return undefined;
        ${expiryCheck}
        const { pk: _pk, ...session } = Item;
        return session as StoredSession;
      }

      async set(id: string, session: Omit<StoredSession, 'expiresAt'>): Promise<void> {
        await this.doc.send(
          new PutCommand({ TableName: this.table, Item: { ...this.key(id), ...session, expiresAt: this.nowSeconds() + this.ttlSeconds } }),
        );
      }

      async touch(id: string): Promise<void> {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: this.key(id),
            UpdateExpression: 'SET expiresAt = :e',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':e': this.nowSeconds() + this.ttlSeconds },
          }),
        );
      }

      async destroy(id: string): Promise<void> {
        await this.doc.send(new DeleteCommand({ TableName: this.table, Key: this.key(id) }));
      }

      /** Moves a session to a fresh id, e.g. after login or a privilege change. */
      async rotate(oldId: string): Promise<string | undefined> {
        ${rotate}
      }
    }`);
  let pool = [];
  fill(fb, target, 0, () => {
    if (pool.length === 0) pool = rng.shuffle(utilTemplatesFor(fb, rng));
    return pool.shift()();
  });
  return fb.toString();
}

function fastifySession(rng, _pkg, entities, target, vulnerable) {
  const fb = new FileBuilder();
  header(fb, [
    "import fastifyCookie from '@fastify/cookie';",
    "import fastifySession from '@fastify/session';",
    "import bcrypt from 'bcrypt';",
    ...routeImports('fastify', entities),
    "import type { UserRepository } from '../repositories/user.repository.js';",
  ]);
  fb.block(code`
    declare module 'fastify' {
      interface Session {
        userId?: string;
        role?: string;
      }
    }`);
  const secret = vulnerable
    ? `'${rng.pick(['a secret with minimum length of 32 characters', 'this-is-a-32-char-session-secret!!', 'replace-me-replace-me-replace-me-32'])}'`
    : 'process.env.SESSION_SECRET as string';
  fb.block(code`
    export async function registerAuth(app: FastifyInstance, users: UserRepository): Promise<void> {
      await app.register(fastifyCookie);
      await app.register(fastifySession, {
        secret: ${secret},
        cookieName: '${rng.pick(['sessionId', 'sid'])}',
        cookie: { secure: ${vulnerable ? 'false' : "'auto'"}, httpOnly: true, sameSite: 'lax', maxAge: 86_400_000 },
        saveUninitialized: false,
      });

      app.post<{ Body: { email: string; password: string } }>('/login', async (request, reply) => {
        const user = await users.findByEmail(request.body.email.toLowerCase());
        if (!user || !(await bcrypt.compare(request.body.password, user.passwordHash))) {
          return reply.code(401).send({ message: 'invalid credentials' });
        }
        ${vulnerable ? '' : 'await request.session.regenerate();'}
        request.session.set('userId', user.id);
        request.session.role = user.role;
        return { id: user.id };
      });

      app.post('/logout', async (request, reply) => {
        await request.session.destroy();
        return reply.code(204).send();
      });

      app.get('/me', async (request, reply) => {
        const userId = request.session.get('userId');
        if (!userId) return reply.code(401).send({ message: 'not signed in' });
        return users.findById(userId);
      });
    }`);
  withRouteFiller(fb, rng, 'fastify', entities, target);
  return fb.toString();
}

function koaSession(rng, _pkg, entities, target, vulnerable) {
  const fb = new FileBuilder();
  header(fb, [
    "import Koa from 'koa';",
    "import bodyParser from 'koa-bodyparser';",
    "import session from 'koa-session';",
    "import bcrypt from 'bcrypt';",
    ...routeImports('koa', entities),
    "import type { UserRepository } from './repositories/user.repository.js';",
  ]);
  const keys = vulnerable
    ? `app.keys = [${rng
        .sample(["'im a newer secret'", "'i like turtle'", "'koa-secret'", "'old-key-2019'"], rng.int(1, 2))
        .join(', ')}];`
    : code`
        app.keys = (process.env.KOA_KEYS ?? '').split(',').filter(Boolean);
        if (app.keys.length === 0) {
          throw new Error('KOA_KEYS must list at least one signing key');
        }`;
  const opts = vulnerable
    ? "{ key: 'app:sess', maxAge: 86_400_000, httpOnly: false, signed: true, secure: false }"
    : "{ key: 'app:sess', maxAge: 8 * 3_600_000, httpOnly: true, signed: true, secure: true, sameSite: 'lax', renew: true }";
  fb.block(code`
    export function createApp(users: UserRepository): Koa {
      const app = new Koa({ proxy: true });
      ${keys}
      app.use(session(${opts}, app));
      app.use(bodyParser());

      const auth = new Router();
      auth.post('/login', async (ctx: Context) => {
        const { email, password } = ctx.request.body as { email?: string; password?: string };
        const user = email ? await users.findByEmail(email) : undefined;
        if (!user || !password || !(await bcrypt.compare(password, user.passwordHash))) {
          ctx.status = 401;
          ctx.body = { error: 'invalid credentials' };
          return;
        }
        ${vulnerable ? 'ctx.session!.userId = user.id;' : '// Drop anything set before authentication, then start a new session.\nctx.session = null;\nctx.session = { userId: user.id } as never;'}
        ctx.body = { id: user.id };
      });
      auth.post('/logout', async (ctx: Context) => {
        ctx.session = null;
        ctx.status = 204;
      });
      app.use(auth.routes()).use(auth.allowedMethods());
      return app;
    }`);
  withRouteFiller(fb, rng, 'koa', entities, target);
  return fb.toString();
}

function nestLogin(rng, _pkg, entities, target, vulnerable) {
  const fb = new FileBuilder();
  header(fb, [
    ...routeImports('nest', entities),
    "import { Req, Session, UnauthorizedException } from '@nestjs/common';",
    "import * as bcrypt from 'bcrypt';",
    "import type { Request } from 'express';",
    "import { UsersService } from '../users/users.service.js';",
  ]);
  const login = vulnerable
    ? code`
        @Post('login')
        @HttpCode(HttpStatus.OK)
        async login(@Body() body: { email: string; password: string }, @Session() session: Record<string, unknown>) {
          const user = await this.users.findByEmail(body.email);
          if (!user || !(await bcrypt.compare(body.password, user.passwordHash))) {
            throw new UnauthorizedException();
          }
          session.userId = user.id;
          session.roles = user.roles;
          return { id: user.id };
        }`
    : code`
        @Post('login')
        @HttpCode(HttpStatus.OK)
        async login(@Body() body: { email: string; password: string }, @Req() req: Request) {
          const user = await this.users.findByEmail(body.email);
          if (!user || !(await bcrypt.compare(body.password, user.passwordHash))) {
            throw new UnauthorizedException();
          }
          await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
          req.session.userId = user.id;
          req.session.roles = user.roles;
          return { id: user.id };
        }`;
  const cls = fb.uniq('AuthController');
  fb.block(code`
    @Controller('auth')
    export class ${cls} {
      constructor(private readonly users: UsersService) {}

      ${login}

      @Post('logout')
      @HttpCode(HttpStatus.NO_CONTENT)
      logout(@Req() req: Request): Promise<void> {
        return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
      }

      @Get('me')
      me(@Session() session: Record<string, unknown>) {
        if (!session.userId) throw new UnauthorizedException();
        return { userId: session.userId };
      }
    }`);
  withRouteFiller(fb, rng, 'nest', entities, target);
  return fb.toString();
}

function nestMain(rng, _pkg, _entities, target, vulnerable) {
  const fb = new FileBuilder();
  header(fb, [
    "import 'reflect-metadata';",
    "import { ValidationPipe } from '@nestjs/common';",
    "import { NestFactory } from '@nestjs/core';",
    "import session from 'express-session';",
    "import { AppModule } from './app.module.js';",
  ]);
  const opts = vulnerable
    ? code`
        {
          secret: '${rng.pick(HARDCODED_SECRETS)}',
          resave: false,
          saveUninitialized: false,
          cookie: { secure: false },
        }`
    : code`
        {
          secret: process.env.SESSION_SECRET as string,
          resave: false,
          saveUninitialized: false,
          cookie: { secure: true, httpOnly: true, sameSite: 'lax', maxAge: 8 * 3_600_000 },
        }`;
  fb.block(code`
    async function bootstrap(): Promise<void> {
      const app = await NestFactory.create(AppModule, { bufferLogs: true });
      app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true, forbidNonWhitelisted: true }));
      app.enableShutdownHooks();
      app.use(session(${opts}));
      await app.listen(Number(process.env.PORT ?? ${rng.pick([3000, 8080])}));
    }

    void bootstrap();`);
  let pool = [];
  fill(fb, target, 0, () => {
    if (pool.length === 0) pool = rng.shuffle(utilTemplatesFor(fb, rng));
    return pool.shift()();
  });
  return fb.toString();
}

function webAuth(rng, pkg, entities, target) {
  // Client code that talks about sessions but cannot fixate anything: a false-positive trap.
  const rest = reactFile(rng, pkg, entities, Math.max(0, target - 70), MAX_LINES - 64);
  const body = code`
    export function useSession() {
      const [user, setUser] = useState<{ id: string; email: string } | null>(null);
      const [checked, setChecked] = useState(false);
      useEffect(() => {
        fetch('/api/session/me', { credentials: 'include' })
          .then((response) => (response.ok ? response.json() : null))
          .then((data) => setUser(data))
          .finally(() => setChecked(true));
      }, []);
      return { user, checked, signedIn: user !== null };
    }

    export function LoginForm({ onSuccess }: { onSuccess: () => void }) {
      const [email, setEmail] = useState('');
      const [password, setPassword] = useState('');
      const [error, setError] = useState<string | null>(null);

      async function submit(event: FormEvent<HTMLFormElement>) {
        event.preventDefault();
        const response = await fetch('/api/session', {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        });
        if (!response.ok) {
          setError('Email or password is incorrect');
          return;
        }
        onSuccess();
      }

      return (
        <form onSubmit={submit} className="login-form">
          <label>
            Email
            <input type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} />
          </label>
          <label>
            Password
            <input
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </label>
          {error ? <p role="alert">{error}</p> : null}
          <button type="submit">Sign in</button>
        </form>
      );
    }`;
  return `${rest.trimEnd()}\n\n${body}\n`;
}

function sessionTest(rng, _pkg, _entities, target) {
  const fb = new FileBuilder();
  header(fb, [
    "import request from 'supertest';",
    "import { beforeAll, describe, expect, it } from 'vitest';",
    "import { createTestApp } from './helpers/app.js';",
  ]);
  fb.add(code`
    const sessionCookie = (res: request.Response): string | undefined =>
      ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('${rng.pick(['sid', 'connect.sid'])}='));

    describe('login session handling', () => {
      let app: Parameters<typeof request>[0];

      beforeAll(async () => {
        app = await createTestApp({ users: [{ email: 'ada@example.com', password: 'correct horse battery staple' }] });
      });
  `);
  fb.add('');
  const cases = (n) => [
    code`
      it('issues a new session id when the user logs in${n}', async () => {
        const agent = request.agent(app);
        const before = sessionCookie(await agent.get('/api/me'));
        const res = await agent.post('/api/login').send({ email: 'ada@example.com', password: 'correct horse battery staple' });
        expect(res.status).toBe(200);
        expect(sessionCookie(res)).toBeDefined();
        expect(sessionCookie(res)).not.toEqual(before);
      });`,
    code`
      it('rejects a wrong password without creating a session${n}', async () => {
        const res = await request(app).post('/api/login').send({ email: 'ada@example.com', password: 'nope' });
        expect(res.status).toBe(401);
        expect(sessionCookie(res)).toBeUndefined();
      });`,
    code`
      it('marks the cookie HttpOnly and Secure${n}', async () => {
        const res = await request(app).post('/api/login').send({ email: 'ada@example.com', password: 'correct horse battery staple' });
        const cookie = sessionCookie(res) ?? '';
        expect(cookie).toMatch(/HttpOnly/i);
        expect(cookie).toMatch(/Secure/i);
      });`,
    code`
      it('forgets the session on logout${n}', async () => {
        const agent = request.agent(app);
        await agent.post('/api/login').send({ email: 'ada@example.com', password: 'correct horse battery staple' });
        await agent.post('/api/logout').expect(204);
        await agent.get('/api/me').expect(401);
      });`,
  ];
  let pool = [];
  let round = 0;
  fill(fb, target, 1, () => {
    if (pool.length === 0) pool = rng.shuffle(cases(round++ === 0 ? '' : ` (${round})`));
    return indent(pool.shift());
  });
  fb.trimBlank();
  fb.add('});');
  return fb.toString();
}

/**
 * Session templates by framework: [kind, weight, file-name stem, extension, requirement]. The
 * requirement names a dependency the package must declare for the template to be chosen.
 */
export const SESSION_KINDS = {
  express: [
    ['express-login', 4, 'routes/auth.routes', 'ts'],
    ['express-login-js', 2, 'legacy/login', 'cjs'],
    ['express-session-config', 4, 'app', 'ts'],
    ['express-genid', 2, 'app.session', 'ts'],
    ['express-custom-sid', 2, 'middleware/session', 'ts'],
    ['express-auth-cookie', 2, 'routes/token.routes', 'ts'],
    ['passport-login', 4, 'auth/passport', 'ts', 'passport'],
    ['dynamo-store', 2, 'stores/dynamo-session-store', 'ts', '@aws-sdk/lib-dynamodb'],
    ['session-test', 1, '__tests__/login.session.test', 'ts'],
  ],
  fastify: [
    ['fastify-session', 5, 'plugins/auth', 'ts'],
    ['dynamo-store', 2, 'stores/dynamo-session-store', 'ts', '@aws-sdk/lib-dynamodb'],
  ],
  koa: [
    ['koa-session', 5, 'app', 'ts'],
    ['dynamo-store', 2, 'stores/dynamo-session-store', 'ts', '@aws-sdk/lib-dynamodb'],
  ],
  nest: [
    ['nest-login', 4, 'auth/auth.controller', 'ts'],
    ['nest-main', 2, 'main', 'ts'],
    ['dynamo-store', 2, 'auth/dynamo-session.store', 'ts', '@aws-sdk/lib-dynamodb'],
  ],
  web: [['web-auth', 1, 'components/LoginForm', 'tsx']],
  lib: [['dynamo-store', 1, 'session/dynamo-store', 'ts', '@aws-sdk/lib-dynamodb']],
};

const ALWAYS_SAFE = new Set(['web-auth', 'session-test']);

/** Returns { text, vulnerable }. */
export function sessionFile(kind, rng, pkg, entities, target) {
  const vulnerable = !ALWAYS_SAFE.has(kind) && rng.chance(0.5);
  const build = {
    'express-login': () => expressLogin(rng, pkg, entities, target, vulnerable),
    'express-login-js': () => expressLoginJs(rng, pkg, entities, target, vulnerable),
    'express-session-config': () => expressSessionConfig(rng, pkg, entities, target, vulnerable),
    'express-genid': () => expressSessionConfig(rng, pkg, entities, target, vulnerable, true),
    'express-custom-sid': () => expressCustomSid(rng, pkg, entities, target, vulnerable),
    'express-auth-cookie': () => expressAuthCookie(rng, pkg, entities, target, vulnerable),
    'passport-login': () => passportLogin(rng, pkg, entities, target, vulnerable),
    'dynamo-store': () => dynamoStore(rng, pkg, entities, target, vulnerable),
    'fastify-session': () => fastifySession(rng, pkg, entities, target, vulnerable),
    'koa-session': () => koaSession(rng, pkg, entities, target, vulnerable),
    'nest-login': () => nestLogin(rng, pkg, entities, target, vulnerable),
    'nest-main': () => nestMain(rng, pkg, entities, target, vulnerable),
    'web-auth': () => webAuth(rng, pkg, entities, target),
    'session-test': () => sessionTest(rng, pkg, entities, target),
  }[kind];
  const out = build();
  return typeof out === 'string' ? { text: out, vulnerable } : out;
}
