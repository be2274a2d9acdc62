import { awsCdkDynamoDb } from './aws-cdk-dynamodb.js';
import { awsSdkDynamoDb } from './aws-sdk-dynamodb.js';
import { cookieParser } from './cookie-parser.js';
import { cookieSession } from './cookie-session.js';
import { cookieSigning } from './cookie-signing.js';
import { credentialVerifiers } from './credentials.js';
import { dynamoDbSessionStores } from './dynamodb-session-stores.js';
import { expressSession } from './express-session.js';
import { fastifyPassport } from './fastify-passport.js';
import { fastifySecureSession } from './fastify-secure-session.js';
import { fastifySession } from './fastify-session.js';
import { hapiCookie } from './hapi-cookie.js';
import { hapiYar } from './hapi-yar.js';
import { ironSession } from './iron-session.js';
import { jsonWebTokens } from './jwt.js';
import { koa } from './koa.js';
import { koaSession } from './koa-session.js';
import type { Model } from './model.js';
import { nestjs } from './nestjs.js';
import { oauthClients } from './oauth-clients.js';
import { passport } from './passport.js';
import { remix } from './remix.js';
import { strapi } from './strapi.js';
// Session-id taint: request inputs and session-id sinks of the web frameworks and auth libraries.
import { express } from './express.js';
import { fastify } from './fastify.js';
import { hapi } from './hapi.js';
import { hono } from './hono.js';
import { lucia } from './lucia.js';
import { fetchApi } from './fetch-api.js';
import { next } from './next.js';
import { nextAuth } from './next-auth.js';
import { nodeHttp } from './node-http.js';

/** Every framework model. Adding a framework is adding a model here plus a fixture project. */
export const allModels: Model[] = [
  expressSession,
  cookieSession,
  fastifySession,
  fastifySecureSession,
  koaSession,
  koa,
  hapiYar,
  hapiCookie,
  ironSession,
  remix,
  cookieParser,
  cookieSigning,
  jsonWebTokens,
  strapi,
  awsSdkDynamoDb,
  awsCdkDynamoDb,
  ...dynamoDbSessionStores,
  passport,
  fastifyPassport,
  nestjs,
  credentialVerifiers,
  oauthClients,
  express,
  fastify,
  hapi,
  next,
  nodeHttp,
  fetchApi,
  hono,
  lucia,
  nextAuth,
];

export type { Model } from './model.js';
