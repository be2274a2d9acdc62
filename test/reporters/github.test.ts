import { describe, expect, it } from 'vitest';
import { ANNOTATIONS_PER_LEVEL, escapeData, escapeProperty, renderGithub } from '../../src/reporters/github.js';
import type { Finding, Severity } from '../../src/types.js';
import { resultOf } from '../cli/temp-project.js';

function finding(severity: Severity, line: number, more: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'hardcoded-session-secret',
    messageId: 'm',
    severity,
    message: `secret on line ${line}`,
    location: { path: 'src/app.ts', region: { startLine: line, startColumn: 3, endLine: line, endColumn: 9 } },
    related: [],
    fixes: [],
    lineHash: 'h:1',
    snippet: 'x',
    ...more,
  };
}

describe('--format github', () => {
  it('escapes data and properties as @actions/core does', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('src/a:b,c%.ts')).toBe('src/a%3Ab%2Cc%25.ts');
  });

  it('prints one workflow command per finding, with the position and a title', () => {
    const out = renderGithub(
      resultOf([
        finding('error', 5, {
          message: 'secret "a,b:c" is\nhardcoded',
          location: { path: 'src/we,ird:name.ts', region: { startLine: 5, startColumn: 3, endLine: 6, endColumn: 2 } },
          fixes: [{ description: 'Use the environment', safety: 'safe', edits: [], diff: '' }],
        }),
        finding('note', 7, { testCode: true }),
        finding('warning', 8, { suppression: { kind: 'inSource', justification: 'fine' } }),
      ]),
    );
    expect(out).toBe(
      [
        '::notice file=src/app.ts,line=7,col=3,endLine=7,endColumn=9,title=fixate hardcoded-session-secret (test code)::secret on line 7',
        '::error file=src/we%2Cird%3Aname.ts,line=5,col=3,endLine=6,title=fixate hardcoded-session-secret::secret "a,b:c" is%0Ahardcoded%0AFix: Use the environment',
        'fixate: 2 findings.',
        '',
      ].join('\n'),
    );
  });

  it(`annotates at most ${ANNOTATIONS_PER_LEVEL} findings of each level and counts the rest`, () => {
    const findings = [
      ...Array.from({ length: 13 }, (_, i) => finding('error', i + 1)),
      ...Array.from({ length: 10 }, (_, i) => finding('warning', i + 100)),
      finding('note', 200),
    ];
    const lines = renderGithub(resultOf(findings)).trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(10);
    expect(lines.filter((l) => l.startsWith('::warning ')).length).toBe(10);
    expect(lines.filter((l) => l.startsWith('::notice ')).length).toBe(1);
    expect(lines.at(-1)).toBe(
      'fixate: 24 findings; 3 errors not annotated (GitHub shows 10 annotations of each level per step); run fixate --format text to see them all.',
    );
  });

  it('says how many known findings the baseline left out', () => {
    const out = renderGithub(
      resultOf([], { baseline: { file: 'b.json', unchanged: [finding('error', 1)], absent: [] } }),
    );
    expect(out).toBe('fixate: 0 findings; 1 known finding in the baseline left out.\n');
  });
});
