import { ts } from '#typescript';
import { accessedName, unwrap } from '../analysis/syntax.js';
import type { FileContext } from '../analysis/file-context.js';
import type { SessionObject, SessionRotation } from './session-lifecycle.js';
import { methodRotation, propertySession, sessionText, sessionWritesWith } from './session-access.js';
import { directCallOptions, sessionLibraryModel } from './session-options.js';
import { responseCookieClearing } from './session-logout.js';
import { koaSessionIdHooks } from './session-id-libraries.js';

const findSession = propertySession('koa-session', 'session');
const rotateMethod = methodRotation('koa-session', findSession, 'regenerate', 'promise');

/** Store packages whose presence in package.json means sessions are kept server-side. */
const STORE_PACKAGES = ['koa-generic-session', 'koa-redis', 'koa-session-mongoose', 'koa-session-knex-store'];

const configuredStateless = new WeakMap<FileContext, boolean | undefined>();

/** Text every module that imports koa-session or koa-generic-session contains. */
const KOA_SESSION_MODULE = /koa-(generic-)?session/;

/**
 * Whether the koa-session configured in this file or a local module it imports keeps no server-side
 * data: no `store` / `ContextStore` option. koa-generic-session always has a store. Only this file and
 * its direct local imports are read (bounded); when no configuration is seen, a store package in
 * package.json decides, else the cookie-only default applies.
 */
function statelessIn(file: FileContext): boolean {
  if (file.importedModules.has('koa-generic-session')) return false;
  const own = configuration(file);
  if (own !== undefined) return own;
  for (const specifier of file.importedModules) {
    // Only a module that imports koa-session itself can configure it. Asked of its text first, so the
    // services and schemas every koa router imports are not parsed for this question.
    const source = file.importedSource(specifier);
    if (!source || !KOA_SESSION_MODULE.test(source.text)) continue;
    const imported = file.resolveImport(specifier);
    const verdict = imported && configuration(imported);
    if (verdict !== undefined) return verdict;
  }
  const dependencies = file.manifest?.dependencies ?? {};
  return !STORE_PACKAGES.some((name) => dependencies[name] !== undefined);
}

function configuration(file: FileContext): boolean | undefined {
  if (configuredStateless.has(file)) return configuredStateless.get(file);
  let verdict: boolean | undefined;
  if (file.importedModules.has('koa-session') || file.importedModules.has('koa-generic-session')) {
    const options = directCallOptions(['koa-session', 'koa-generic-session']);
    const visit = (node: ts.Node): void => {
      if (verdict !== undefined) return;
      if (ts.isCallExpression(node)) {
        const argument = options(node, file);
        if (argument) {
          const view = koaSession.sessionOptions?.(node, file)?.options;
          const hasStore = view?.properties.has('store') || view?.properties.has('ContextStore');
          // Stateless unless a store is configured, or options we cannot fully see might configure one.
          verdict = !hasStore && (view === undefined || view.complete);
          return;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file.sourceFile);
  }
  configuredStateless.set(file, verdict);
  return verdict;
}

/**
 * koa-session: a cookie session unless a `store` (or `ContextStore`) is configured, in which case only
 * an external key is in the cookie. Flags sit in the options; `httpOnly` defaults to true and `secure`
 * to the request protocol. Signing uses koa's `app.keys` (see the koa model).
 *
 * Lifecycle: `ctx.session.key = v` / `ctx.session = { … }` write; `await ctx.session.regenerate()`
 * (koa-session 6.4+) or koa-generic-session's `await ctx.regenerateSession()` rotate;
 * `ctx.session = null` ends the session.
 */
export const koaSession = sessionLibraryModel(
  {
    id: 'koa-session',
    packages: ['koa-session', 'koa-generic-session'],
    keywords: ['session'],
    stateless: false,
    optionsArgument: directCallOptions(['koa-session', 'koa-generic-session']),
    defaults: { secure: 'auto', httpOnly: true },
    secretPaths: [],
    cookieNamePaths: [['key']],
    cookieNameDefault: 'koa.sess',
  },
  {
    ...koaSessionIdHooks,
    statelessIn,
    sessionObject: findSession,
    cookieClearing: responseCookieClearing('koa-session'),
    invalidationFix(context) {
      return { kind: 'statement', text: `${context.carrier}.session = null;` };
    },
    sessionWrites: sessionWritesWith('koa-session', findSession, { replace: true }),
    rotation(call, file): SessionRotation | undefined {
      const rotation = rotateMethod(call, file);
      if (rotation) return rotation;
      const callee = unwrap(call.expression);
      if (accessedName(callee) !== 'regenerateSession' || !ts.isPropertyAccessExpression(callee)) return undefined;
      const carrier = unwrap(callee.expression);
      const session: SessionObject = { model: 'koa-session', expression: callee, carrier };
      return { model: 'koa-session', call, session, completion: 'promise' };
    },
    invalidation(node, file) {
      if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
      if (unwrap(node.right).kind !== ts.SyntaxKind.NullKeyword) return undefined;
      const session = findSession(node.left, file);
      return session ? { model: 'koa-session', node, session, kind: 'null-assign' } : undefined;
    },
    rotationFix(write, file, context) {
      if (!context.inAsyncFunction) return undefined;
      const session = sessionText(write.session, 'session', file);
      const values = { session, access: 'properties' as const };
      if (file.importedModules.has('koa-generic-session')) {
        return { kind: 'statement', text: `await ${file.textOf(write.session.carrier)}.regenerateSession();`, values };
      }
      return { kind: 'statement', text: `await ${session}.regenerate();`, values };
    },
  },
);
