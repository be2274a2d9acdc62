import { afterAll, describe, expect, it } from 'vitest';
import type { ts } from 'ts-morph';
import { describeFlow, TaintEngine } from '../../src/analysis/taint.js';
import { type Fixture, fixture, testSource } from './taint-harness.js';

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) f.dispose();
});

function make(files: Record<string, string>, options = {}) {
  const f = fixture(files, options);
  fixtures.push(f);
  return f;
}

/** Each `sink(...)` line ends in `// T` (tainted) or `// C` (clean); the engine must agree on every one. */
function expectMarked(text: string, extra: Record<string, string> = {}, options = {}) {
  const f = make({ 'main.ts': text, ...extra }, options);
  const lines = text.split('\n');
  const results = f.sinks('main.ts');
  expect(results.length).toBeGreaterThan(0);
  for (const sink of results) {
    const marker = /\/\/ ([TC])\b/.exec(lines[sink.line - 1])?.[1];
    expect(marker, `line ${sink.line} needs a // T or // C marker`).toBeDefined();
    const tainted = sink.result.paths.length > 0;
    expect({ line: sink.line, sink: sink.text, tainted }).toEqual({
      line: sink.line,
      sink: sink.text,
      tainted: marker === 'T',
    });
  }
  return results;
}

describe('taint engine: propagation forms', () => {
  it('variables, const and let assignments', () => {
    expectMarked(`
const a = source();
sink(a); // T
let b = 'x';
sink(b); // C
let c = 'x';
c = source();
sink(c); // T
var d;
d = req.query.sid;
sink(d); // T
const e = 'literal';
sink(e); // C
`);
  });

  it('a let holds what reaches it in straight-line code; a guard may clear the older value', () => {
    expectMarked(
      `
function fresh(): string { return 'x'; }
function a() {
  let id = source();
  if (!id) {
    id = fresh();
    sink(id); // C
  }
  sink(id); // T
}
function b() {
  let id = source();
  if (!id || !known.has(id)) id = fresh();
  sink(id); // C
}
function c() {
  let id = source();
  if (!id || !/^[a-f0-9]+$/.test(id)) id = fresh();
  sink(id); // T
}
function d() {
  let id = source();
  for (const n of [1, 2]) {
    sink(id); // T
    id = fresh();
  }
}
`,
      {},
      {
        guardClears: (condition: ts.Expression) => condition.getText().includes('known.has'),
      },
    );
  });

  it('object and array destructuring, defaults and rest', () => {
    expectMarked(`
const { sid } = req.query;
sink(sid); // T
const { a: renamed = 'x' } = source();
sink(renamed); // T
const { fallback = source() } = {};
sink(fallback); // T
const { ...rest } = req.body;
sink(rest); // T
const [first, , third] = source();
sink(first); // T
sink(third); // T
const [...others] = source();
sink(others); // T
const { nested: { deep } } = source();
sink(deep); // T
const { tainted, clean } = { tainted: source(), clean: 'x' };
sink(tainted); // T
sink(clean); // C
`);
  });

  it('property reads, element access, template literals, concatenation', () => {
    expectMarked(`
const input = source();
sink(input.sid); // T
sink(input['sid']); // T
sink(input[0]); // T
sink(\`sess:\${input.sid}\`); // T
sink('sess:' + input.sid); // T
sink(\`sess:\${Date.now()}\`); // C
sink('a' + 'b'); // C
const holder = { id: source(), other: 'x' };
sink(holder.id); // T
sink(holder.other); // C
`);
  });

  it('String(), toString(), trim(), slice() and similar string methods', () => {
    expectMarked(`
const raw = req.query.sid;
sink(String(raw)); // T
sink(raw.toString()); // T
sink(raw.trim()); // T
sink(raw.slice(0, 32)); // T
sink(raw.toLowerCase().padStart(32, '0')); // T
sink(decodeURIComponent(raw)); // T
sink(String(42)); // C
sink(raw.length); // T
sink(Math.random().toString(36)); // C
`);
  });

  it('conditional and logical expressions, await and Promise.resolve', () => {
    expectMarked(`
async function handler() {
  const raw = source();
  sink(raw || 'fallback'); // T
  sink(undefined ?? raw); // T
  sink(ok() ? raw : 'x'); // T
  sink(raw ? 'a' : 'b'); // C
  sink(await raw); // T
  sink(await Promise.resolve(raw)); // T
  sink(raw === 'x'); // C
}
`);
  });

  it('spreading into object literals', () => {
    expectMarked(`
const merged = { ...req.query, extra: 1 };
sink(merged.sid); // T
sink(merged); // T
const clean = { ...{ a: 1 }, b: 2 };
sink(clean.a); // C
`);
  });

  it('function parameters and return values: declarations, arrows and methods', () => {
    expectMarked(`
function pick(value: string) {
  return value.trim();
}
const arrow = (value: string) => \`id-\${value}\`;
const helpers = {
  method(value: string) {
    return value;
  },
  constant() {
    return 'fixed';
  },
};
class Ids {
  from(value: string) {
    return value;
  }
}
sink(pick(source())); // T
sink(pick('literal')); // C
sink(arrow(source())); // T
sink(helpers.method(source())); // T
sink(helpers.constant()); // C
sink(new Ids().from(source())); // T
function readsQuery() {
  return req.query.sid;
}
sink(readsQuery()); // T
`);
  });

  it('a sink inside a function is reached through its same-file callers', () => {
    expectMarked(`
function adopt(id: string) {
  sink(id); // T
}
adopt(source());
function safe(id: string) {
  sink(id); // C
}
safe('constant');
`);
  });

  it('class fields assigned in the constructor from a parameter', () => {
    expectMarked(`
class Holder {
  id: string;
  other = 'x';
  constructor(id: string, private readonly extra: string) {
    this.id = id;
  }
  read() {
    sink(this.id); // T
    sink(this.other); // C
    sink(this.extra); // C
    return this.id;
  }
}
const held = new Holder(source(), 'x');
sink(held.id); // T
sink(held.read()); // T
sink(new Holder('a', 'b').id); // C
`);
  });

  it('NestJS-style decorated parameters as sources', () => {
    expectMarked(`
class Controller {
  handle(@Query('sid') sid: string, other: string) {
    sink(sid); // T
    sink(other); // C
  }
}
`);
  });

  it('sanitizers and pass-through calls come from the caller', () => {
    expectMarked(
      `
const raw = source();
sink(validate(raw)); // C
sink(parse(raw).query); // T
sink(unknown(raw)); // C
`,
      {},
      {
        isSanitizer: (call: any) => call.expression.getText() === 'validate',
        passThrough: (call: any) => (call.expression.getText() === 'parse' ? [call.arguments[0]] : undefined),
      },
    );
  });
});

