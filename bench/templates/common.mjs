/**
 * Templates shared by every kind of package: DTOs, services, repositories, utilities, middleware,
 * tests and plain JavaScript. None of them may mention sessions, cookies, logins or DynamoDB: the
 * benchmark relies on only the session templates (about 5% of files) being relevant to fixate.
 */
import { code, FileBuilder, fill, indent } from '../lib/code.mjs';

const PREFIXES = ['', 'Admin', 'Public', 'Internal', 'Bulk', 'Legacy', 'Summary', 'Detailed', 'Draft', 'Archived'];

const q = (s) => `'${s}'`;
const fieldType = (f) => f.type;

// ---------------------------------------------------------------------------------------------
// DTOs
// ---------------------------------------------------------------------------------------------

function dtoRound(fb, rng, e, prefix, nest) {
  const T = fb.uniq(`${prefix}${e.Name}`);
  const TP = `${prefix}${e.Plural}`;
  const upper = `${T.replace(/[A-Z]/g, (m) => `_${m}`)
    .replace(/^_/, '')
    .toUpperCase()}_STATUSES`;
  const out = [];
  if (rng.chance(0.5)) {
    out.push(code`
      export const ${upper} = [${e.statuses.map(q).join(', ')}] as const;
      export type ${T}Status = (typeof ${upper})[number];

      export function is${T}Status(value: unknown): value is ${T}Status {
        return typeof value === 'string' && (${upper} as readonly string[]).includes(value);
      }`);
  } else {
    out.push(code`
      export enum ${T}Status {
        ${e.statuses.map((s) => `${s.charAt(0).toUpperCase()}${s.slice(1)} = '${s}',`).join('\n')}
      }`);
  }
  out.push(code`
    export interface ${T} {
      id: string;
      status: ${T}Status;
      ${e.fields.map((f) => `${f.name}${f.optional ? '?' : ''}: ${fieldType(f)};`).join('\n')}
      createdAt: Date;
      updatedAt: Date;
      version: number;
    }`);
  out.push(code`
    export type ${T}Response = Omit<${T}, 'createdAt' | 'updatedAt'> & {
      createdAt: string;
      updatedAt: string;
      links: { self: string };
    };`);
  out.push(code`
    export const create${T}Schema = z.object({
      ${e.fields.map((f) => `${f.name}: ${f.zod}${f.optional ? '.optional()' : ''},`).join('\n')}
    });
    export type Create${T}Input = z.infer<typeof create${T}Schema>;`);
  out.push(code`
    export const update${T}Schema = create${T}Schema.partial().extend({
      status: z.enum([${e.statuses.map(q).join(', ')}]).optional(),
      version: z.number().int().nonnegative(),
    });
    export type Update${T}Input = z.infer<typeof update${T}Schema>;`);
  out.push(code`
    export const list${TP}Query = z.object({
      limit: z.coerce.number().int().min(1).max(100).default(${rng.pick([20, 25, 50])}),
      cursor: z.string().optional(),
      status: z.enum([${e.statuses.map(q).join(', ')}]).optional(),
      sort: z.enum(['createdAt', '${e.fields[0].name}']).default('createdAt'),
      order: z.enum(['asc', 'desc']).default('desc'),
    });
    export type List${TP}Query = z.infer<typeof list${TP}Query>;`);
  out.push(code`
    export function to${T}Response(entity: ${T}, baseUrl = '/api'): ${T}Response {
      return {
        ...entity,
        createdAt: entity.createdAt.toISOString(),
        updatedAt: entity.updatedAt.toISOString(),
        links: { self: \`\${baseUrl}/${e.kebab}s/\${entity.id}\` },
      };
    }`);
  if (nest) {
    out.push(code`
      export class Create${T}Dto {
        ${e.fields
          .map((f) =>
            [
              ...(f.optional ? ['@IsOptional()'] : []),
              ...f.decorators.map((d) => `@${d}`),
              `${f.name}${f.optional ? '?' : '!'}: ${f.type};`,
              '',
            ].join('\n'),
          )
          .join('\n')
          .trimEnd()}
      }`);
  }
  if (rng.chance(0.4)) {
    out.push(code`
      export const ${T.charAt(0).toLowerCase()}${T.slice(1)}Defaults: Readonly<Partial<${T}>> = Object.freeze({
        ${e.fields
          .slice(0, 3)
          .map((f) => `${f.name}: ${f.sample},`)
          .join('\n')}
      });`);
  }
  return out;
}

export function dtoFile(rng, pkg, entities, target) {
  const fb = new FileBuilder();
  const nest = pkg.framework === 'nest';
  fb.add("import { z } from 'zod';");
  if (nest) {
    fb.add(
      "import { IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsISO8601, IsLocale, IsNumber, IsOptional, IsString, IsUrl, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';",
    );
  }
  fb.add('');
  fb.block(code`
    export interface Page<T> {
      items: T[];
      total: number;
      nextCursor: string | null;
    }`);
  let queue = [];
  let round = 0;
  fill(fb, target, 0, () => {
    if (queue.length === 0) {
      const e = entities[round % entities.length];
      queue = dtoRound(fb, rng, e, PREFIXES[Math.floor(round / entities.length) % PREFIXES.length], nest);
      round++;
    }
    return queue.shift();
  });
  return fb.toString();
}

// ---------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------

