import { ts } from '#typescript';
import { stringValue, unwrap } from '../analysis/syntax.js';
import { resolveValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import type { Model } from './model.js';
import {
  allOf,
  type CarrierStyle,
  type CookieWrite,
  callsExport,
  carrierInputs,
  NO_COOKIE_FLAGS,
  type RequestInput,
  rawSetCookieWrites,
  responseTokenIssues,
  redirectSinks,
  urlSearchParamSinks,
} from './session-id.js';

const MODEL = 'hono';
const COOKIE_MODULES = ['hono/cookie'];

/** A handler's context: `app.get('/x', (c) => …)`, `async (c: Context) => …`, middleware `(c, next)`. */
const HONO_CONTEXT: CarrierStyle = {
  names: /^(c|ctx|context)$/,
  types: /\bContext\b/,
  handlerIndex: 0,
};

/**
 * `c.req.query('x')` / `queries()`, `c.req.param()`, `c.req.header()`, `c.req.json()` / `parseBody()` /
 * `formData()` / `text()`, `c.req.valid('json')` (validated, still client data), `c.req.url` / `path`.
 */
const contextMembers = carrierInputs(
  MODEL,
  HONO_CONTEXT,
  { 'req.url': 'url', 'req.path': 'url' },
  {
    'req.query': 'url',
    'req.queries': 'url',
    'req.param': 'url',
    'req.header': 'header',
    'req.json': 'body',
    'req.parseBody': 'body',
    'req.formData': 'body',
    'req.text': 'body',
    'req.valid': 'body',
  },
);

/** Request inputs, plus `getCookie(c, 'name')` from hono/cookie (a signed cookie's value is the server's). */
function honoRequestInput(node: ts.Node, file: FileContext): RequestInput | undefined {
  const member = contextMembers(node, file);
  if (member) return member;
  if (COOKIE_MODULES.some((module) => callsExport(node, module, ['getCookie']))) {
    return { model: MODEL, label: 'getCookie()', kind: 'cookie' };
  }
  return undefined;
}

/** `getSignedCookie(c, secret, 'name')` from hono/cookie: the presented credential, verified. */
function honoSignedCookieRead(node: ts.Node): string | undefined {
  return COOKIE_MODULES.some((module) => callsExport(node, module, ['getSignedCookie']))
    ? 'getSignedCookie()'
    : undefined;
}

/**
 * `setCookie(c, name, value, options?)` and `setSignedCookie(c, name, value, secret, options?)` from
 * hono/cookie. Hono adds only `path: '/'`: no Secure, no HttpOnly, unless the name carries the
 * `__Secure-` or `__Host-` prefix, for which it forces `secure: true`.
 */
function honoCookieWrites(node: ts.Node, file: FileContext): CookieWrite[] | undefined {
  if (!ts.isCallExpression(node) || node.arguments.length < 3) return undefined;
  const signed = COOKIE_MODULES.some((module) => callsExport(node, module, ['setSignedCookie']));
  if (!signed && !COOKIE_MODULES.some((module) => callsExport(node, module, ['setCookie']))) return undefined;
  const name = stringValue(unwrap(resolveValue(node.arguments[1], file).node as ts.Expression));
  const options = node.arguments[signed ? 4 : 3];
  const prefixed = name !== undefined && /^__(Secure|Host)-/.test(name);
  return [
    {
      model: MODEL,
      label: signed ? 'setSignedCookie()' : 'setCookie()',
      node,
      name,
      value: { node: node.arguments[2], file },
      options: options ? { node: options, file } : undefined,
      defaults: prefixed ? { ...NO_COOKIE_FLAGS, secure: 'secure' } : NO_COOKIE_FLAGS,
    },
  ];
}

/** Hono: request inputs of the context `c`, hono/cookie writes, `c.header('Set-Cookie', …)`, `c.redirect()`. */
export const hono: Model = {
  id: 'hono',
  packages: ['hono', 'hono/cookie'],
  // Every file that uses Hono imports it (`'hono'`, `'hono/cookie'`, the `Context` type): the module
  // specifier, quotes included, since a bare `hono` also starts `honoured` (and `'honours`).
  keywords: ["'hono'", '"hono"', "'hono/", '"hono/'],
  requestInput: honoRequestInput,
  signedCookieRead: honoSignedCookieRead,
  cookieWrites: allOf(honoCookieWrites, rawSetCookieWrites(MODEL, HONO_CONTEXT, ['header'])),
  tokenIssues: responseTokenIssues(MODEL, HONO_CONTEXT, ['json'], ['header']),
  urlSinks: allOf(redirectSinks(MODEL, HONO_CONTEXT, ['header']), urlSearchParamSinks(MODEL)),
};
