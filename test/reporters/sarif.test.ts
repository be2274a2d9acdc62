import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { applyEdits, lineStarts, positionToOffset } from '../../src/fix/edits.js';
import { renderSarif } from '../../src/reporters/index.js';
import { ACCEPTED_NOTES, multitoolResults, multitoolRuns, SCHEMA_PATH } from '../support/sarif-validation.js';
import {
  BINARY_PATH,
  emptyResult,
  LOGIN_PATH,
  LOGIN_SOURCE,
  SESSION_PATH,
  SESSION_SOURCE,
  sampleResult,
} from './sample-result.js';

const parse = (text: string): Sarif.Log => JSON.parse(text);
const sample = () => parse(renderSarif(sampleResult(), { category: 'fixate' }));
const run = () => sample().runs[0];
const resultFor = (ruleId: string) => {
  const found = run().results?.find((r) => r.ruleId === ruleId);
  if (!found) throw new Error(`no result for ${ruleId}`);
  return found;
};

describe('SARIF schema', () => {
  // The schema file is draft 2020-12; ajv's default export only speaks draft-07.
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));

  it.each([
    ['sample', () => renderSarif(sampleResult(), { category: 'fixate' })],
    ['empty', () => renderSarif(emptyResult(), {})],
  ])('%s log validates against the official 2.1.0 schema', (_name, render) => {
    const ok = validate(JSON.parse(render()));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check can fail', () => {
    const log = sample() as unknown as { runs: { results: { level: string }[] }[] };
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });
});

describe.runIf(multitoolRuns)('SARIF Multitool (Sarif;Ghas rules)', () => {
  const validate = (_name: string, sarif: string) => multitoolResults(sarif);

  const describeResult = (r: Sarif.Result) => `${r.level ?? 'warning'} ${r.ruleId}: ${JSON.stringify(r.message)}`;

  it.each([
    ['sample', () => renderSarif(sampleResult(), { category: 'fixate' })],
    ['empty', () => renderSarif(emptyResult(), {})],
  ])('%s log has no GHAS or SARIF errors or warnings', async (name, render) => {
    const results = await validate(name, render());
    const serious = results.filter((r) => r.level === 'error' || r.level === 'warning' || r.level === undefined);
    expect(serious.map(describeResult)).toEqual([]);
    const notes = results.filter((r) => r.level === 'note' && !ACCEPTED_NOTES.has(r.ruleId ?? ''));
    expect(notes.map(describeResult)).toEqual([]);
  });

  it('the validator does report GHAS errors (so a clean run means something)', async () => {
    const log = sample();
    delete log.runs[0].results?.[0].locations;
    const results = await validate('broken', JSON.stringify(log));
    expect(results.some((r) => r.level === 'error' && r.ruleId?.startsWith('GH'))).toBe(true);
  });
});