function serviceMethods(fb, rng, e) {
  const N = e.Name;
  const num = e.numeric;
  const text = e.text ?? 'id';
  const [s0, s1, s2] = e.statuses;
  const m = (name) => fb.uniq(name);
  const list = [
    () => code`
      async ${m('findById')}(id: string): Promise<${N} | undefined> {
        const cached = this.cache.get(id);
        if (cached && cached.expiresAt > this.now()) {
          return cached.value;
        }
        const found = await this.repo.findById(id);
        if (found) {
          this.cache.set(id, { value: found, expiresAt: this.now() + this.ttlMs });
        }
        return found;
      }`,
    () => code`
      async ${m(`get${N}OrThrow`)}(id: string): Promise<${N}> {
        const found = await this.repo.findById(id);
        if (!found) {
          throw new ${N}NotFoundError(id);
        }
        return found;
      }`,
    () => code`
      async ${m('list')}(query: List${e.Plural}Query): Promise<Page<${N}>> {
        const rows = await this.repo.findMany({
          status: query.status,
          limit: query.limit + 1,
          after: query.cursor,
          orderBy: query.sort,
          direction: query.order,
        });
        const hasMore = rows.length > query.limit;
        const items = hasMore ? rows.slice(0, query.limit) : rows;
        const total = await this.repo.count({ status: query.status });
        return { items, total, nextCursor: hasMore ? items[items.length - 1].id : null };
      }`,
    () => code`
      async ${m('create')}(input: Create${N}Input, actorId: string): Promise<${N}> {
        const now = new Date(this.now());
        const entity: ${N} = {
          id: randomUUID(),
          status: '${s0}',
          ...input,
          createdAt: now,
          updatedAt: now,
          version: 0,
        } as ${N};
        await this.repo.insert(entity);
        this.events.emit('${e.name}.created', { id: entity.id, actorId });
        this.log.info({ id: entity.id, actorId }, '${e.name} created');
        return entity;
      }`,
    () => code`
      async ${m('update')}(id: string, patch: Update${N}Input): Promise<${N}> {
        const current = await this.repo.findById(id);
        if (!current) {
          throw new ${N}NotFoundError(id);
        }
        if (current.version !== patch.version) {
          throw new ConflictError(
            \`${N} \${id} was modified concurrently (expected v\${patch.version}, found v\${current.version})\`,
          );
        }
        const next = { ...current, ...patch, version: current.version + 1, updatedAt: new Date(this.now()) } as ${N};
        await this.repo.update(next);
        this.cache.delete(id);
        this.events.emit('${e.name}.updated', { id, version: next.version });
        return next;
      }`,
    () => code`
      async ${m('remove')}(id: string): Promise<boolean> {
        const removed = await this.repo.delete(id);
        this.cache.delete(id);
        if (removed) {
          this.events.emit('${e.name}.removed', { id });
        }
        return removed;
      }`,
    () => code`
      async ${m('bulkUpdateStatus')}(
        ids: readonly string[],
        status: ${N}['status'],
      ): Promise<{ updated: string[]; failed: Array<{ id: string; reason: string }> }> {
        const results = await Promise.allSettled(
          ids.map(async (id) => {
            const item = await this.repo.findById(id);
            if (!item) throw new ${N}NotFoundError(id);
            await this.repo.update({ ...item, status, version: item.version + 1 });
            return id;
          }),
        );
        const updated: string[] = [];
        const failed: Array<{ id: string; reason: string }> = [];
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') updated.push(result.value);
          else failed.push({ id: ids[index], reason: String(result.reason) });
        });
        return { updated, failed };
      }`,
    () =>
      num
        ? code`
      async ${m('totalsByStatus')}(): Promise<Record<string, number>> {
        const all = await this.repo.findMany({ limit: 10_000 });
        return all.reduce<Record<string, number>>((acc, item) => {
          acc[item.status] = (acc[item.status] ?? 0) + item.${num};
          return acc;
        }, {});
      }`
        : code`
      async ${m('countByStatus')}(): Promise<Map<string, number>> {
        const all = await this.repo.findMany({ limit: 10_000 });
        const counts = new Map<string, number>();
        for (const item of all) {
          counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
        }
        return counts;
      }`,
    () => code`
      ${m('search')}(items: readonly ${N}[], term: string): ${N}[] {
        const needle = term.trim().toLowerCase();
        if (!needle) {
          return [...items];
        }
        return items.filter(
          (item) => String(item.${text}).toLowerCase().includes(needle) || item.id.startsWith(needle),
        );
      }`,
    () => code`
      ${m('toCsv')}(items: readonly ${N}[]): string {
        const columns = ['id', 'status', ${e.fields
          .slice(0, 4)
          .map((f) => q(f.name))
          .join(', ')}] as const;
        const header = columns.join(',');
        const rows = items.map((item) =>
          columns.map((column) => JSON.stringify((item as unknown as Record<string, unknown>)[column] ?? '')).join(','),
        );
        return [header, ...rows].join('\\n');
      }`,
    () => code`
      private ${m('isStale')}(item: ${N}, maxAgeMs = ${rng.pick(['86_400_000', '3_600_000', '604_800_000'])}): boolean {
        return this.now() - item.updatedAt.getTime() > maxAgeMs;
      }`,
    () => code`
      async ${m('archiveStale')}(maxAgeMs = 86_400_000): Promise<number> {
        const candidates = await this.repo.findMany({ status: '${s1 ?? s0}', limit: 500 });
        let archived = 0;
        for (const item of candidates) {
          if (this.now() - item.updatedAt.getTime() <= maxAgeMs) continue;
          await this.repo.update({ ...item, status: '${s2 ?? s0}', version: item.version + 1 } as ${N});
          archived += 1;
        }
        this.log.info({ archived }, 'archived stale ${e.plural}');
        return archived;
      }`,
    () => code`
      async *${m('iterateAll')}(batchSize = 200): AsyncGenerator<${N}, void, undefined> {
        let after: string | undefined;
        for (;;) {
          const batch = await this.repo.findMany({ limit: batchSize, after });
          yield* batch;
          if (batch.length < batchSize) return;
          after = batch[batch.length - 1].id;
        }
      }`,
  ];
  return rng.shuffle(list);
}

function serviceClass(fb, rng, e, nest, target) {
  const N = e.Name;
  const Err = fb.uniq(`${N}NotFoundError`);
  const Cls = fb.uniq(`${N}Service`);
  fb.block(code`
    export class ${Err} extends Error {
      constructor(readonly id: string) {
        super(\`${N} \${id} not found\`);
        this.name = '${Err}';
      }
    }`);
  fb.add(code`
    ${nest ? '@Injectable()' : ''}
    export class ${Cls} {
      private readonly cache = new Map<string, { value: ${N}; expiresAt: number }>();
      private readonly ttlMs: number;

      constructor(
        private readonly repo: ${N}Repository,
        private readonly events: EventEmitter,
        private readonly log: Logger,
        options: { ttlMs?: number } = {},
        private readonly now: () => number = Date.now,
      ) {
        this.ttlMs = options.ttlMs ?? ${rng.pick(['30_000', '60_000', '5_000'])};
      }
  `);
  fb.add('');
  const methods = serviceMethods(fb, rng, e).map((f) => f().replace(new RegExp(`${N}NotFoundError`, 'g'), Err));
  fill(fb, target, 1, () => (methods.length > 0 ? indent(methods.shift()) : null));
  fb.trimBlank();
  fb.block('}');
}

