/** Route/controller templates for Express, Fastify, Koa and NestJS, with no session handling. */
import { code, FileBuilder, fill, indent } from '../lib/code.mjs';

/**
 * Opens a section (a router factory, a plugin, a controller class), fills it with blocks and closes
 * it; repeats with the next entity until the file reaches its target, as a real file would grow
 * by gaining a second router rather than a 40th handler.
 */
export function sections(fb, target, count, makeSection) {
  for (let i = 0; fb.lines < target - 12 && i < 8; i++) {
    const s = makeSection(i % count, i);
    fb.add(s.open);
    const blocks = s.blocks;
    fill(fb, target, s.close.split('\n').length, () =>
      blocks.length > 0 ? indent(blocks.shift(), s.indent ?? 2) : null,
    );
    fb.trimBlank();
    fb.block(s.close);
  }
}

export function expressHandlers(fb, rng, e, svc = 'service') {
  const N = e.Name;
  const base = `/${e.kebab}s`;
  const h = (name) => fb.uniq(name);
  const wrapTry = (body) => code`
    try {
      ${body}
    } catch (err) {
      next(err);
    }`;
  return rng.shuffle([
    code`
      router.get('${base}', async (req: Request, res: Response, next: NextFunction) => {
        ${wrapTry(code`
          const query = list${e.Plural}Query.parse(req.query);
          const page = await ${svc}.list(query);
          res.json(page);`)}
      });`,
    code`
      router.get('${base}/:id', async (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
        ${wrapTry(code`
          const item = await ${svc}.findById(req.params.id);
          if (!item) {
            res.status(404).json({ error: '${e.name} not found' });
            return;
          }
          res.json(item);`)}
      });`,
    code`
      router.post('${base}', async (req: Request, res: Response, next: NextFunction) => {
        const parsed = create${N}Schema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ error: 'invalid ${e.name}', issues: parsed.error.issues });
          return;
        }
        ${wrapTry(code`
          const created = await ${svc}.create(parsed.data, String(res.locals.actorId ?? 'anonymous'));
          res.status(201).location(\`${base}/\${created.id}\`).json(created);`)}
      });`,
    code`
      router.patch('${base}/:id', async (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
        const parsed = update${N}Schema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ error: 'invalid patch', issues: parsed.error.issues });
          return;
        }
        try {
          res.json(await ${svc}.update(req.params.id, parsed.data));
        } catch (err) {
          if (err instanceof Error && err.name === 'ConflictError') {
            res.status(409).json({ error: err.message });
            return;
          }
          next(err);
        }
      });`,
    code`
      router.delete('${base}/:id', async (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
        ${wrapTry(code`
          const removed = await ${svc}.remove(req.params.id);
          res.sendStatus(removed ? 204 : 404);`)}
      });`,
    code`
      router.get('${base}.csv', async (req: Request, res: Response, next: NextFunction) => {
        ${wrapTry(code`
          const page = await ${svc}.list(list${e.Plural}Query.parse({ ...req.query, limit: 100 }));
          res.type('text/csv').attachment('${e.plural}.csv').send(${svc}.toCsv(page.items));`)}
      });`,
    code`
      router.post('${base}/bulk-status', async (req: Request, res: Response, next: NextFunction) => {
        const ids: unknown = req.body?.ids;
        const status: unknown = req.body?.status;
        if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string') || typeof status !== 'string') {
          res.status(400).json({ error: 'expected { ids: string[], status: string }' });
          return;
        }
        ${wrapTry(code`
          const result = await ${svc}.bulkUpdateStatus(ids as string[], status as never);
          res.status(result.failed.length > 0 ? 207 : 200).json(result);`)}
      });`,
    code`
      router.get('${base}/search', async (req: Request, res: Response, next: NextFunction) => {
        const term = typeof req.query.q === 'string' ? req.query.q : '';
        ${wrapTry(code`
          const page = await ${svc}.list(list${e.Plural}Query.parse({ limit: 100 }));
          const ${h('matches')} = ${svc}.search(page.items, term);
          res.json({ term, items: ${'matches'}.slice(0, ${rng.pick([10, 20, 50])}) });`)}
      });`.replace(/matches\d*/g, 'matches'),
    code`
      router.param('id', (req, res, next, id: string) => {
        if (!/^[0-9a-f-]{8,64}$/i.test(id)) {
          res.status(400).json({ error: 'malformed id' });
          return;
        }
        next();
      });`,
  ]);
}

export function expressRoutesFile(rng, _pkg, entities, target) {
  const fb = new FileBuilder();
  fb.add("import { Router, type NextFunction, type Request, type Response } from 'express';");
  for (const e of entities) {
    fb.add(`import type { ${e.Name}Service } from '../services/${e.kebab}.service.js';`);
    fb.add(
      `import { create${e.Name}Schema, list${e.Plural}Query, update${e.Name}Schema } from '../dto/${e.kebab}.dto.js';`,
    );
  }
  fb.add('');
  sections(fb, target, entities.length, (i) => expressSection(fb, rng, entities[i]));
  return fb.toString();
}

export function expressSection(fb, rng, e) {
  const fn = fb.uniq(`create${e.Name}Router`);
  return {
    open: code`
      export function ${fn}(service: ${e.Name}Service): Router {
        const router = Router();
      `,
    blocks: expressHandlers(fb, rng, e),
    close: '  return router;\n}',
  };
}

export function fastifyRoutesFile(rng, _pkg, entities, target) {
  const fb = new FileBuilder();
  fb.add("import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';");
  for (const e of entities) {
    fb.add(`import type { ${e.Name}Service } from '../services/${e.kebab}.service.js';`);
    fb.add(
      `import type { Create${e.Name}Input, List${e.Plural}Query, Update${e.Name}Input } from '../dto/${e.kebab}.dto.js';`,
    );
  }
  fb.add('');
  sections(fb, target, entities.length, (i) => fastifySection(fb, rng, entities[i]));
  fb.add(`export default ${entities[0].name}Routes;`);
  return fb.toString();
}

export function fastifySection(fb, rng, e) {
  const N = e.Name;
  const plugin = fb.uniq(`${e.name}Routes`);
  const paramsSchema = fb.uniq(`${e.name}Params`);
  const base = `/${e.kebab}s`;
  fb.block(code`
    const ${paramsSchema} = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string', minLength: 8, maxLength: 64 } },
    } as const;`);
  return {
    open: code`
      export const ${plugin}: FastifyPluginAsync<{ service: ${N}Service }> = async (app: FastifyInstance, opts) => {
        const { service } = opts;
      `,
    close: '};',
    blocks: rng.shuffle([
      code`
        app.get<{ Querystring: List${e.Plural}Query }>(
          '${base}',
          {
            schema: {
              querystring: {
                type: 'object',
                properties: {
                  limit: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
                  cursor: { type: 'string' },
                  status: { type: 'string', enum: [${e.statuses.map((s) => `'${s}'`).join(', ')}] },
                },
              },
            },
          },
          async (request) => service.list(request.query),
        );`,
      code`
        app.get<{ Params: { id: string } }>('${base}/:id', { schema: { params: ${paramsSchema} } }, async (request, reply) => {
          const item = await service.findById(request.params.id);
          if (!item) {
            return reply.code(404).send({ message: '${e.name} not found' });
          }
          return item;
        });`,
      code`
        app.post<{ Body: Create${N}Input }>('${base}', async (request: FastifyRequest<{ Body: Create${N}Input }>, reply: FastifyReply) => {
          const created = await service.create(request.body, request.headers['x-actor-id']?.toString() ?? 'anonymous');
          request.log.info({ id: created.id }, '${e.name} created');
          return reply.code(201).header('location', \`${base}/\${created.id}\`).send(created);
        });`,
      code`
        app.patch<{ Params: { id: string }; Body: Update${N}Input }>(
          '${base}/:id',
          { schema: { params: ${paramsSchema} } },
          async (request, reply) => {
            try {
              return await service.update(request.params.id, request.body);
            } catch (err) {
              if (err instanceof Error && err.name === 'ConflictError') {
                return reply.code(409).send({ message: err.message });
              }
              throw err;
            }
          },
        );`,
      code`
        app.delete<{ Params: { id: string } }>('${base}/:id', { schema: { params: ${paramsSchema} } }, async (request, reply) => {
          const removed = await service.remove(request.params.id);
          return reply.code(removed ? 204 : 404).send();
        });`,
      code`
        app.addHook('onSend', async (_request, reply, payload) => {
          reply.header('x-${e.kebab}-api', '${rng.int(1, 4)}');
          return payload;
        });`,
      code`
        app.get('${base}/export', async (_request, reply) => {
          const page = await service.list({ limit: 100, order: 'desc', sort: 'createdAt' } as List${e.Plural}Query);
          return reply.type('text/csv').send(service.toCsv(page.items));
        });`,
    ]),
  };
}

