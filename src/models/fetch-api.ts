import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import { memberPath, unwrap } from '../analysis/syntax.js';
import { objectView } from '../analysis/values.js';
import type { FileContext, Model } from './model.js';
import { bodyTokenIssues, type CookieWrite, cookieNameOfHeader, TOKEN_HEADER, type TokenIssue } from './session-id.js';

const MODEL = 'fetch';

/**
 * The Web `Response` (global in Node 18+, workers, Deno, Bun; the base of Next's `NextResponse`):
 * `Response.json(body)` / `NextResponse.json(body)`, and `new Response(body, { headers })`.
 */
function responseClass(expression: ts.Expression): string | undefined {
  const inner = unwrap(expression);
  if (!ts.isIdentifier(inner)) return undefined;
  if (inner.text === 'Response' && !findDeclaration(inner)) return 'Response';
  return refersTo(moduleReferenceOf(inner), 'next/server', 'NextResponse') ? 'NextResponse' : undefined;
}

/** `new Response(body, { headers: { … } })`: the init's headers, by lower-cased name. */
function constructedHeaders(node: ts.Node, file: FileContext) {
  if (!ts.isNewExpression(node) || !responseClass(node.expression)) return [];
  const init = node.arguments?.[1];
  const headers = init && objectView(init, file)?.properties.get('headers');
  const view = headers?.value ? objectView(headers.value, file) : undefined;
  return [...(view?.properties.values() ?? [])]
    .filter((property) => property.value !== undefined)
    .map((property) => ({ name: property.name.toLowerCase(), value: property.value! }));
}

function fetchCookieWrites(node: ts.Node, file: FileContext): CookieWrite[] | undefined {
  const writes: CookieWrite[] = [];
  for (const header of constructedHeaders(node, file)) {
    if (header.name !== 'set-cookie') continue;
    const inner = unwrap(header.value);
    for (const value of ts.isArrayLiteralExpression(inner) ? inner.elements : [header.value]) {
      writes.push({
        model: MODEL,
        label: 'Set-Cookie header',
        rawHeader: true,
        node,
        name: cookieNameOfHeader(value, file),
        value: { node: value, file },
      });
    }
  }
  return writes;
}

function fetchTokenIssues(node: ts.Node, file: FileContext): TokenIssue[] | undefined {
  const issues: TokenIssue[] = [];
  for (const header of constructedHeaders(node, file)) {
    if (!TOKEN_HEADER.test(header.name)) continue;
    const value = { node: header.value, file };
    issues.push({ model: MODEL, label: `${header.name} header`, node, name: header.name, value, channel: 'header' });
  }
  const constructed = ts.isNewExpression(node) ? responseClass(node.expression) : undefined;
  if (constructed && ts.isNewExpression(node) && node.arguments?.[0]) {
    issues.push(...bodyTokenIssues(MODEL, `new ${constructed}()`, node, node.arguments[0], file));
  }
  if (ts.isCallExpression(node) && node.arguments[0]) {
    const path = memberPath(unwrap(node.expression));
    const callee = unwrap(node.expression);
    if (path?.at(-1) === 'json' && ts.isPropertyAccessExpression(callee) && responseClass(callee.expression)) {
      issues.push(...bodyTokenIssues(MODEL, `${path.join('.')}()`, node, node.arguments[0], file));
    }
  }
  return issues;
}

/**
 * The Fetch API's `Response`, as route handlers of Next.js, Hono, Remix and edge/worker runtimes
 * return it: cookies and tokens set through the constructor's `headers`, tokens in a JSON body.
 */
export const fetchApi: Model = {
  id: MODEL,
  // A web-platform global: no package to declare it.
  packages: [],
  // `Response.json({ … })` with a literal body, never the client's `response.json()`: a keyword of just
  // `response.json` let every React component that fetches data into the parse.
  keywords: ['new response', 'response.json({'],
  cookieWrites: fetchCookieWrites,
  tokenIssues: fetchTokenIssues,
};
