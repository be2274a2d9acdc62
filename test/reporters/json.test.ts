import { describe, expect, it } from 'vitest';
import { compareFindings } from '../../src/reporters/common.js';
import { renderJson } from '../../src/reporters/index.js';
import { emptyResult, sampleResult } from './sample-result.js';

describe('renderJson', () => {
  it('has the documented top-level shape, in order, without wall time', () => {
    const text = renderJson(sampleResult());
    const report = JSON.parse(text);
    expect(Object.keys(report)).toEqual(['version', 'tool', 'findings', 'notifications', 'stats']);
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({
      name: 'fixate',
      version: '0.1.0',
      informationUri: 'https://github.com/fixate-dev/fixate',
    });
    expect(text).not.toContain('durationMs');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "version": 1,');
  });

  it('round-trips findings, notifications and stats', () => {
    const scan = sampleResult();
    const report = JSON.parse(renderJson(scan));
    expect(report.findings).toEqual([...scan.findings].sort(compareFindings));
    expect(report.stats).toEqual(scan.stats);
    expect(report.notifications).toHaveLength(3);
    expect(report.notifications).toEqual(expect.arrayContaining(scan.notifications));
    expect(report.findings.find((f: { suppression?: unknown }) => f.suppression)?.ruleId).toBe(
      'insecure-session-cookie',
    );
  });

  it('writes keys in a fixed order whatever order the engine built objects in', () => {
    const scan = sampleResult();
    const [first] = scan.findings;
    // Same data, keys inserted in reverse.
    scan.findings[0] = Object.fromEntries(Object.entries(first).reverse()) as typeof first;
    scan.stats = Object.fromEntries(Object.entries(scan.stats).reverse()) as typeof scan.stats;
    expect(renderJson(scan)).toBe(renderJson(sampleResult()));
    const finding = JSON.parse(renderJson(scan)).findings[0];
    expect(Object.keys(finding)).toEqual([
      'ruleId',
      'messageId',
      'severity',
      'message',
      'location',
      'related',
      'fixes',
      'lineHash',
      'snippet',
    ]);
    expect(Object.keys(finding.location.region)).toEqual(['startLine', 'startColumn', 'endLine', 'endColumn']);
  });

  it('is deterministic regardless of input order and wall time', () => {
    const other = sampleResult();
    other.durationMs = 42;
    other.findings.reverse();
    other.notifications.reverse();
    expect(renderJson(other)).toBe(renderJson(sampleResult()));
  });

  it('renders an empty scan', () => {
    const report = JSON.parse(renderJson(emptyResult()));
    expect(report.findings).toEqual([]);
    expect(report.notifications).toEqual([]);
    expect(report.stats.filesScanned).toBe(3);
  });
});