export function serviceFile(rng, pkg, entities, target) {
  const fb = new FileBuilder();
  const nest = pkg.framework === 'nest';
  const e = entities[0];
  fb.add("import { randomUUID } from 'node:crypto';");
  fb.add("import type { EventEmitter } from 'node:events';");
  if (nest) fb.add("import { Injectable } from '@nestjs/common';");
  fb.add(`import type { Logger } from 'pino';`);
  for (const x of entities) {
    fb.add(
      `import type { Create${x.Name}Input, List${x.Plural}Query, Page, ${x.Name}, Update${x.Name}Input } from '../dto/${x.kebab}.dto.js';`,
    );
    fb.add(`import type { ${x.Name}Repository } from '../repositories/${x.kebab}.repository.js';`);
  }
  fb.add('');
  fb.block(code`
    export class ConflictError extends Error {
      readonly status = 409;
    }`);
  let i = 0;
  while (fb.lines < target - 25 && i < 6) {
    serviceClass(fb, rng, entities[i % entities.length] ?? e, nest, target);
    i++;
  }
  return fb.toString();
}

// ---------------------------------------------------------------------------------------------
// Repositories
// ---------------------------------------------------------------------------------------------

export function repositoryFile(rng, _pkg, entities, target) {
  const fb = new FileBuilder();
  fb.add("import type { Pool, PoolClient, QueryResultRow } from 'pg';");
  for (const x of entities) fb.add(`import type { ${x.Name} } from '../dto/${x.kebab}.dto.js';`);
  fb.add('');
  fb.block(code`
    export interface FindManyOptions {
      status?: string;
      limit?: number;
      after?: string;
      orderBy?: string;
      direction?: 'asc' | 'desc';
    }

    interface BaseRow extends QueryResultRow {
      id: string;
      status: string;
      created_at: Date;
      updated_at: Date;
      version: number;
      payload: Record<string, unknown>;
    }`);
  const generic = fb.uniq('BaseRepository');
  fb.block(code`
    export abstract class ${generic}<T extends { id: string; status: string; version: number }> {
      protected abstract readonly table: string;

      constructor(protected readonly pool: Pool) {}

      protected abstract toEntity(row: BaseRow): T;

      async findById(id: string): Promise<T | undefined> {
        const { rows } = await this.pool.query<BaseRow>(\`SELECT * FROM \${this.table} WHERE id = $1\`, [id]);
        return rows[0] ? this.toEntity(rows[0]) : undefined;
      }

      async findMany(options: FindManyOptions = {}): Promise<T[]> {
        const clauses: string[] = [];
        const params: unknown[] = [];
        if (options.status) {
          params.push(options.status);
          clauses.push(\`status = $\${params.length}\`);
        }
        if (options.after) {
          params.push(options.after);
          clauses.push(\`id > $\${params.length}\`);
        }
        const where = clauses.length > 0 ? \`WHERE \${clauses.join(' AND ')}\` : '';
        const order = options.orderBy === 'createdAt' || !options.orderBy ? 'created_at' : 'id';
        params.push(options.limit ?? 50);
        const sql = \`SELECT * FROM \${this.table} \${where} ORDER BY \${order} \${options.direction === 'asc' ? 'ASC' : 'DESC'} LIMIT $\${params.length}\`;
        const { rows } = await this.pool.query<BaseRow>(sql, params);
        return rows.map((row) => this.toEntity(row));
      }

      async count(options: Pick<FindManyOptions, 'status'> = {}): Promise<number> {
        const { rows } = options.status
          ? await this.pool.query<{ n: string }>(\`SELECT count(*) AS n FROM \${this.table} WHERE status = $1\`, [options.status])
          : await this.pool.query<{ n: string }>(\`SELECT count(*) AS n FROM \${this.table}\`);
        return Number(rows[0]?.n ?? 0);
      }

      async delete(id: string): Promise<boolean> {
        const result = await this.pool.query(\`DELETE FROM \${this.table} WHERE id = $1\`, [id]);
        return (result.rowCount ?? 0) > 0;
      }

      async withTransaction<R>(fn: (client: PoolClient) => Promise<R>): Promise<R> {
        const client = await this.pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(client);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        } finally {
          client.release();
        }
      }
    }`);
  let i = 0;
  fill(fb, target, 0, () => {
    const e = entities[i++ % entities.length];
    const Cls = fb.uniq(`${e.Name}Repository`);
    const col = e.fields[0].name;
    const extra = rng
      .shuffle([
        code`
        async findBy${col.charAt(0).toUpperCase()}${col.slice(1)}(value: ${e.fields[0].type}): Promise<${e.Name}[]> {
          const { rows } = await this.pool.query<BaseRow>(
            \`SELECT * FROM \${this.table} WHERE payload->>'${col}' = $1 ORDER BY created_at DESC\`,
            [String(value)],
          );
          return rows.map((row) => this.toEntity(row));
        }`,
        code`
        async updateStatusWhere(from: string, to: string): Promise<number> {
          const result = await this.pool.query(
            \`UPDATE \${this.table} SET status = $2, version = version + 1, updated_at = now() WHERE status = $1\`,
            [from, to],
          );
          return result.rowCount ?? 0;
        }`,
        code`
        async purgeOlderThan(days: number): Promise<number> {
          return this.withTransaction(async (client) => {
            const result = await client.query(
              \`DELETE FROM \${this.table} WHERE updated_at < now() - make_interval(days => $1) RETURNING id\`,
              [days],
            );
            return result.rowCount ?? 0;
          });
        }`,
      ])
      .slice(0, rng.int(1, 3));
    return code`
      export class ${Cls} extends ${generic}<${e.Name}> {
        protected readonly table = '${e.table}';

        protected toEntity(row: BaseRow): ${e.Name} {
          return {
            ...(row.payload as Omit<${e.Name}, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'version'>),
            id: row.id,
            status: row.status as ${e.Name}['status'],
            createdAt: row.created_at,
            updatedAt: row.updated_at,
            version: row.version,
          };
        }

        async insert(entity: ${e.Name}): Promise<void> {
          const { id, status, createdAt, updatedAt, version, ...payload } = entity;
          await this.pool.query(
            \`INSERT INTO \${this.table} (id, status, created_at, updated_at, version, payload) VALUES ($1, $2, $3, $4, $5, $6)\`,
            [id, status, createdAt, updatedAt, version, JSON.stringify(payload)],
          );
        }

        async update(entity: ${e.Name}): Promise<void> {
          const { id, status, version, createdAt: _c, updatedAt: _u, ...payload } = entity;
          const result = await this.pool.query(
            \`UPDATE \${this.table} SET status = $2, version = $3, payload = $4, updated_at = now() WHERE id = $1 AND version = $3 - 1\`,
            [id, status, version, JSON.stringify(payload)],
          );
          if (result.rowCount === 0) {
            throw new Error(\`stale write to ${e.name} \${id}\`);
          }
        }

        ${extra.join('\n\n')}
      }`;
  });
  return fb.toString();
}

