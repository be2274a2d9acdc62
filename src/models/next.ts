import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import { accessedName, isFunctionLike, memberPath, stringValue, unwrap } from '../analysis/syntax.js';
import { resolveValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import type { Model } from './model.js';
import {
  allOf,
  type CarrierStyle,
  type CookieWrite,
  callsExport,
  carrierInputs,
  isExpressionLike,
  labelOf,
  NO_COOKIE_FLAGS,
  type RequestInput,
  type UrlSink,
  urlSearchParamSinks,
} from './session-id.js';

const MODEL = 'next';

/** A route handler's `request` (`export async function GET(request: NextRequest)`), or middleware's. */
const NEXT_REQUEST: CarrierStyle = {
  names: /^(req|request)$/,
  types: /\b(NextRequest|Request)\b/,
  handlerIndex: 0,
};

const requestMembers = carrierInputs(
  MODEL,
  NEXT_REQUEST,
  { nextUrl: 'url', url: 'url', headers: 'header', cookies: 'cookie' },
  { json: 'body', formData: 'body', text: 'body', 'cookies.get': 'cookie', 'headers.get': 'header' },
);

/**
 * Next.js (app router): route handler requests (`request.nextUrl.searchParams`, `request.url`,
 * `await request.json()` / `formData()`, `request.headers`, `request.cookies`), `headers()` and
 * `cookies()` from `next/headers`, and a page's `searchParams` prop.
 */
function nextRequestInput(node: ts.Node, file: FileContext): RequestInput | undefined {
  const member = requestMembers(node, file);
  if (member) return member;
  if (callsExport(node, 'next/headers', ['headers'])) return { model: MODEL, label: 'headers()', kind: 'header' };
  if (callsExport(node, 'next/headers', ['cookies'])) return { model: MODEL, label: 'cookies()', kind: 'cookie' };
  // A page's props: `export default function Page({ searchParams })` or `props.searchParams`.
  if (ts.isBindingElement(node)) {
    const key = node.propertyName ?? node.name;
    if (!ts.isIdentifier(key) || (key.text !== 'searchParams' && key.text !== 'params')) return undefined;
    const holder = node.parent.parent;
    if (ts.isParameter(holder) && isPageComponent(holder)) {
      return { model: MODEL, label: `${key.text} (page props)`, kind: 'url' };
    }
    return undefined;
  }
  if (isExpressionLike(node)) {
    const inner = unwrap(node);
    const path = memberPath(inner);
    if (path?.length === 2 && (path[1] === 'searchParams' || path[1] === 'params')) {
      const root = unwrap((inner as ts.PropertyAccessExpression).expression);
      const declaration = ts.isIdentifier(root) ? findDeclaration(root) : undefined;
      if (declaration && ts.isParameter(declaration) && isPageComponent(declaration)) {
        return { model: MODEL, label: labelOf(inner, file), kind: 'url' };
      }
    }
  }
  return undefined;
}

function isPageComponent(parameter: ts.ParameterDeclaration): boolean {
  const fn = parameter.parent;
  if (!isFunctionLike(fn) || fn.parameters[0] !== parameter) return false;
  const modifiers = ts.canHaveModifiers(fn) ? (ts.getModifiers(fn) ?? []) : [];
  const isDefault = modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  if (isDefault) return true;
  if (ts.isFunctionDeclaration(fn) && fn.name && /^generateMetadata$/.test(fn.name.text)) return true;
  return ts.isExportAssignment(fn.parent);
}

function isCookieStore(expression: ts.Expression, file: FileContext): boolean {
  let resolved = resolveValue(expression, file).node;
  if (ts.isAwaitExpression(resolved)) resolved = unwrap(resolved.expression);
  if (callsExport(resolved, 'next/headers', ['cookies'])) return true;
  // `response.cookies` of a `NextResponse`, or of a parameter typed as one (`res: NextResponse`).
  const inner = unwrap(expression);
  if (ts.isPropertyAccessExpression(inner) && inner.name.text === 'cookies') {
    const owner = unwrap(inner.expression);
    const declaration = ts.isIdentifier(owner) ? findDeclaration(owner) : undefined;
    if (declaration && ts.isParameter(declaration) && /\bNextResponse\b/.test(declaration.type?.getText() ?? '')) {
      return true;
    }
    const response = resolveValue(inner.expression, file).node;
    const callee = ts.isCallExpression(response)
      ? response.expression
      : ts.isNewExpression(response)
        ? response.expression
        : undefined;
    const reference = callee && moduleReferenceOf(ts.isPropertyAccessExpression(callee) ? callee.expression : callee);
    return refersTo(reference, 'next/server', 'NextResponse');
  }
  return false;
}

/** `cookies().set(name, value)`, `(await cookies()).set(...)`, `response.cookies.set(name, value)`. */
function nextCookieWrites(node: ts.Node, file: FileContext): CookieWrite[] | undefined {
  if (!ts.isCallExpression(node) || node.arguments.length === 0) return undefined;
  const callee = unwrap(node.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'set') return undefined;
  if (!isCookieStore(callee.expression, file)) return undefined;
  const first = unwrap(node.arguments[0]);
  // `cookies().set({ name, value })`
  if (ts.isObjectLiteralExpression(first)) {
    const name = first.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'name');
    const value = first.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'value');
    if (!value || !ts.isPropertyAssignment(value)) return undefined;
    const nameText = name && ts.isPropertyAssignment(name) ? stringValue(name.initializer) : undefined;
    return [
      {
        model: MODEL,
        label: 'cookies().set()',
        node,
        name: nameText,
        value: { node: value.initializer, file },
        // The flags sit beside `name` and `value` in the same object.
        options: { node: node.arguments[0], file },
        defaults: NO_COOKIE_FLAGS,
      },
    ];
  }
  if (node.arguments.length < 2) return undefined;
  const name = stringValue(resolveValue(node.arguments[0], file).node as ts.Expression);
  return [
    {
      model: MODEL,
      label: `${labelOf(callee, file)}()`,
      node,
      name,
      value: { node: node.arguments[1], file },
      options: node.arguments[2] ? { node: node.arguments[2], file } : undefined,
      defaults: NO_COOKIE_FLAGS,
    },
  ];
}

