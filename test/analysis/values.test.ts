import { ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { nestedView, objectView, objectViews, possibleStrings, resolveValue } from '../../src/analysis/values.js';
import type { FileContext } from '../../src/analysis/file-context.js';
import { type Fixture, fixture } from './taint-harness.js';

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) f.dispose();
});

/** The first argument of every `use(...)` call in main.ts, in source order. */
function uses(files: Record<string, string>): { file: FileContext; args: ts.Expression[] } {
  const f = fixture(files);
  fixtures.push(f);
  const file = f.file('main.ts');
  const args: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'use') {
      args.push(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sourceFile);
  return { file, args };
}

/** Every string literal each view's `secret` can be, sorted. */
function secrets(expression: ts.Expression, file: FileContext): string[] {
  return objectViews(expression, file)
    .map((view) => view.properties.get('secret')?.value)
    .flatMap((value) => (value ? possibleStrings(value, file) : []))
    .filter((value): value is string => value !== undefined)
    .sort();
}

function flag(expression: ts.Expression, file: FileContext, name: string): string | undefined {
  const cookie = objectView(expression, file)?.properties.get('cookie');
  const value = cookie && nestedView(cookie)?.properties.get(name)?.value;
  return value && file.textOf(value);
}

describe('values: reassigned variables', () => {
  it('a let reassigned with a spread of itself holds both objects', () => {
    const { file, args } = uses({
      'main.ts': `
let opts = { secret: 'first', cookie: { secure: true } };
if (process.env.NODE_ENV === 'production') opts = { ...opts, store: makeStore() };
use(opts);
`,
    });
    const views = objectViews(args[0], file);
    expect(views.map((view) => [...view.properties.keys()].sort().join(','))).toEqual([
      'cookie,secret',
      'cookie,secret,store',
    ]);
    expect(secrets(args[0], file)).toEqual(['first', 'first']);
    // The merged view keeps what every candidate agrees on, and says it is incomplete.
    const merged = objectView(args[0], file)!;
    expect([...merged.properties.keys()].sort()).toEqual(['cookie', 'secret']);
    expect(merged.complete).toBe(false);
  });

  it('a let assigned a different object in a branch holds the union', () => {
    const { file, args } = uses({
      'main.ts': `
let opts = { secret: 'dev-secret' };
if (prod) { opts = { secret: process.env.SECRET }; }
use(opts);
`,
    });
    expect(secrets(args[0], file)).toEqual(['dev-secret']);
    expect(objectView(args[0], file)?.properties.has('secret')).toBe(false);
  });

  it('a const is still exactly its initializer, complete', () => {
    const { file, args } = uses({ 'main.ts': `const opts = { secret: 's', resave: false };\nuse(opts);\n` });
    const view = objectView(args[0], file)!;
    expect(view.complete).toBe(true);
    expect([...view.properties.keys()]).toEqual(['secret', 'resave']);
  });

  it('property assignments after the declaration change the view', () => {
    const { file, args } = uses({
      'main.ts': `
const opts = { secret: 'x', cookie: { httpOnly: true } };
opts.cookie.secure = true;
opts.secret = process.env.SECRET;
use(opts);
const other = { cookie: { secure: false } };
if (behindProxy) other.cookie.secure = true;
use(other);
`,
    });
    expect(flag(args[0], file, 'secure')).toBe('true');
    expect(flag(args[0], file, 'httpOnly')).toBe('true');
    expect(secrets(args[0], file)).toEqual([]);
    // A conditional assignment adds a changed copy: the two candidates disagree on `cookie`.
    expect(objectViews(args[1], file).map((view) => flag2(view))).toEqual(['false', 'true']);
    expect(objectView(args[1], file)?.properties.has('cookie')).toBe(false);

    function flag2(view: ReturnType<typeof objectViews>[number]) {
      const cookie = view.properties.get('cookie');
      const value = cookie && nestedView(cookie)?.properties.get('secure')?.value;
      return value && file.textOf(value);
    }
  });

  it('conditional expressions and local builder functions with several returns', () => {
    const { file, args } = uses({
      'main.ts': `
const base = { secret: 'base-secret', cookie: { secure: true } };
use(process.env.NODE_ENV === 'production' ? { ...base, store: s } : base);
function build(env: string) {
  if (env === 'production') return { ...base, store: s };
  if (env === 'test') return { secret: 'test-secret' };
  return base;
}
use(build(process.env.NODE_ENV ?? 'dev'));
const arrow = (prod: boolean) => (prod ? { ...base, proxy: true } : base);
use(arrow(true));
`,
    });
    expect(secrets(args[0], file)).toEqual(['base-secret', 'base-secret']);
    expect(secrets(args[1], file)).toEqual(['base-secret', 'base-secret', 'test-secret']);
    expect(flag(args[0], file, 'secure')).toBe('true');
    expect(secrets(args[2], file)).toEqual(['base-secret', 'base-secret']);
  });

  it('an unknown candidate makes the view incomplete', () => {
    const { file, args } = uses({ 'main.ts': `use(loadOptions() ?? { secret: 'fallback' });\n` });
    const view = objectView(args[0], file)!;
    expect(view.complete).toBe(false);
    expect(secrets(args[0], file)).toEqual(['fallback']);
  });
});

