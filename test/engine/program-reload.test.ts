import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceProgram } from '../../src/engine/program.js';
import { ProjectFacts } from '../../src/engine/project-facts.js';

/** A program over one file, as the engine builds it. */
function programWith(text: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-reload-'));
  const file = path.join(dir, 'auth.ts');
  writeFileSync(file, text);
  const facts = new ProjectFacts(
    dir,
    () => {},
    (p) => path.relative(dir, p),
  );
  return { program: new SourceProgram(dir, dir, facts, [], new Set(), 1024 * 1024), file };
}

describe('a file dropped from the tree cache and used again', () => {
  it('is read again and gives the same tree when its text has not changed', () => {
    const { program, file } = programWith('export const login = (req: any) => { req.session.user = 1; };\n');
    const first = program.load(file);
    expect(first.ok).toBe(true);
    program.trimTrees(0);
    const again = program.load(file);
    expect(again.ok && again.file).not.toBe(first.ok && first.file);
    expect(again.ok && again.file.sourceFile.statements.length).toBe(1);
    expect(again.ok && again.file.text).toBe(first.ok && first.file.text);
  });

  it('goes through the parser guards when it changed on disk in the meantime', () => {
    const { program, file } = programWith('export const x = 1;\n');
    expect(program.load(file).ok).toBe(true);
    program.trimTrees(0);
    // Text the parser would take exponential time on: it must be refused, not parsed lazily later.
    writeFileSync(file, `${'async (a, '.repeat(40)}\n`);
    const again = program.load(file);
    expect(again.ok).toBe(false);
    expect(!again.ok && again.code).toBe('parser-pathological');
  });

  it('is refused when it became binary in the meantime', () => {
    const { program, file } = programWith('export const x = 1;\n');
    expect(program.load(file).ok).toBe(true);
    program.trimTrees(0);
    writeFileSync(file, Buffer.from([0x00, 0x01, 0x02, 0x00]));
    const again = program.load(file);
    expect(again.ok).toBe(false);
  });
});
