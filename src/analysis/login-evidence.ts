import { ts } from '#typescript';
import type { FileContext } from './file-context.js';
import { findDeclaration } from './scope.js';
import { isFunctionLike, returnedExpressions, unwrap } from './syntax.js';
import { functionOf } from './handlers.js';
import { resolveValue } from './values.js';

/**
 * What makes a session write a login besides its key (identity-keys.ts): where the value comes from
 * (a token exchange, a credential check). Framework-free: the checks the models recognise come in as
 * `recognise` (session-concepts.ts joins them).
 */

/** A call the models know as a credential check or token exchange, with its label. */
export type RecogniseCheck = (call: ts.CallExpression, file: FileContext) => string | undefined;

/** What the models recognise: checks and exchanges by call, and a user verified before the handler ran. */
export interface LoginRecognisers {
  call: RecogniseCheck;
  /** `req.user` in a handler behind an authenticating guard or middleware (session-concepts.ts). */
  verifiedUser?: (expression: ts.Expression, file: FileContext) => LoginOrigin | undefined;
}

const MAX_DEPTH = 12;

/** The OAuth 2 grant type of an authorization-code exchange (RFC 6749 §4.1.3): a protocol constant. */
const CODE_GRANT = 'authorization_code';

/** Methods that only reshape a value (`response.json()`, `token.toJSON()`): the value keeps its origin. */
const RESHAPING = new Set(['json', 'toJSON', 'text', 'valueOf', 'then']);

export interface LoginOrigin {
  /** The call the value comes from (for a related location). */
  node: ts.Node;
  file: FileContext;
  /** `simple-oauth2.AuthorizationCode.getToken`, `a token endpoint exchange`, … */
  label: string;
}

/**
 * Where a value written into the session comes from, when that is a login: a credential check or
 * token exchange the models recognise (an OAuth client's `getToken`, `bcrypt.compare`), or a request
 * to a token endpoint (`grant_type: 'authorization_code'`), or the user an authenticating guard left
 * on the request (`req.user` behind `AuthGuard('local')`), directly or through local helpers, `await`,
 * member reads (`grant.access_token`, `req.user.id`), `response.json()` and spreads.
 */
export function loginOrigin(
  expression: ts.Expression,
  file: FileContext,
  recognise: LoginRecognisers,
  depth = 0,
): LoginOrigin | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const inner = unwrap(expression);
  const verified = recognise.verifiedUser?.(inner, file);
  if (verified) return verified;
  if (ts.isAwaitExpression(inner)) return loginOrigin(inner.expression, file, recognise, depth + 1);
  if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
    return loginOrigin(inner.expression, file, recognise, depth + 1) ?? resolvedOrigin(inner, file, recognise, depth);
  }
  if (ts.isCallExpression(inner)) return callOrigin(inner, file, recognise, depth);
  if (ts.isIdentifier(inner)) return resolvedOrigin(inner, file, recognise, depth);
  return undefined;
}

function resolvedOrigin(
  expression: ts.Expression,
  file: FileContext,
  recognise: LoginRecognisers,
  depth: number,
): LoginOrigin | undefined {
  const resolved = resolveValue(expression, file);
  if (resolved.node === unwrap(expression) || !ts.isExpression(resolved.node)) return undefined;
  return loginOrigin(resolved.node, resolved.file, recognise, depth + 1);
}

function callOrigin(
  call: ts.CallExpression,
  file: FileContext,
  recognise: LoginRecognisers,
  depth: number,
): LoginOrigin | undefined {
  const label = recognise.call(call, file);
  if (label) return { node: call, file, label };
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee) && RESHAPING.has(callee.name.text))
    return loginOrigin(callee.expression, file, recognise, depth + 1);
  if (isTokenEndpointRequest(call)) return { node: call, file, label: 'a token endpoint request' };
  const helper = functionOf(callee, file);
  if (!helper?.fn.body) return undefined;
  // A local helper: what it returns.
  for (const returned of returnedExpressions(helper.fn)) {
    const origin = loginOrigin(returned, helper.file, recognise, depth + 1);
    if (origin) return origin;
  }
  return undefined;
}

/**
 * `fetch(tokenUrl, { body: new URLSearchParams({ grant_type: 'authorization_code', code }) })`, an HTTP
 * client's `post(url, { grant_type: 'authorization_code', … })`: a call whose arguments (through local
 * constants) carry the authorization-code grant type.
 */
function isTokenEndpointRequest(call: ts.CallExpression): boolean {
  let found = false;
  const visit = (node: ts.Node, depth: number): void => {
    if (found || depth > 3 || isFunctionLike(node)) return;
    if (ts.isStringLiteralLike(node) && node.text === CODE_GRANT) {
      found = true;
      return;
    }
    if (ts.isIdentifier(node) && !(ts.isPropertyAssignment(node.parent) && node.parent.name === node)) {
      const declaration = findDeclaration(node);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer)
        visit(declaration.initializer, depth + 1);
      return;
    }
    ts.forEachChild(node, (child) => visit(child, depth));
  };
  for (const argument of call.arguments) visit(argument, 0);
  return found;
}