// ---------------------------------------------------------------------------------------------
// Utilities
// ---------------------------------------------------------------------------------------------

function utilTemplates(fb, rng) {
  const u = (n) => fb.uniq(n);
  return [
    () => {
      const name = u('retry');
      const Opts = u('RetryOptions');
      return code`
        export interface ${Opts} {
          attempts?: number;
          baseDelayMs?: number;
          maxDelayMs?: number;
          shouldRetry?: (error: unknown, attempt: number) => boolean;
        }

        export async function ${name}<T>(fn: (attempt: number) => Promise<T>, options: ${Opts} = {}): Promise<T> {
          const { attempts = ${rng.int(3, 6)}, baseDelayMs = ${rng.pick([50, 100, 250])}, maxDelayMs = 5_000, shouldRetry = () => true } = options;
          let lastError: unknown;
          for (let attempt = 1; attempt <= attempts; attempt++) {
            try {
              return await fn(attempt);
            } catch (error) {
              lastError = error;
              if (attempt === attempts || !shouldRetry(error, attempt)) break;
              const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
              await new Promise((resolve) => setTimeout(resolve, delay));
            }
          }
          throw lastError;
        }`;
    },
    () => code`
      export function ${u('groupBy')}<T, K extends PropertyKey>(items: readonly T[], key: (item: T) => K): Record<K, T[]> {
        const out = {} as Record<K, T[]>;
        for (const item of items) {
          const k = key(item);
          (out[k] ??= []).push(item);
        }
        return out;
      }`,
    () => code`
      export function ${u('chunk')}<T>(items: readonly T[], size: number): T[][] {
        if (size <= 0) throw new RangeError(\`chunk size must be positive, got \${size}\`);
        const out: T[][] = [];
        for (let i = 0; i < items.length; i += size) {
          out.push(items.slice(i, i + size));
        }
        return out;
      }`,
    () => {
      const C = u('LruCache');
      return code`
        export class ${C}<K, V> {
          private readonly map = new Map<K, V>();

          constructor(private readonly capacity: number) {
            if (capacity < 1) throw new RangeError('capacity must be at least 1');
          }

          get(key: K): V | undefined {
            const value = this.map.get(key);
            if (value === undefined) return undefined;
            this.map.delete(key);
            this.map.set(key, value);
            return value;
          }

          set(key: K, value: V): this {
            this.map.delete(key);
            this.map.set(key, value);
            if (this.map.size > this.capacity) {
              const oldest = this.map.keys().next().value as K;
              this.map.delete(oldest);
            }
            return this;
          }

          get size(): number {
            return this.map.size;
          }
        }`;
    },
    () => {
      const R = u('Result');
      return code`
        export type ${R}<T, E = Error> = { ok: true; value: T } | { ok: false; error: E };

        export const ${u('ok')} = <T>(value: T): ${R}<T, never> => ({ ok: true, value });
        export const ${u('err')} = <E>(error: E): ${R}<never, E> => ({ ok: false, error });

        export async function ${u('attempt')}<T>(fn: () => Promise<T>): Promise<${R}<T>> {
          try {
            return { ok: true, value: await fn() };
          } catch (error) {
            return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
          }
        }`;
    },
    () => code`
      export function ${u('debounce')}<A extends unknown[]>(fn: (...args: A) => void, waitMs: number): (...args: A) => void {
        let timer: ReturnType<typeof setTimeout> | undefined;
        return (...args: A) => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => {
            timer = undefined;
            fn(...args);
          }, waitMs);
        };
      }`,
    () => {
      const cacheName = u('moneyFormatters');
      return code`
      const ${cacheName} = new Map<string, Intl.NumberFormat>();

      export function ${u('formatMoney')}(amountMinor: number, currency = '${rng.pick(['EUR', 'USD', 'GBP'])}', locale = 'en-GB'): string {
        const key = \`\${locale}:\${currency}\`;
        let formatter = ${cacheName}.get(key);
        if (!formatter) {
          formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
          ${cacheName}.set(key, formatter);
        }
        return formatter.format(amountMinor / 100);
      }`;
    },
    () => {
      const units = u('DURATION_UNITS');
      return code`
      const ${units}: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

      export function ${u('parseDuration')}(input: string): number {
        const match = /^(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)$/.exec(input.trim());
        if (!match) {
          throw new TypeError(\`invalid duration: \${JSON.stringify(input)}\`);
        }
        return Math.round(Number(match[1]) * ${units}[match[2]]);
      }`;
    },
    () => {
      const merge = u('deepMerge');
      return code`
      export function ${merge}<T extends Record<string, unknown>>(base: T, patch: Partial<T>): T {
        const out: Record<string, unknown> = { ...base };
        for (const [key, value] of Object.entries(patch)) {
          const current = out[key];
          if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object') {
            out[key] = ${merge}(current as Record<string, unknown>, value as Record<string, unknown>);
          } else if (value !== undefined) {
            out[key] = value;
          }
        }
        return out as T;
      }`;
    },
    () => code`
      export function ${u('pick')}<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
        const out = {} as Pick<T, K>;
        for (const key of keys) {
          if (key in source) out[key] = source[key];
        }
        return out;
      }

      export function ${u('omit')}<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Omit<T, K> {
        const out = { ...source };
        for (const key of keys) delete out[key];
        return out;
      }`,
    () => code`
      export function ${u('slugify')}(input: string, maxLength = ${rng.pick([48, 64, 80])}): string {
        return input
          .normalize('NFKD')
          .replace(/[\\u0300-\\u036f]/g, '')
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .slice(0, maxLength);
      }`,
    () => code`
      export async function ${u('mapLimit')}<T, R>(
        items: readonly T[],
        limit: number,
        fn: (item: T, index: number) => Promise<R>,
      ): Promise<R[]> {
        const results = new Array<R>(items.length);
        let next = 0;
        const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
          while (next < items.length) {
            const index = next++;
            results[index] = await fn(items[index], index);
          }
        });
        await Promise.all(workers);
        return results;
      }`,
    () => code`
      export function ${u('assertNever')}(value: never, message = 'unexpected value'): never {
        throw new Error(\`\${message}: \${JSON.stringify(value)}\`);
      }

      export function ${u('invariant')}(condition: unknown, message: string): asserts condition {
        if (!condition) {
          throw new Error(\`invariant failed: \${message}\`);
        }
      }`,
    () => {
      const E = u('TypedEmitter');
      const L = u('Listener');
      return code`
        type ${L}<A extends unknown[]> = (...args: A) => void;

        export class ${E}<Events extends Record<string, unknown[]>> {
          private readonly listeners: { [K in keyof Events]?: Set<${L}<Events[K]>> } = {};

          on<K extends keyof Events>(event: K, listener: ${L}<Events[K]>): () => void {
            const set = (this.listeners[event] ??= new Set());
            set.add(listener);
            return () => set.delete(listener);
          }

          emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
            for (const listener of this.listeners[event] ?? []) {
              listener(...args);
            }
          }
        }`;
    },
    () => code`
      export function ${u('memoize')}<A extends unknown[], R>(fn: (...args: A) => R, keyOf: (...args: A) => string = (...args) => JSON.stringify(args)): (...args: A) => R {
        const cache = new Map<string, R>();
        return (...args: A): R => {
          const key = keyOf(...args);
          if (cache.has(key)) return cache.get(key) as R;
          const value = fn(...args);
          cache.set(key, value);
          return value;
        };
      }`,
    () => code`
      export function ${u('toCsv')}<T extends Record<string, unknown>>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
        const escape = (value: unknown): string => {
          const s = value == null ? '' : String(value);
          return /[",\\n]/.test(s) ? \`"\${s.replace(/"/g, '""')}"\` : s;
        };
        const lines = [columns.join(',')];
        for (const row of rows) {
          lines.push(columns.map((column) => escape(row[column])).join(','));
        }
        return lines.join('\\n');
      }`,
    () => code`
      export const ${u('sleep')} = (ms: number, signal?: AbortSignal): Promise<void> =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal?.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(signal.reason);
            },
            { once: true },
          );
        });`,
    () => code`
      export function ${u('addDays')}(date: Date, days: number): Date {
        const out = new Date(date.getTime());
        out.setUTCDate(out.getUTCDate() + days);
        return out;
      }

      export function ${u('startOfWeek')}(date: Date, weekStartsOn: 0 | 1 = 1): Date {
        const out = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
        const diff = (out.getUTCDay() - weekStartsOn + 7) % 7;
        out.setUTCDate(out.getUTCDate() - diff);
        return out;
      }`,
    () => {
      const clamp = u('clamp');
      return code`
      export function ${clamp}(value: number, min: number, max: number): number {
        return Math.min(max, Math.max(min, value));
      }

      export function ${u('percentile')}(values: readonly number[], p: number): number {
        if (values.length === 0) return Number.NaN;
        const sorted = [...values].sort((a, b) => a - b);
        const rank = (${clamp}(p, 0, 100) / 100) * (sorted.length - 1);
        const low = Math.floor(rank);
        const high = Math.ceil(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
      }`;
    },
    () => {
      const Q = u('PriorityQueue');
      return code`
        export class ${Q}<T> {
          private readonly heap: Array<{ priority: number; value: T }> = [];

          push(value: T, priority: number): void {
            this.heap.push({ priority, value });
            let i = this.heap.length - 1;
            while (i > 0) {
              const parent = (i - 1) >> 1;
              if (this.heap[parent].priority <= this.heap[i].priority) break;
              [this.heap[parent], this.heap[i]] = [this.heap[i], this.heap[parent]];
              i = parent;
            }
          }

          pop(): T | undefined {
            const top = this.heap[0];
            const last = this.heap.pop();
            if (this.heap.length > 0 && last) {
              this.heap[0] = last;
              let i = 0;
              for (;;) {
                const l = 2 * i + 1;
                const r = l + 1;
                let m = i;
                if (l < this.heap.length && this.heap[l].priority < this.heap[m].priority) m = l;
                if (r < this.heap.length && this.heap[r].priority < this.heap[m].priority) m = r;
                if (m === i) break;
                [this.heap[m], this.heap[i]] = [this.heap[i], this.heap[m]];
                i = m;
              }
            }
            return top?.value;
          }

          get length(): number {
            return this.heap.length;
          }
        }`;
    },
    () => code`
      export const ${u('env')} = {
        port: Number(process.env.PORT ?? ${rng.pick([3000, 8080, 4000])}),
        logLevel: process.env.LOG_LEVEL ?? 'info',
        databaseUrl: process.env.DATABASE_URL ?? 'postgres://localhost:5432/app',
        featureFlags: (process.env.FEATURE_FLAGS ?? '').split(',').filter(Boolean),
      } as const;`,
  ];
}