export function koaRoutesFile(rng, _pkg, entities, target) {
  const fb = new FileBuilder();
  fb.add("import Router from '@koa/router';");
  fb.add("import type { Context, Next } from 'koa';");
  for (const e of entities) {
    fb.add(`import type { ${e.Name}Service } from '../services/${e.kebab}.service.js';`);
    fb.add(
      `import { create${e.Name}Schema, list${e.Plural}Query, update${e.Name}Schema } from '../dto/${e.kebab}.dto.js';`,
    );
  }
  fb.add('');
  fb.block(code`
    async function ${fb.uniq('handleErrors')}(ctx: Context, next: Next): Promise<void> {
      try {
        await next();
      } catch (err) {
        const status = (err as { status?: number }).status ?? 500;
        ctx.status = status;
        ctx.body = { error: status >= 500 ? 'internal error' : (err as Error).message };
        ctx.app.emit('error', err, ctx);
      }
    }`);
  sections(fb, target, entities.length, (i) => koaSection(fb, rng, entities[i]));
  return fb.toString();
}

export function koaSection(fb, rng, e) {
  const fn = fb.uniq(`${e.name}Router`);
  return {
    open: code`
      export function ${fn}(service: ${e.Name}Service): Router {
        const router = new Router({ prefix: '/${e.kebab}s' });
      `,
    close: '  return router;\n}',
    blocks: rng.shuffle([
      code`
        router.get('/', async (ctx: Context) => {
          const query = list${e.Plural}Query.parse(ctx.query);
          ctx.body = await service.list(query);
        });`,
      code`
        router.get('/:id', async (ctx: Context) => {
          const item = await service.findById(ctx.params.id);
          ctx.assert(item, 404, '${e.name} not found');
          ctx.body = item;
        });`,
      code`
        router.post('/', async (ctx: Context) => {
          const parsed = create${e.Name}Schema.safeParse(ctx.request.body);
          if (!parsed.success) {
            ctx.status = 400;
            ctx.body = { error: 'invalid ${e.name}', issues: parsed.error.issues };
            return;
          }
          const created = await service.create(parsed.data, String(ctx.state.actorId ?? 'anonymous'));
          ctx.status = 201;
          ctx.set('location', \`/${e.kebab}s/\${created.id}\`);
          ctx.body = created;
        });`,
      code`
        router.patch('/:id', async (ctx: Context) => {
          const patch = update${e.Name}Schema.parse(ctx.request.body);
          try {
            ctx.body = await service.update(ctx.params.id, patch);
          } catch (err) {
            if (err instanceof Error && err.name === 'ConflictError') ctx.throw(409, err.message);
            throw err;
          }
        });`,
      code`
        router.delete('/:id', async (ctx: Context) => {
          ctx.status = (await service.remove(ctx.params.id)) ? 204 : 404;
        });`,
      code`
        router.get('/stats', async (ctx: Context) => {
          const page = await service.list(list${e.Plural}Query.parse({ limit: 100 }));
          const byStatus = new Map<string, number>();
          for (const item of page.items) byStatus.set(item.status, (byStatus.get(item.status) ?? 0) + 1);
          ctx.body = Object.fromEntries(byStatus);
        });`,
    ]),
  };
}

