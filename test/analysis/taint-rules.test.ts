import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { scan } from '../../src/index.js';
import { renderSarif } from '../../src/reporters/sarif.js';
import { renderText } from '../../src/reporters/text.js';

const root = path.resolve(import.meta.dirname, '../..');
const rules = await loadRules();
const project = path.join(root, 'fixtures/projects/taint-express-app');
const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

async function scanProject(dir: string, debug = false) {
  return scan({
    paths: [dir],
    cwd: dir,
    ruleSet: rules,
    rules: ['client-controlled-session-id', 'session-id-in-url'],
    debug,
  });
}

describe('taint rules: flows in the reports', () => {
  it('every finding carries a flow, source first and sink last, every step located', async () => {
    const result = await scanProject(project);
    expect(result.findings.length).toBeGreaterThanOrEqual(4);
    for (const finding of result.findings) {
      expect(finding.flow?.length ?? 0, finding.message).toBeGreaterThanOrEqual(2);
      expect(finding.flow![0].message).toMatch(/^source: /);
      for (const step of finding.flow!) {
        expect(step.path).toMatch(/^fixtures\/projects\/taint-express-app\/src\//);
        expect(step.region.startLine).toBeGreaterThan(0);
        expect(step.region.startColumn).toBeGreaterThan(0);
      }
    }
    const genid = result.findings.find((f) => f.message.includes('`genid`'));
    expect(genid?.flow?.map((s) => `${path.basename(s.path)}:${s.region.startLine}`)).toEqual([
      'ids.ts:6',
      'ids.ts:6',
      'ids.ts:7',
      'config.ts:7',
    ]);
    expect(genid?.message).toContain('flows from `req.query.pin`');
  });

  it('SARIF results carry codeFlows whose thread-flow locations all have a file and a region', async () => {
    const result = await scanProject(project);
    const sarif = JSON.parse(renderSarif(result));
    const results = sarif.runs.flatMap((run: any) => run.results);
    expect(results.length).toBe(result.findings.length);
    for (const entry of results) {
      const locations = entry.codeFlows[0].threadFlows[0].locations;
      expect(locations.length).toBeGreaterThanOrEqual(2);
      for (const { location } of locations) {
        expect(location.physicalLocation.artifactLocation.uri).toMatch(/taint-express-app\/src\//);
        expect(location.physicalLocation.region.startLine).toBeGreaterThan(0);
        expect(location.message.text.length).toBeGreaterThan(0);
      }
    }
  });

  it('the text report shows the flow', async () => {
    const result = await scanProject(project);
    const text = renderText(result, { color: false });
    expect(text).toContain('flow:');
    expect(text).toContain('source: `req.query.pin`');
  });

  it('a cut-off search is reported under --debug only', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fixate-taint-cutoff-'));
    temp.push(dir);
    const chain = Array.from({ length: 400 }, (_, i) => `p${i}`).join(' + ');
    writeFileSync(
      path.join(dir, 'app.ts'),
      `import session from 'express-session';\nexport const s = session({ secret: process.env.S as string, cookie: { secure: true }, genid: (req) => ${chain} + req.query.sid });\n`,
    );
    const quiet = await scanProject(dir);
    expect(quiet.notifications.filter((n) => n.code === 'analysis-note')).toEqual([]);
    const debug = await scanProject(dir, true);
    const notes = debug.notifications.filter((n) => n.code === 'analysis-note');
    expect(notes.length).toBeGreaterThan(0);
    expect(notes[0].message).toMatch(/genid.*stopped at nesting depth/);
  });
});