export function utilsFile(rng, pkg, _entities, target) {
  const fb = new FileBuilder();
  if (rng.chance(0.3)) fb.add("import { setTimeout as delay } from 'node:timers/promises';");
  fb.add(`// Shared helpers for ${pkg.name}.`);
  fb.add('');
  let pool = [];
  fill(fb, target, 0, () => {
    if (pool.length === 0) pool = rng.shuffle(utilTemplates(fb, rng));
    return pool.shift()();
  });
  return fb.toString();
}

// ---------------------------------------------------------------------------------------------
// Express middleware
// ---------------------------------------------------------------------------------------------

export function middlewareTemplates(fb, rng) {
  const u = (n) => fb.uniq(n);
  return [
    () => code`
      export function ${u('requestId')}(header = 'x-request-id') {
        return (req: Request, res: Response, next: NextFunction): void => {
          const incoming = req.get(header);
          const id = incoming && /^[\\w-]{8,64}$/.test(incoming) ? incoming : randomUUID();
          res.locals.requestId = id;
          res.setHeader(header, id);
          next();
        };
      }`,
    () => code`
      export function ${u('accessLog')}(log: Logger) {
        return (req: Request, res: Response, next: NextFunction): void => {
          const started = process.hrtime.bigint();
          res.on('finish', () => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            log.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms) }, 'request');
          });
          next();
        };
      }`,
    () => {
      const B = u('TokenBucket');
      return code`
        class ${B} {
          private tokens: number;
          private last = Date.now();

          constructor(private readonly capacity: number, private readonly refillPerSecond: number) {
            this.tokens = capacity;
          }

          take(): boolean {
            const now = Date.now();
            this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
            this.last = now;
            if (this.tokens < 1) return false;
            this.tokens -= 1;
            return true;
          }
        }

        export function ${u('rateLimit')}(capacity = ${rng.pick([20, 60, 100])}, refillPerSecond = ${rng.pick([1, 5, 10])}) {
          const buckets = new Map<string, ${B}>();
          return (req: Request, res: Response, next: NextFunction): void => {
            const key = req.ip ?? 'unknown';
            let bucket = buckets.get(key);
            if (!bucket) {
              bucket = new ${B}(capacity, refillPerSecond);
              buckets.set(key, bucket);
            }
            if (!bucket.take()) {
              res.status(429).json({ error: 'too many requests' });
              return;
            }
            next();
          };
        }`;
    },
    () => code`
      export function ${u('errorHandler')}(log: Logger) {
        return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
          if (err instanceof ZodError) {
            res.status(400).json({ error: 'validation failed', issues: err.issues });
            return;
          }
          const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
          if (status >= 500) {
            log.error({ err, path: req.path }, 'unhandled error');
          }
          res.status(status).json({ error: status >= 500 ? 'internal error' : (err as Error).message });
        };
      }`,
    () => code`
      export function ${u('validateBody')}<S extends ZodTypeAny>(schema: S) {
        return (req: Request, res: Response, next: NextFunction): void => {
          const parsed = schema.safeParse(req.body);
          if (!parsed.success) {
            res.status(400).json({ error: 'invalid body', issues: parsed.error.issues });
            return;
          }
          req.body = parsed.data as z.infer<S>;
          next();
        };
      }`,
    () => code`
      export function ${u('notFound')}(req: Request, res: Response): void {
        res.status(404).json({ error: \`no route for \${req.method} \${req.path}\` });
      }`,
    () => code`
      export function ${u('corsAllowList')}(origins: readonly string[]) {
        const allowed = new Set(origins);
        return (req: Request, res: Response, next: NextFunction): void => {
          const origin = req.get('origin');
          if (origin && allowed.has(origin)) {
            res.setHeader('access-control-allow-origin', origin);
            res.setHeader('vary', 'origin');
            res.setHeader('access-control-allow-methods', 'GET,POST,PATCH,DELETE');
          }
          if (req.method === 'OPTIONS') {
            res.sendStatus(204);
            return;
          }
          next();
        };
      }`,
    () => code`
      export function ${u('cacheControl')}(maxAgeSeconds = ${rng.pick([60, 300, 3600])}) {
        return (_req: Request, res: Response, next: NextFunction): void => {
          res.setHeader('cache-control', \`public, max-age=\${maxAgeSeconds}, stale-while-revalidate=30\`);
          next();
        };
      }`,
    () => code`
      export function ${u('asyncHandler')}<P = Record<string, string>>(
        fn: (req: Request<P>, res: Response, next: NextFunction) => Promise<unknown>,
      ) {
        return (req: Request<P>, res: Response, next: NextFunction): void => {
          fn(req, res, next).catch(next);
        };
      }`,
    () => code`
      export function ${u('requireJson')}(req: Request, res: Response, next: NextFunction): void {
        if (['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is('application/json')) {
          res.status(415).json({ error: 'expected application/json' });
          return;
        }
        next();
      }`,
  ];
}