describe('renderSarif', () => {
  it('lists every rule with GitHub metadata, sorted by id', () => {
    const rules = run().tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual([
      'client-chosen-session-id',
      'insecure-session-cookie',
      'logout-without-destroy',
      'missing-session-regeneration',
      'non-atomic-session-rotation',
    ]);
    const rule = rules[3];
    expect(rule).toEqual({
      id: 'missing-session-regeneration',
      name: 'MissingSessionRegeneration',
      shortDescription: { text: 'Session id is not regenerated at login' },
      fullDescription: { text: expect.stringContaining('session fixation') },
      defaultConfiguration: { level: 'error' },
      helpUri: 'https://github.com/fixate-dev/fixate/blob/main/rules/missing-session-regeneration/README.md',
      help: { text: expect.any(String), markdown: expect.stringMatching(/^# Session id/) },
      properties: {
        tags: ['security', 'external/cwe/cwe-384', 'session', 'authentication'],
        precision: 'high',
        'security-severity': '8.1',
      },
    });
    expect(rules[0].properties?.['security-severity']).toBe('9.0');
    expect(rules[0].properties?.tags).toContain('external/cwe/cwe-340');
  });

  it('falls back to title, description and docs link when a rule has no help text', () => {
    const rule = run().tool.driver.rules?.find((r) => r.id === 'non-atomic-session-rotation');
    const docs = 'https://github.com/fixate-dev/fixate/blob/main/rules/non-atomic-session-rotation/README.md';
    expect(rule?.help).toEqual({
      text: `DynamoDB session rotation is not atomic.\n\nRotating with separate put and delete calls can leave the old, attacker-known key alive.\n\nSee ${docs}`,
      markdown: `# DynamoDB session rotation is not atomic\n\nRotating with separate put and delete calls can leave the old, attacker-known key alive.\n\n[Documentation](${docs})`,
    });
  });

  it('caps tags at 20 and truncates long descriptions to 1024 characters', () => {
    const scan = sampleResult();
    scan.rules[0] = {
      ...scan.rules[0],
      tags: Array.from({ length: 30 }, (_, i) => `tag-${i}`),
      description: 'x'.repeat(2000),
    };
    const rule = parse(renderSarif(scan, {})).runs[0].tool.driver.rules?.find((r) => r.id === scan.rules[0].id);
    expect(rule?.properties?.tags).toHaveLength(20);
    expect(rule?.properties?.tags?.slice(0, 2)).toEqual(['security', 'external/cwe/cwe-384']);
    expect(rule?.fullDescription?.text).toHaveLength(1024);
  });

  it('writes tool, category and column kind', () => {
    const r = run();
    expect(sample().$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sample().version).toBe('2.1.0');
    expect(r.tool.driver).toMatchObject({
      name: 'fixate',
      semanticVersion: '0.1.0',
      informationUri: 'https://github.com/fixate-dev/fixate',
    });
    expect(r.automationDetails).toEqual({ id: 'fixate/' });
    expect(r.columnKind).toBe('utf16CodeUnits');
    expect(parse(renderSarif(sampleResult(), {})).runs[0].automationDetails).toBeUndefined();
    expect(parse(renderSarif(sampleResult(), { category: 'api/' })).runs[0].automationDetails).toEqual({ id: 'api/' });
  });

  it('percent-encodes each path segment of a relative URI', () => {
    const r = resultFor('client-chosen-session-id');
    const artifact = r.locations?.[0].physicalLocation?.artifactLocation;
    expect(artifact).toEqual({
      uri: 'src/legacy%20routes/%23admin/sessi%C3%B3n-%C3%BCn%C3%AFcode.ts',
      uriBaseId: '%SRCROOT%',
    });
    expect(decodeURIComponent(artifact?.uri ?? '')).toBe(SESSION_PATH);
    const binary = run().invocations?.[0].toolExecutionNotifications?.find((n) => n.descriptor?.id === 'binary');
    expect(binary?.locations?.[0].physicalLocation?.artifactLocation?.uri).toBe('assets/100%25%20real/logo.ts');
    expect(decodeURIComponent('assets/100%25%20real/logo.ts')).toBe(BINARY_PATH);
  });

  it('links related locations from the message and escapes literal brackets', () => {
    const login = resultFor('missing-session-regeneration');
    expect(login.ruleIndex).toBe(3);
    expect(login.level).toBe('error');
    expect(login.message.text).toBe(
      'The session gets `userId` after a password check without a new session id. See [the password check](1).',
    );
    expect(login.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: LOGIN_PATH, uriBaseId: '%SRCROOT%' },
          region: { startLine: 7, startColumn: 24, endLine: 7, endColumn: 68 },
        },
        message: { text: 'the password check' },
      },
    ]);
    expect(resultFor('logout-without-destroy').message.text).toBe(
      'Logout clears `userId` but keeps the session \\[and its id\\] alive.',
    );
  });

  it('writes the primary region with its snippet, context and line hash', () => {
    const r = resultFor('client-chosen-session-id');
    const scan = sampleResult();
    expect(r.locations?.[0].physicalLocation).toEqual({
      artifactLocation: { uri: expect.any(String), uriBaseId: '%SRCROOT%' },
      region: {
        startLine: 9,
        startColumn: 12,
        endLine: 9,
        endColumn: 38,
        snippet: { text: 'sid || crypto.randomUUID()' },
      },
      contextRegion: {
        startLine: 9,
        endLine: 9,
        snippet: { text: "    return sid || crypto.randomUUID(); // 🍪 adopts the caller's id" },
      },
    });
    expect(r.partialFingerprints).toEqual({
      primaryLocationLineHash: scan.findings.find((f) => f.ruleId === 'client-chosen-session-id')?.lineHash,
    });
  });

  it('writes the data flow as a code flow, source first', () => {
    const steps = resultFor('client-chosen-session-id').codeFlows?.[0].threadFlows[0].locations ?? [];
    expect(steps.map((s) => [s.location?.message?.text, s.location?.physicalLocation?.region?.startColumn])).toEqual([
      ['`req.query.sid`', 24],
      ['`sid`', 11],
      ['`genid` return value', 12],
    ]);
    expect(resultFor('missing-session-regeneration').codeFlows).toBeUndefined();
  });

  it('writes fixes whose replacements, applied to the file, give the fixed text', () => {
    const scan = sampleResult();
    const finding = scan.findings.find((f) => f.ruleId === 'missing-session-regeneration');
    const [fix] = resultFor('missing-session-regeneration').fixes ?? [];
    expect(fix.description?.text).toBe('Regenerate the session and write the user inside the callback.');
    expect(fix.artifactChanges).toHaveLength(1);
    const [change] = fix.artifactChanges;
    expect(change.artifactLocation).toEqual({ uri: LOGIN_PATH, uriBaseId: '%SRCROOT%' });
    expect(change.replacements).toHaveLength(2);
    // A consumer like reviewdog sees only regions; converting them back must give the same edit.
    const starts = lineStarts(LOGIN_SOURCE);
    const edits = change.replacements.map((rep) => {
      const d = rep.deletedRegion;
      return {
        start: positionToOffset(LOGIN_SOURCE, starts, d.startLine ?? 0, d.startColumn ?? 1),
        end: positionToOffset(LOGIN_SOURCE, starts, d.endLine ?? 0, d.endColumn ?? 1),
        newText: rep.insertedContent?.text ?? '',
      };
    });
    expect(applyEdits(LOGIN_SOURCE, edits)).toBe(applyEdits(LOGIN_SOURCE, finding?.fixes[0].edits ?? []));
    expect(applyEdits(LOGIN_SOURCE, edits)).toContain('req.session.regenerate((err) => {');

    const unsafe = resultFor('client-chosen-session-id').fixes?.[0];
    expect(unsafe?.description?.text).toBe(
      'Always generate the id on the server. Review this change before applying it.',
    );
    expect(unsafe?.artifactChanges[0].artifactLocation.uri).toContain('%23admin');
    expect(SESSION_SOURCE).toContain('sid || crypto.randomUUID()');
  });

  it('keeps suppressed findings, marked as suppressed in source', () => {
    const r = resultFor('insecure-session-cookie');
    expect(r.suppressions).toEqual([
      { kind: 'inSource', justification: 'TLS ends at the load balancer, which sets Secure' },
    ]);
    expect(resultFor('missing-session-regeneration').suppressions).toBeUndefined();
  });

  it('reports every notification on the invocation', () => {
    const [invocation] = run().invocations ?? [];
    expect(invocation.executionSuccessful).toBe(true);
    const notes = invocation.toolExecutionNotifications ?? [];
    expect(notes.map((n) => n.descriptor?.id)).toEqual(['binary', 'rule-crashed', 'parse-error']);
    expect(notes[1]).toEqual({
      level: 'error',
      message: { text: 'Rule logout-without-destroy crashed; its findings for this file may be incomplete.' },
      descriptor: { id: 'rule-crashed' },
      locations: [{ physicalLocation: { artifactLocation: { uri: LOGIN_PATH, uriBaseId: '%SRCROOT%' } } }],
      associatedRule: { id: 'logout-without-destroy', index: 2 },
      properties: { skipped: false },
    });
    expect(notes[2].locations?.[0].physicalLocation?.region).toEqual({
      startLine: 3,
      startColumn: 14,
      endLine: 3,
      endColumn: 15,
    });
  });

  it('marks the run unsuccessful only on a fatal error', () => {
    const scan = emptyResult();
    scan.notifications.push({ level: 'warning', code: 'fatal', message: 'Not really fatal.', skipped: false });
    expect(parse(renderSarif(scan, {})).runs[0].invocations?.[0].executionSuccessful).toBe(true);
    scan.notifications.push({ level: 'error', code: 'fatal', message: 'Could not read the config.', skipped: false });
    const [invocation] = parse(renderSarif(scan, {})).runs[0].invocations ?? [];
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications?.[1].locations).toBeUndefined();
  });

  it('is deterministic and leaves out wall time and timestamps', () => {
    const a = sampleResult();
    const b = sampleResult();
    b.durationMs = 99999;
    b.findings.reverse();
    b.notifications.reverse();
    b.rules.reverse();
    const text = renderSarif(a, { category: 'fixate' });
    expect(renderSarif(b, { category: 'fixate' })).toBe(text);
    expect(text).not.toMatch(/durationMs|1234\.5|TimeUtc/);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",');
  });

  it('writes an empty results array when there is nothing to report', () => {
    expect(parse(renderSarif(emptyResult(), {})).runs[0].results).toEqual([]);
  });
});