describe('values: keys held elsewhere', () => {
  it('constants, class fields, option defaults and destructured defaults', () => {
    const { file, args } = uses({
      'main.ts': `
const KEY = 'user';
use(KEY);
class Store {
  private key = 'userId';
  save() { use(this.key); }
}
function fromOptions(options: { key?: string }) {
  use(options.key ?? 'account');
  use(options.key || 'uid');
  const key = options.key ?? 'email';
  use(key);
}
function destructured({ key = 'login' } = {}) {
  use(key);
}
function parameter(key = 'role') {
  use(key);
}
let counter = 0;
counter++;
use(counter);
use(someCall());
`,
    });
    expect(args.map((argument) => possibleStrings(argument, file))).toEqual([
      ['user'],
      ['userId'],
      [undefined, 'account'],
      [undefined, 'uid'],
      [undefined, 'email'],
      [undefined, 'login'],
      [undefined, 'role'],
      [undefined],
      [undefined],
    ]);
  });

  it('a key reassigned per branch is every string it can be', () => {
    const { file, args } = uses({
      'main.ts': `
let key = 'cart';
if (loggingIn) key = 'user';
use(key);
`,
    });
    expect(possibleStrings(args[0], file).sort()).toEqual(['cart', 'user']);
  });

  it('a key exported by a local module', () => {
    const { file, args } = uses({
      'keys.ts': `export const SESSION_USER = 'user';\n`,
      'main.ts': `import { SESSION_USER } from './keys.js';\nuse(SESSION_USER);\n`,
    });
    expect(possibleStrings(args[0], file)).toEqual(['user']);
  });
});

describe('values: indirect references', () => {
  const kind = (node: ts.Node) => ts.SyntaxKind[node.kind];

  it('members of a CommonJS namespace and of a namespace import', () => {
    const { file, args } = uses({
      'handlers.js': `
function logout(req, res) { req.session.destroy(() => res.end()); }
exports.login = function login(req, res) { res.end(); };
module.exports.logout = logout;
`,
      'routes.js': `
const logout = (req, res) => res.end();
module.exports = { logout, other: function other() {} };
`,
      'main.ts': `
const handlers = require('./handlers.js');
const routes = require('./routes.js');
import * as ns from './handlers.js';
use(handlers.login);
use(handlers.logout);
use(routes.logout);
use(ns.logout);
use(handlers.missing);
`,
    });
    expect(args.map((argument) => kind(resolveValue(argument, file).node))).toEqual([
      'FunctionExpression',
      'FunctionDeclaration',
      'ArrowFunction',
      'FunctionDeclaration',
      'PropertyAccessExpression',
    ]);
    expect(resolveValue(args[1], file).file.path).toBe('handlers.js');
  });

  it('a binding destructured from an object literal or from this', () => {
    const { file, args } = uses({
      'main.ts': `
const config = { key: 'user', other: 1 };
const { key } = config;
use(key);
const { missing = 'fallback' } = config as { missing?: string };
use(missing);
`,
    });
    expect(possibleStrings(args[0], file)).toEqual(['user']);
    expect(possibleStrings(args[1], file)).toEqual([undefined, 'fallback']);
  });
});