describe('taint engine: cross-file', () => {
  it('follows imports of local modules to function summaries and exported values', () => {
    expectMarked(
      `
import { idFrom, fixedId, tainted } from './lib/ids.js';
import * as ids from './lib/ids.js';
import makeId from './lib/default.js';
sink(idFrom(req)); // T
sink(fixedId()); // C
sink(ids.idFrom(req)); // T
sink(tainted); // T
sink(makeId(source())); // T
sink(makeId('x')); // C
`,
      {
        'lib/ids.ts': `
export function idFrom(req: { query: Record<string, string> }) {
  const { sid } = req.query;
  return sid;
}
export const fixedId = () => 'server';
export const tainted = source();
`,
        'lib/default.ts': `export default (value: string) => value.slice(0, 10);\n`,
      },
    );
  });

  it('describes the path with lines and other files', () => {
    const f = make({
      'main.ts': `import { idFrom } from './lib.js';\nconst sid = idFrom(req);\nsink(sid);\n`,
      'lib.ts': `export function idFrom(r: any) {\n  return r.query.sid;\n}\n`,
    });
    // The test source recognises `req.query` only: `r.query` is clean, so bind through the argument.
    const [clean] = f.sinks('main.ts');
    expect(clean.result.paths).toEqual([]);
    const g = make({
      'main.ts': `import { idFrom } from './lib.js';\nconst sid = idFrom(req.query);\nsink(sid);\n`,
      'lib.ts': `export function idFrom(query: any) {\n  const value = query.sid;\n  return value;\n}\n`,
    });
    const [tainted] = g.sinks('main.ts');
    expect(tainted.result.paths).toHaveLength(1);
    const path = tainted.result.paths[0];
    expect(path.source).toEqual({ label: 'req.query', kind: 'url' });
    expect(path.steps.map((s) => `${s.file.path}:${s.file.lineOf(s.node)} ${s.message}`)).toEqual([
      'main.ts:2 `req.query`',
      'lib.ts:1 parameter `query` of `idFrom`',
      'lib.ts:2 `value`',
      'main.ts:2 returned from `idFrom()`',
      'main.ts:2 `sid`',
    ]);
    const main = g.file('main.ts');
    const sinkNode = main.sourceFile.statements[2];
    expect(describeFlow(path, { label: '`sink`', node: sinkNode, file: main }, main)).toBe(
      'flows from `req.query` (line 2) via parameter `query` of `idFrom` (lib.ts:1), `value` (lib.ts:2), `sid` (line 2) into `sink` (line 3)',
    );
  });

  it('keeps one path per source kind', () => {
    const [sink] = make({ 'main.ts': `sink(req.cookies.sid || req.query.sid || source());\n` }).sinks('main.ts');
    expect(sink.result.paths.map((p) => p.source.kind).sort()).toEqual(['cookie', 'test', 'url']);
  });
});

