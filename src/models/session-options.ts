import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { accessedName, unwrap } from '../analysis/syntax.js';
import {
  nestedView,
  type ObjectView,
  objectView,
  objectViews,
  propertyAtPath,
  staticValue,
} from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';
import type { CookieFlagDefault, Model, SecretSite, SessionOptionsSite } from './model.js';

/** How one session library takes its options; the shared builder turns it into a model. */
export interface SessionLibrarySpec {
  id: string;
  packages: string[];
  keywords: string[];
  stateless: boolean;
  /** The options expression when `call` configures this library, else undefined. */
  optionsArgument(call: ts.CallExpression, file: FileContext): ts.Expression | undefined;
  /** Property holding cookie flags; undefined when flags sit in the options themselves. */
  cookieProperty?: string;
  /**
   * The flags sit in the options themselves when `cookieProperty` does not hold an object (older
   * hapi-auth-cookie: `{ cookie: 'sid', isSecure: false }`, where the newer scheme nests them).
   */
  flatWhenCookieIsNotAnObject?: boolean;
  flagNames?: { secure: string; httpOnly: string; sameSite: string };
  defaults: { secure: CookieFlagDefault; httpOnly: boolean };
  /** Option paths that hold secrets, e.g. [['secret']] or [['cookieOptions', 'password']]. */
  secretPaths: string[][];
  /** Those of `secretPaths` (joined with dots) that take a list of keys and never a single string. */
  keyLists?: string[];
  /** Option paths that may hold the cookie name, first match wins (e.g. [['name']], [['cookie', 'name'], ['cookie']]). */
  cookieNamePaths: string[][];
  cookieNameDefault: string;
}

const STANDARD_FLAGS = { secure: 'secure', httpOnly: 'httpOnly', sameSite: 'sameSite' };

export function sessionLibraryModel(spec: SessionLibrarySpec, extra: Partial<Model> = {}): Model {
  const sites = new WeakMap<ts.CallExpression, SessionOptionsSite>();
  return {
    id: spec.id,
    packages: spec.packages,
    keywords: spec.keywords,
    stateless: spec.stateless,
    sessionOptions(call, file) {
      // Most calls are turned away by `optionsArgument` at once (the file never names the module);
      // a configuring call is asked by several rules and the generator hook: its site is built once.
      const argument = spec.optionsArgument(call, file);
      if (!argument) return undefined;
      let site = sites.get(call);
      if (!site) {
        site = buildSite(spec, call, argument, file);
        sites.set(call, site);
      }
      return site;
    },
    ...extra,
  };
}

function buildSite(
  spec: SessionLibrarySpec,
  call: ts.CallExpression,
  argument: ts.Expression,
  file: FileContext,
): SessionOptionsSite {
  const options = objectView(argument, file);
  let cookie: ObjectView | undefined = options;
  let cookieProperty = spec.cookieProperty;
  if (spec.cookieProperty) {
    const property = options?.properties.get(spec.cookieProperty);
    cookie = property && nestedView(property);
    if (!cookie && spec.flatWhenCookieIsNotAnObject && property) {
      cookie = options;
      cookieProperty = undefined;
    }
  }
  // A secret is hardcoded when any object the options can be holds a literal one.
  const secrets: SecretSite[] = [];
  const seen = new Set<ts.Node>();
  const shapes = objectViews(argument, file);
  for (const view of shapes) {
    for (const secretPath of spec.secretPaths) {
      const property = propertyAtPath(view, secretPath);
      if (!property?.value || seen.has(property.value)) continue;
      seen.add(property.value);
      const label = secretPath.join('.');
      secrets.push({
        model: spec.id,
        label,
        value: property.overridable
          ? { node: property.value, file: property.file, overridable: true }
          : { node: property.value, file: property.file },
        ...(spec.keyLists?.includes(label) ? { keyList: true } : {}),
      });
    }
  }
  const configuredName = spec.cookieNamePaths
    .map((namePath) => {
      const property = propertyAtPath(options, namePath);
      return property && staticValue(property.value, property.file);
    })
    .find((value) => value?.kind === 'string');
  return {
    model: spec.id,
    call,
    options,
    shapes,
    cookie,
    cookieContainer: options,
    cookieProperty,
    flagNames: spec.flagNames ?? STANDARD_FLAGS,
    defaults: spec.defaults,
    secrets,
    stateless: spec.stateless,
    cookieName: configuredName?.kind === 'string' ? configuredName.value : spec.cookieNameDefault,
  };
}

const mentionedModules = new WeakMap<FileContext, Map<string, boolean>>();

/**
 * Whether the file's text names one of the modules. A module reference is only ever followed to an
 * import or `require` of this file, whose specifier is in its text, so a file that never names the
 * module cannot call it: every call of such a file is turned away before its callee is resolved.
 */
export function namesModule(file: FileContext, modules: string[]): boolean {
  let known = mentionedModules.get(file);
  if (!known) {
    known = new Map();
    mentionedModules.set(file, known);
  }
  return modules.some((module) => {
    let found = known.get(module);
    if (found === undefined) {
      found = file.text.includes(module);
      known.set(module, found);
    }
    return found;
  });
}

/** `m(options)` or `m(options, app)`: the first object-like argument of a call to the module's default export. */
export function directCallOptions(modules: string[]) {
  return (call: ts.CallExpression, file: FileContext): ts.Expression | undefined => {
    if (!namesModule(file, modules)) return undefined;
    const reference = moduleReferenceOf(call.expression);
    if (!modules.some((module) => refersTo(reference, module))) return undefined;
    return call.arguments.find((argument) => !isAppLike(argument)) ?? undefined;
  };
}

/** koa-session takes `(options, app)` and the legacy `(app, options)`: skip the app argument. */
function isAppLike(argument: ts.Expression): boolean {
  const inner = unwrap(argument);
  return ts.isIdentifier(inner) && /^(app|application|koa|server)$/i.test(inner.text);
}

/** `fastify.register(plugin, options)` where plugin is the module's default export. */
export function registeredPluginOptions(modules: string[]) {
  return (call: ts.CallExpression, file: FileContext): ts.Expression | undefined => {
    if (!namesModule(file, modules)) return undefined;
    if (accessedName(unwrap(call.expression)) !== 'register' || call.arguments.length < 1) return undefined;
    if (!isModule(call.arguments[0], modules)) return undefined;
    return call.arguments[1];
  };
}

export function isModule(expression: ts.Expression, modules: string[]): boolean {
  let reference = moduleReferenceOf(expression);
  // `import * as yar from '@hapi/yar'` or `require('@hapi/yar').plugin`
  if (reference && (reference.path.length === 0 || reference.path.at(-1) === 'plugin')) {
    reference = { module: reference.module, path: ['default'] };
  }
  return modules.some((module) => refersTo(reference, module));
}

/** The last argument of a call to one of the module's named exports, e.g. `getIronSession(req, res, options)`. */
export function namedExportCallOptions(module: string, exportNames: string[]) {
  return (call: ts.CallExpression, file: FileContext): ts.Expression | undefined => {
    if (!namesModule(file, [module])) return undefined;
    const reference = moduleReferenceOf(call.expression);
    if (!exportNames.some((name) => refersTo(reference, module, name))) return undefined;
    return call.arguments.at(-1);
  };
}
