import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { expressRequestInput } from './express.js';
import { fastifyRequestInput } from './fastify.js';
import { koaRequestInput } from './koa.js';
import type { Model } from './model.js';
import {
  allOf,
  carrierAssignmentSink,
  carrierSessionId,
  decoratorName,
  EXPRESS_REQUEST,
  generatorOptionSinks,
  KOA_CONTEXT,
  labelOf,
  type RequestInput,
  type RequestInputKind,
  type SessionIdSink,
  sessionStoreCalls,
} from './session-id.js';

/**
 * Session-id hooks of the session libraries, spread into their models (`...expressSessionIdHooks`).
 * Generator options are read from the model's own `sessionOptions` site, so every way the library is
 * configured (literal, const, spread, local import) is covered once.
 */
function generatorSinks(model: string, paths: string[][]) {
  return function (this: Model, node: ts.Node, file: FileContext): SessionIdSink[] | undefined {
    if (!ts.isCallExpression(node)) return undefined;
    const site = this.sessionOptions?.(node, file);
    if (!site?.options) return undefined;
    const sinks = generatorOptionSinks(model, site.options, paths);
    return sinks.length > 0 ? sinks : undefined;
  };
}

/** express-session: `genid(req)`, `req.sessionID = …`, `store.set/get(id)`; the id is `req.sessionID` / `req.session.id`. */
export const expressSessionIdHooks: Partial<Model> = {
  requestInput: expressRequestInput,
  sessionIdSinks: allOf<SessionIdSink, Model>(
    generatorSinks('express-session', [['genid']]),
    carrierAssignmentSink('express-session', EXPRESS_REQUEST, 'sessionID'),
    sessionStoreCalls('express-session', ['express-session']),
  ),
  sessionIdValue: carrierSessionId(EXPRESS_REQUEST, ['sessionID', 'session.id']),
};

/** @fastify/session: `idGenerator(request)`; the id is `request.session.sessionId`. */
export const fastifySessionIdHooks: Partial<Model> = {
  requestInput: fastifyRequestInput,
  sessionIdSinks: allOf<SessionIdSink, Model>(
    generatorSinks('@fastify/session', [['idGenerator']]),
    sessionStoreCalls('@fastify/session', ['@fastify/session', 'fastify-session']),
  ),
  sessionIdValue: carrierSessionId(EXPRESS_REQUEST, ['session.sessionId', 'session.encryptedSessionId']),
};

/** koa-session: `genid(ctx)` and `externalKey.get(ctx)` decide the key; store `get/set(key)`. */
export const koaSessionIdHooks: Partial<Model> = {
  requestInput: koaRequestInput,
  sessionIdSinks: allOf<SessionIdSink, Model>(
    generatorSinks('koa-session', [['genid'], ['externalKey', 'get']]),
    sessionStoreCalls('koa-session', ['koa-session', 'koa-generic-session']),
  ),
  sessionIdValue: carrierSessionId(KOA_CONTEXT, ['session.externalKey', 'sessionId']),
};

/** @hapi/yar: `customSessionIDGenerator(request)`; the id is `request.yar.id`. */
export const hapiYarSessionIdHooks: Partial<Model> = {
  sessionIdSinks: generatorSinks('@hapi/yar', [['customSessionIDGenerator']]),
  sessionIdValue: carrierSessionId(EXPRESS_REQUEST, ['yar.id']),
};

const NEST_INPUTS: Record<string, RequestInputKind> = { Query: 'url', Param: 'url', Body: 'body', Headers: 'header' };

/**
 * NestJS: parameters decorated `@Query()`, `@Param()`, `@Body()`, `@Headers()` are request input; a
 * `@Req()` parameter is the express/fastify request, so `req.query` etc. count through the express shapes.
 */
export function nestRequestInput(node: ts.Node, file: FileContext): RequestInput | undefined {
  if (ts.isParameter(node)) {
    for (const decorator of ts.getDecorators(node) ?? []) {
      const name = decoratorName(decorator);
      const kind = name ? NEST_INPUTS[name] : undefined;
      if (kind) return { model: '@nestjs/common', label: labelOf(decorator, file), kind };
    }
    return undefined;
  }
  return expressRequestInput(node, file);
}