describe('taint engine: bounds and caching', () => {
  it('terminates on recursion and says so', () => {
    const results = expectMarked(`
function loop(value: string, n: number): string {
  return n > 0 ? loop(value, n - 1) : value;
}
function onlyRecursive(n: number): string {
  return onlyRecursive(n + 1);
}
function ping(v: string): string { return pong(v); }
function pong(v: string): string { return ping(v); }
sink(loop(source(), 3)); // T
sink(onlyRecursive(1)); // C
sink(ping(source())); // C
let x = source();
x = x + x;
sink(x); // T
`);
    expect(results[1].result.cutoff?.reason).toMatch(/recursive call/);
  });

  it('a very deep expression is cut off at the depth bound instead of overflowing the stack', () => {
    const chain = Array.from({ length: 1500 }, (_, i) => `a${i}`).join(' + ');
    const f = make({ 'main.ts': `const x = ${chain} + source();\nsink(x);\n` });
    const [sink] = f.sinks('main.ts');
    expect(sink.result.paths).toEqual([]);
    expect(sink.result.cutoff?.reason).toMatch(/depth/);
  });

  it('a huge function is cut off at the step budget', () => {
    const declarations = Array.from({ length: 400 }, (_, i) => `const v${i} = 'x${i}';`).join('\n');
    const properties = Array.from({ length: 400 }, (_, i) => `p${i}: v${i}`).join(', ');
    const f = make({ 'main.ts': `${declarations}\nsink({ ${properties}, last: source() });\n` });
    const engine = new TaintEngine({ isSource: testSource, maxSteps: 500 });
    const [sink] = f.sinks('main.ts', engine);
    expect(sink.result.cutoff?.reason).toMatch(/500 steps/);
  });

  it('asking twice returns the cached answer', () => {
    const f = make({ 'main.ts': `const a = source();\nsink(a);\n` });
    const engine = new TaintEngine({ isSource: testSource });
    const [first] = f.sinks('main.ts', engine);
    let calls = 0;
    const counting = new TaintEngine({
      isSource: (node, file) => {
        calls++;
        return testSource(node, file);
      },
    });
    f.sinks('main.ts', counting);
    const afterFirst = calls;
    f.sinks('main.ts', counting);
    expect(calls).toBe(afterFirst);
    expect(f.sinks('main.ts', engine)[0].result).toBe(first.result);
  });
});

describe('taint engine: common operations', () => {
  it('buffers, encodings and numbers computed from the value', () => {
    expectMarked(`
const raw = source();
sink(Buffer.from(raw).toString('base64')); // T
sink(new Buffer(raw).toString('hex')); // T
sink(Buffer.from('constant').toString('base64')); // C
sink(Math.floor(raw * 1e9)); // T
sink(Math.floor(Math.PI * 1e9)); // C
sink((raw * 0x100000000) >>> 0); // T
sink(~~(raw * 1000)); // T
sink(-raw); // T
sink(!raw); // C
sink(Number(raw) % 97); // T
sink(parseInt(raw, 16)); // T
let n = 1;
n *= raw;
sink(n); // T
`);
  });

  it('an index picked into an alphabet string or array', () => {
    expectMarked(`
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DIGITS = ['0', '1', '2', '3'];
const index = Math.floor(source() * ALPHABET.length);
sink(ALPHABET[index]); // T
sink(ALPHABET.charAt(index)); // T
sink('abcdef'.at(index)); // T
sink(DIGITS[index]); // T
sink(ALPHABET[3]); // C
sink(ALPHABET.charAt(3)); // C
const table: Record<string, string> = loadTable();
sink(table[index]); // C
`);
  });

  it('schema parsing returns what it was given', () => {
    expectMarked(`
import { z } from 'zod';
const schema = z.object({ sid: z.string() });
sink(schema.parse(req.query).sid); // T
sink(schema.safeParse(req.body).data); // T
sink((await schema.parseAsync(req.query)).sid); // T
sink(schema.parse({ sid: 'fixed' }).sid); // C
const local = { parse(_input: unknown) { return 'constant'; } };
sink(local.parse(req.query)); // C
`);
  });

  it('helpers in other files, imported or required, that receive the value', () => {
    expectMarked(
      `
import { encode } from './encode.js';
const helpers = require('./helpers.js');
sink(encode(req.query.sid)); // T
sink(encode('constant')); // C
sink(helpers.pick(req.query.sid)); // T
sink(helpers.fixed(req.query.sid)); // C
`,
      {
        'encode.ts': `export function encode(value: string): string {\n  return Buffer.from(value).toString('base64url');\n}\n`,
        'helpers.js': `exports.pick = function pick(value) { return value.trim(); };\nfunction fixed() { return 'x'; }\nmodule.exports.fixed = fixed;\n`,
      },
    );
  });
});