export function middlewareFile(rng, _pkg, _entities, target) {
  const fb = new FileBuilder();
  fb.add("import { randomUUID } from 'node:crypto';");
  fb.add("import type { NextFunction, Request, Response } from 'express';");
  fb.add("import type { Logger } from 'pino';");
  fb.add("import { ZodError, type ZodTypeAny, type z } from 'zod';");
  fb.add('');
  let pool = [];
  fill(fb, target, 0, () => {
    if (pool.length === 0) pool = rng.shuffle(middlewareTemplates(fb, rng));
    return pool.shift()();
  });
  return fb.toString();
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

export function testFile(rng, _pkg, entities, target) {
  const fb = new FileBuilder();
  const e = entities[0];
  const N = e.Name;
  fb.add("import { EventEmitter } from 'node:events';");
  fb.add("import { beforeEach, describe, expect, it, vi } from 'vitest';");
  fb.add(`import { ${N}Service, ${N}NotFoundError } from '../services/${e.kebab}.service.js';`);
  fb.add(`import type { ${N} } from '../dto/${e.kebab}.dto.js';`);
  fb.add('');
  fb.block(code`
    function make${N}(overrides: Partial<${N}> = {}): ${N} {
      return {
        id: '${e.name}-1',
        status: '${e.statuses[0]}',
        ${e.fields.map((f) => `${f.name}: ${f.sample},`).join('\n')}
        createdAt: new Date('2024-01-01T00:00:00Z'),
        updatedAt: new Date('2024-01-02T00:00:00Z'),
        version: 1,
        ...overrides,
      } as ${N};
    }`);
  fb.add(code`
    describe('${N}Service', () => {
      const now = () => Date.parse('2024-02-01T00:00:00Z');
      let repo: {
        findById: ReturnType<typeof vi.fn>;
        findMany: ReturnType<typeof vi.fn>;
        count: ReturnType<typeof vi.fn>;
        insert: ReturnType<typeof vi.fn>;
        update: ReturnType<typeof vi.fn>;
        delete: ReturnType<typeof vi.fn>;
      };
      let events: EventEmitter;
      let service: ${N}Service;

      beforeEach(() => {
        repo = {
          findById: vi.fn(),
          findMany: vi.fn().mockResolvedValue([]),
          count: vi.fn().mockResolvedValue(0),
          insert: vi.fn().mockResolvedValue(undefined),
          update: vi.fn().mockResolvedValue(undefined),
          delete: vi.fn().mockResolvedValue(true),
        };
        events = new EventEmitter();
        const log = { info: vi.fn(), error: vi.fn(), warn: vi.fn() };
        service = new ${N}Service(repo as never, events, log as never, { ttlMs: 1_000 }, now);
      });
  `);
  fb.add('');
  const cases = (n) => [
    code`
      it('returns the ${e.name} when it exists${n}', async () => {
        const item = make${N}();
        repo.findById.mockResolvedValue(item);
        await expect(service.findById(item.id)).resolves.toEqual(item);
        expect(repo.findById).toHaveBeenCalledWith(item.id);
      });`,
    code`
      it('serves repeated reads from the cache${n}', async () => {
        repo.findById.mockResolvedValue(make${N}());
        await service.findById('${e.name}-1');
        await service.findById('${e.name}-1');
        expect(repo.findById).toHaveBeenCalledTimes(1);
      });`,
    code`
      it('throws a not-found error for unknown ids${n}', async () => {
        repo.findById.mockResolvedValue(undefined);
        await expect(service.get${N}OrThrow('missing')).rejects.toBeInstanceOf(${N}NotFoundError);
      });`,
    code`
      it('paginates with a cursor${n}', async () => {
        const items = Array.from({ length: 3 }, (_, i) => make${N}({ id: \`${e.name}-\${i}\` }));
        repo.findMany.mockResolvedValue(items);
        repo.count.mockResolvedValue(10);
        const page = await service.list({ limit: 2, order: 'desc', sort: 'createdAt' } as never);
        expect(page.items).toHaveLength(2);
        expect(page.nextCursor).toBe('${e.name}-1');
        expect(page.total).toBe(10);
      });`,
    code`
      it('emits an event on create${n}', async () => {
        const listener = vi.fn();
        events.on('${e.name}.created', listener);
        const created = await service.create({ ${e.fields
          .slice(0, 2)
          .map((f) => `${f.name}: ${f.sample}`)
          .join(', ')} } as never, 'actor-1');
        expect(repo.insert).toHaveBeenCalledOnce();
        expect(listener).toHaveBeenCalledWith({ id: created.id, actorId: 'actor-1' });
      });`,
    code`
      it('rejects stale updates${n}', async () => {
        repo.findById.mockResolvedValue(make${N}({ version: 3 }));
        await expect(service.update('${e.name}-1', { version: 2 } as never)).rejects.toThrow(/modified concurrently/);
        expect(repo.update).not.toHaveBeenCalled();
      });`,
    code`
      it.each([
        [0, 0],
        [1, 1],
        [${rng.int(2, 9)}, ${rng.int(2, 9)}],
      ])('removes %i items and reports %i removals${n}', async (count, expected) => {
        let removed = 0;
        for (let i = 0; i < count; i++) {
          if (await service.remove(\`${e.name}-\${i}\`)) removed++;
        }
        expect(removed).toBe(expected);
      });`,
  ];
  let pool = [];
  let round = 0;
  fill(fb, target, 1, () => {
    if (pool.length === 0) pool = rng.shuffle(cases(round++ === 0 ? '' : ` (variant ${round})`));
    return indent(pool.shift());
  });
  fb.trimBlank();
  fb.add('});');
  return fb.toString();
}

// ---------------------------------------------------------------------------------------------
// Plain JavaScript: CommonJS modules and ESM scripts
// ---------------------------------------------------------------------------------------------

export function jsTemplates(fb, _rng, e, cjs) {
  const u = (n) => fb.uniq(n);
  const exp = cjs ? '' : 'export ';
  return [
    () => {
      const name = u(`normalize${e.Name}`);
      return [
        name,
        code`
          /**
           * @param {Record<string, unknown>} raw
           * @returns {Record<string, unknown>}
           */
          ${exp}function ${name}(raw) {
            const out = { id: String(raw.id), status: raw.status || '${e.statuses[0]}' };
            ${e.fields.map((f) => `if (raw.${f.name} !== undefined) out.${f.name} = raw.${f.name};`).join('\n')}
            return out;
          }`,
      ];
    },
    () => {
      const name = u(`${e.Name}Index`);
      return [
        name,
        code`
          ${exp}class ${name} {
            constructor() {
              this.byId = new Map();
              this.byStatus = new Map();
            }

            add(item) {
              this.byId.set(item.id, item);
              const bucket = this.byStatus.get(item.status) || [];
              bucket.push(item);
              this.byStatus.set(item.status, bucket);
              return this;
            }

            withStatus(status) {
              return (this.byStatus.get(status) || []).slice();
            }

            get size() {
              return this.byId.size;
            }
          }`,
      ];
    },
    () => {
      const name = u(`load${e.Plural}`);
      return [
        name,
        code`
          ${exp}function ${name}(db, options, callback) {
            const limit = Math.min(options.limit || 50, 500);
            db.query('SELECT * FROM ${e.table} WHERE status = $1 LIMIT $2', [options.status || '${e.statuses[0]}', limit], (err, result) => {
              if (err) {
                callback(err);
                return;
              }
              callback(null, result.rows.map((row) => Object.assign({ id: row.id }, row.payload)));
            });
          }`,
      ];
    },
    () => {
      const name = u(`summarize${e.Plural}`);
      return [
        name,
        code`
          ${exp}function ${name}(items) {
            const summary = { total: items.length, byStatus: {} };
            for (const item of items) {
              summary.byStatus[item.status] = (summary.byStatus[item.status] || 0) + 1;
            }
            summary.latest = items.reduce((a, b) => (a && a.updatedAt > b.updatedAt ? a : b), null);
            return summary;
          }`,
      ];
    },
    () => {
      const name = u('withTimeout');
      return [
        name,
        code`
          ${exp}function ${name}(promise, ms, label = 'operation') {
            let timer;
            const timeout = new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(label + ' timed out after ' + ms + 'ms')), ms);
            });
            return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
          }`,
      ];
    },
    () => {
      const name = u(`${e.name}Handlers`);
      return [
        name,
        code`
          ${exp}function ${name}(store) {
            return {
              async list(req, res, next) {
                try {
                  const items = await store.list({ limit: Number(req.query.limit) || 25 });
                  res.json({ items });
                } catch (err) {
                  next(err);
                }
              },
              async show(req, res, next) {
                try {
                  const item = await store.get(req.params.id);
                  if (!item) return res.status(404).json({ error: 'not found' });
                  res.json(item);
                } catch (err) {
                  next(err);
                }
              },
            };
          }`,
      ];
    },
    () => {
      const name = u('parseCsvLine');
      return [
        name,
        code`
          ${exp}function ${name}(line, separator = ',') {
            const out = [];
            let current = '';
            let quoted = false;
            for (let i = 0; i < line.length; i++) {
              const ch = line[i];
              if (ch === '"') {
                if (quoted && line[i + 1] === '"') {
                  current += '"';
                  i++;
                } else {
                  quoted = !quoted;
                }
              } else if (ch === separator && !quoted) {
                out.push(current);
                current = '';
              } else {
                current += ch;
              }
            }
            out.push(current);
            return out;
          }`,
      ];
    },
  ];
}

export function jsModuleFile(rng, _pkg, entities, target, cjs) {
  const fb = new FileBuilder();
  const e = entities[0];
  if (cjs) {
    fb.add("'use strict';");
    fb.add('');
    fb.add("const { promisify } = require('node:util');");
    fb.add("const path = require('node:path');");
  } else {
    fb.add("import { promisify } from 'node:util';");
    fb.add("import path from 'node:path';");
  }
  fb.add('');
  fb.block(code`
    const DEFAULTS = Object.freeze({
      root: path.resolve(process.cwd(), '${e.plural}'),
      pageSize: ${rng.pick([25, 50, 100])},
      wait: promisify(setTimeout),
    });`);
  const exported = [];
  let pool = [];
  let i = 0;
  const footer = cjs ? 4 : 0;
  fill(fb, target, footer, () => {
    if (pool.length === 0) pool = rng.shuffle(jsTemplates(fb, rng, entities[i++ % entities.length], cjs));
    const [name, text] = pool.shift()();
    exported.push(name);
    return text;
  });
  if (cjs) {
    fb.add(`module.exports = { DEFAULTS, ${exported.join(', ')} };`);
  } else {
    fb.add('export { DEFAULTS };');
  }
  return fb.toString();
}

export function scriptFile(rng, _pkg, entities, target) {
  const fb = new FileBuilder();
  const e = entities[0];
  fb.add('#!/usr/bin/env node');
  fb.add("import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';");
  fb.add("import path from 'node:path';");
  fb.add("import { parseArgs } from 'node:util';");
  fb.add('');
  fb.block(code`
    const { values: args } = parseArgs({
      options: {
        input: { type: 'string', default: 'data/${e.plural}' },
        output: { type: 'string', default: 'out' },
        'dry-run': { type: 'boolean', default: false },
      },
    });`);
  const steps = [];
  const u = (n) => fb.uniq(n);
  const templates = () =>
    rng.shuffle([
      () => {
        const n = u('readRecords');
        const v = u('records');
        steps.push(`const ${v} = await ${n}(args.input);\nconsole.log(\`read \${${v}.length} records\`);`);
        return code`
          async function ${n}(dir) {
            const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
            const out = [];
            for (const name of names) {
              const text = await readFile(path.join(dir, name), 'utf8');
              try {
                out.push(JSON.parse(text));
              } catch (err) {
                console.warn(\`skipping \${name}: \${err.message}\`);
              }
            }
            return out;
          }`;
      },
      () => {
        const n = u('migrateRecord');
        const v = u('migrated');
        steps.push(`const ${v} = [{ id: 'sample', legacyStatus: 'X' }].map(${n});\nconsole.log(${v});`);
        return code`
          function ${n}(record) {
            const { legacyStatus, ...rest } = record;
            return {
              ...rest,
              status: legacyStatus === 'X' ? '${e.statuses[1] ?? e.statuses[0]}' : (rest.status ?? '${e.statuses[0]}'),
              schemaVersion: ${rng.int(2, 7)},
            };
          }`;
      },
      () => {
        const n = u('writeReport');
        steps.push(`await ${n}(args.output, { generatedBy: path.basename(process.argv[1] ?? 'script') });`);
        return code`
          async function ${n}(dir, report) {
            if (args['dry-run']) {
              console.log(JSON.stringify(report, null, 2));
              return;
            }
            await mkdir(dir, { recursive: true });
            await writeFile(path.join(dir, 'report-${e.kebab}.json'), \`\${JSON.stringify(report, null, 2)}\\n\`);
          }`;
      },
      () => {
        const n = u('histogram');
        steps.push(`console.log(${n}([1, 2, 3, 5, 8, 13], 4));`);
        return code`
          function ${n}(values, buckets = 10) {
            if (values.length === 0) return [];
            const min = Math.min(...values);
            const max = Math.max(...values);
            const width = (max - min) / buckets || 1;
            const counts = new Array(buckets).fill(0);
            for (const v of values) {
              counts[Math.min(buckets - 1, Math.floor((v - min) / width))]++;
            }
            return counts.map((count, i) => ({ from: min + i * width, to: min + (i + 1) * width, count }));
          }`;
      },
    ]);
  let pool = [];
  fill(fb, target, 8, () => {
    if (pool.length === 0) pool = templates();
    return pool.shift()();
  });
  fb.add(code`
    async function main() {
      ${steps.slice(0, 6).join('\n')}
    }

    main().catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });`);
  return fb.toString();
}