export function nestControllerFile(rng, _pkg, entities, target) {
  const fb = new FileBuilder();
  fb.add(
    "import { Body, Controller, Delete, Get, Header, Headers, HttpCode, HttpStatus, Logger, NotFoundException, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';",
  );
  for (const e of entities) {
    fb.add(`import { ${e.Name}Service } from '../services/${e.kebab}.service.js';`);
    fb.add(
      `import { Create${e.Name}Dto, type List${e.Plural}Query, type Update${e.Name}Input } from '../dto/${e.kebab}.dto.js';`,
    );
  }
  fb.add('');
  sections(fb, target, entities.length, (i) => nestSection(fb, rng, entities[i]));
  return fb.toString();
}

export function nestSection(fb, rng, e) {
  const N = e.Name;
  const Cls = fb.uniq(`${N}Controller`);
  return {
    open: code`
      @Controller('${e.kebab}s')
      export class ${Cls} {
        private readonly logger = new Logger(${Cls}.name);

        constructor(private readonly service: ${N}Service) {}
      `,
    close: '}',
    blocks: rng.shuffle([
      code`
        @Get()
        async list(@Query() query: List${e.Plural}Query) {
          return this.service.list(query);
        }`,
      code`
        @Get(':id')
        async findOne(@Param('id', ParseUUIDPipe) id: string) {
          const item = await this.service.findById(id);
          if (!item) {
            throw new NotFoundException(\`${N} \${id} not found\`);
          }
          return item;
        }`,
      code`
        @Post()
        @HttpCode(HttpStatus.CREATED)
        async create(@Body() dto: Create${N}Dto, @Headers('x-actor-id') actorId = 'system') {
          const created = await this.service.create(dto, actorId);
          this.logger.log(\`created ${e.name} \${created.id}\`);
          return created;
        }`,
      code`
        @Patch(':id')
        async update(@Param('id', ParseUUIDPipe) id: string, @Body() patch: Update${N}Input) {
          return this.service.update(id, patch);
        }`,
      code`
        @Delete(':id')
        @HttpCode(HttpStatus.NO_CONTENT)
        async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
          if (!(await this.service.remove(id))) {
            throw new NotFoundException();
          }
        }`,
      code`
        @Get('export.csv')
        @Header('content-type', 'text/csv')
        async exportCsv(@Query() query: List${e.Plural}Query): Promise<string> {
          const page = await this.service.list({ ...query, limit: 100 });
          return this.service.toCsv(page.items);
        }`,
      code`
        @Post('bulk-status')
        async bulkStatus(@Body() body: { ids: string[]; status: string }) {
          const result = await this.service.bulkUpdateStatus(body.ids, body.status as never);
          if (result.failed.length > 0) {
            this.logger.warn(\`\${result.failed.length} of \${body.ids.length} ${e.plural} failed\`);
          }
          return result;
        }`,
    ]),
  };
}

