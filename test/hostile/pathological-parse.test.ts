import { describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { openAsyncParenDepth } from '../../src/engine/program.js';
import { codes, findingsIn, project, scanDir, VULNERABLE } from './support.js';

describe('inputs that make the TypeScript parser exponential', () => {
  it('measures nested unclosed `async (` groups, not ordinary nesting', () => {
    expect(openAsyncParenDepth('app.post("/x", async (req, res) => { await f(async (x) => g(x)); });')).toBe(1);
    expect(openAsyncParenDepth(`f(${'async (a, '.repeat(20)}b${')'.repeat(21)}`)).toBe(20);
    expect(openAsyncParenDepth(`f(${'(a, '.repeat(50)}b${')'.repeat(51)}`)).toBe(0);
    expect(openAsyncParenDepth('const notAsync = myasync (1)')).toBe(0);
    // `async name(`: an async method (or a call named after `async`) opens the same kind of group.
    expect(openAsyncParenDepth(`class C {\n${'  async signIn(@Req() req\n'.repeat(20)}}`)).toBe(20);
    expect(openAsyncParenDepth('class C { async a(x) { await this.b(); } async b() {} }')).toBe(1);
    expect(openAsyncParenDepth('async function f(a) { return g(a); }')).toBe(0);
  });

  it('skips nested unclosed `async name(` groups too (found by the fuzz test: 40 of them never finished)', async () => {
    const dir = project({
      'src/pathological.ts': `${VULNERABLE}class C {\n${'  async signIn(@Req() req\n'.repeat(40)}}\n`,
      'src/app.ts': VULNERABLE,
    });
    const result = await scanDir(dir, {}, await loadRules());
    expect(codes(result, 'src/pathological.ts')).toContain('parser-pathological');
    expect(findingsIn(result, 'src/app.ts').length).toBeGreaterThan(0);
  });

  it('skips such a file with a notification and still scans the others (found by the fuzz test)', async () => {
    const dir = project({
      'src/pathological.ts': `${VULNERABLE}app.post('/login', ${'async (request, '.repeat(40)}x${')'.repeat(41)};\n`,
      'src/app.ts': VULNERABLE,
    });
    const result = await scanDir(dir, {}, await loadRules());
    expect(codes(result, 'src/pathological.ts')).toContain('parser-pathological');
    expect(findingsIn(result, 'src/app.ts').length).toBeGreaterThan(0);
  });
});