/** `redirect(url)` from next/navigation, `NextResponse.redirect(url)`, `Response.redirect(url)`. */
function nextRedirects(node: ts.Node, file: FileContext): UrlSink[] | undefined {
  if (!ts.isCallExpression(node) || node.arguments.length === 0) return undefined;
  const url = { node: node.arguments[0], file };
  if (callsExport(node, 'next/navigation', ['redirect', 'permanentRedirect'])) {
    return [{ model: MODEL, label: 'redirect()', node, value: url }];
  }
  const callee = unwrap(node.expression);
  if (ts.isPropertyAccessExpression(callee) && accessedName(callee) === 'redirect') {
    const owner = unwrap(callee.expression);
    if (refersTo(moduleReferenceOf(owner), 'next/server', 'NextResponse')) {
      return [{ model: MODEL, label: 'NextResponse.redirect()', node, value: url }];
    }
    if (ts.isIdentifier(owner) && owner.text === 'Response' && !findDeclaration(owner)) {
      return [{ model: MODEL, label: 'Response.redirect()', node, value: url }];
    }
  }
  return undefined;
}

export const next: Model = {
  id: 'next',
  packages: ['next', 'next/headers', 'next/server', 'next/navigation'],
  // Its hooks only matter next to a session sink, which always names a session (or sid) somewhere.
  keywords: ['sess', 'sid'],
  requestInput: nextRequestInput,
  cookieWrites: nextCookieWrites,
  urlSinks: allOf(nextRedirects, urlSearchParamSinks(MODEL)),
};