/** Import lines a route section of `framework` relies on, for files that mix routes into other code. */
export function routeImports(framework, entities) {
  const lines = [];
  if (framework === 'express')
    lines.push("import { Router, type NextFunction, type Request, type Response } from 'express';");
  if (framework === 'fastify')
    lines.push("import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';");
  if (framework === 'koa') lines.push("import Router from '@koa/router';", "import type { Context } from 'koa';");
  if (framework === 'nest') {
    lines.push(
      "import { Body, Controller, Delete, Get, Header, Headers, HttpCode, HttpStatus, Logger, NotFoundException, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';",
    );
  }
  for (const e of entities) {
    lines.push(`import type { ${e.Name}Service } from '../services/${e.kebab}.service.js';`);
    if (framework === 'fastify') {
      lines.push(
        `import type { Create${e.Name}Input, List${e.Plural}Query, Update${e.Name}Input } from '../dto/${e.kebab}.dto.js';`,
      );
    } else if (framework === 'nest') {
      lines.push(
        `import { Create${e.Name}Dto, type List${e.Plural}Query, type Update${e.Name}Input } from '../dto/${e.kebab}.dto.js';`,
      );
    } else {
      lines.push(
        `import { create${e.Name}Schema, list${e.Plural}Query, update${e.Name}Schema } from '../dto/${e.kebab}.dto.js';`,
      );
    }
  }
  return lines;
}

export const ROUTE_SECTIONS = { express: expressSection, fastify: fastifySection, koa: koaSection, nest: nestSection };
