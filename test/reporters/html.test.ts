import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY, escapeAttribute, escapeHtml, renderHtml } from '../../src/reporters/index.js';
import type { Finding, ScanResult } from '../../src/types.js';
import { resultOf } from '../cli/temp-project.js';
import { emptyResult, LOGIN_PATH, rules, SESSION_PATH, sampleResult } from './sample-result.js';

const HOSTILE = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>"\'&';
const ESCAPED = '&lt;script&gt;alert(document.cookie)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;';

function hostileFinding(more: Partial<Finding> = {}): Finding {
  const where = { path: 'src/a.ts', region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 } };
  return {
    ruleId: 'missing-session-regeneration',
    messageId: 'm',
    severity: 'error',
    message: `message ${HOSTILE}`,
    location: { path: `src/${HOSTILE}.ts`, region: { startLine: 4, startColumn: 11, endLine: 4, endColumn: 19 } },
    related: [{ ...where, message: `related ${HOSTILE}` }],
    flow: [{ ...where, message: `flow ${HOSTILE}` }],
    fixes: [
      {
        description: `fix ${HOSTILE}`,
        safety: 'safe',
        edits: [],
        diff: `--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-${HOSTILE}\n+ok\n`,
      },
    ],
    lineHash: 'h:1',
    snippet: `const a = ${HOSTILE}`,
    ...more,
  };
}

/** The `data-rule`s of the rule sections, and of the findings, in document order. */
const sectionRules = (html: string) =>
  [...html.matchAll(/<section class="rule" [^>]*data-rule="([^"]*)"/g)].map((m) => m[1]);
const findingHeaders = (html: string) =>
  [
    ...html.matchAll(
      /<article class="finding" id="([^"]+)" data-severity="(\w+)" data-rule="([^"]*)">.*?<a class="loc" [^>]*>([^<]*)<\/a>/g,
    ),
  ].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);

describe('renderHtml', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('escapes markup from scanned code everywhere it appears', () => {
    const html = renderHtml(resultOf([hostileFinding()], { rules }));
    // The report's own script is the only one; nothing from the scan became an element.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img/);
    expect(html).not.toContain('alert(document.cookie)</script>');
    for (const prefix of ['message ', 'related ', 'flow ', 'fix ', 'src/', '-']) {
      expect(html, prefix).toContain(`${escapeHtml(prefix)}${ESCAPED}`);
    }
    // The highlighted region of the code frame is escaped as well.
    expect(html).toContain(
      'const a = <mark class="error">&lt;script&gt;</mark>alert(document.cookie)&lt;/script&gt;&lt;img src=x',
    );
  });

  it('escapes rule ids, rule text and the tool name, and links only http(s) docs', () => {
    const evil = {
      ...rules[0],
      id: `x"><script>1</script>`,
      title: HOSTILE,
      description: HOSTILE,
      docsUrl: 'javascript:alert(1)',
    };
    const result = resultOf([hostileFinding({ ruleId: evil.id })], {
      rules: [evil],
      tool: { name: HOSTILE, version: '1', informationUri: 'javascript:alert(2)' },
      roots: [HOSTILE],
    });
    const html = renderHtml(result);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`data-rule="${escapeAttribute(evil.id)}"`);
    expect(html).toContain(`<option value="x&quot;&gt;&lt;script&gt;1&lt;/script&gt;">`);
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('Docs: javascript:alert(1)');
  });

  it('shows control characters and bidi overrides (Trojan Source) as visible escapes', () => {
    const html = renderHtml(
      resultOf([hostileFinding({ snippet: 'if (isAdmin\u202e) {\u2066', message: 'ESC \u001b[31m here' })]),
    );
    for (const c of ['\u202e', '\u2066', '\u001b']) expect(html).not.toContain(c);
    expect(html).toContain('<span class="ctl">\\u202e</span>');
    expect(html).toContain('<span class="ctl">\\x1b</span>');
    expect(escapeAttribute('a\u202eb')).toBe('a\\u202eb');
  });

  it('is one self-contained page: a CSP, inline CSS and script, nothing loaded from elsewhere', () => {
    const html = renderHtml(sampleResult());
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`);
    expect(CONTENT_SECURITY_POLICY).toBe("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
    expect(html).not.toMatch(/\ssrc=|<link|@import|url\(|<iframe|<object|<embed/i);
    // The only links are the rule docs and the tool's home page, followed only when clicked.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]).filter((h) => !h.startsWith('#'));
    expect(new Set(hrefs)).toEqual(
      new Set([
        'https://github.com/fixate-dev/fixate',
        ...rules.slice(0, 3).map((r) => r.docsUrl), // the rules with unsuppressed findings
      ]),
    );
    expect(html.endsWith('</html>\n')).toBe(true);
  });

  it('groups findings by rule (most severe first, then id) and by file, leaving suppressed ones out', () => {
    const html = renderHtml(sampleResult());
    expect(sectionRules(html)).toEqual([
      'client-chosen-session-id',
      'missing-session-regeneration',
      'logout-without-destroy',
    ]);
    expect(findingHeaders(html)).toEqual([
      `finding-3 error client-chosen-session-id ${escapeHtml(SESSION_PATH)}:9:12`,
      `finding-1 error missing-session-regeneration ${LOGIN_PATH}:10:3`,
      `finding-2 warning logout-without-destroy ${LOGIN_PATH}:15:3`,
    ]);
    expect(html).not.toContain('data-rule="insecure-session-cookie"');
    expect(html).toContain('<div class="file"><h4>src/legacy routes/#admin/sessión-ünïcode.ts</h4>');
    // Rule docs once per rule: title, why, facts, help, docs link.
    expect(html).toContain(
      'Session id is taken from the request <code class="rule-id">client-chosen-session-id</code>',
    );
    expect(html).toContain(`<p class="why">${escapeHtml(rules[1].description)}</p>`);
    expect(html).toContain('default severity error · precision very-high · CWE-384, CWE-340 · express-session');
    expect(html).toContain(
      '<details class="help"><summary>Rule documentation</summary><pre># Session id is taken from the request',
    );
    expect(html).toContain(`Docs: <a href="${rules[1].docsUrl}" rel="noopener noreferrer">`);
    // Filters: severity boxes with counts, a rule choice per group.
    expect(html).toContain('value="error" checked> <span class="badge error">error</span> <span class="n">2</span>');
    expect([...html.matchAll(/<option value="([^"]*)">/g)].map((m) => m[1])).toEqual([
      '',
      'client-chosen-session-id',
      'missing-session-regeneration',
      'logout-without-destroy',
    ]);
  });

  it('renders code frames, related locations, flows and fix diffs', () => {
    const html = renderHtml(sampleResult());
    expect(html).toContain(
      '<pre class="frame"><code><span class="ln">10</span>  <mark class="error">req.session.userId = user.id;</mark></code></pre>',
    );
    expect(html).toMatch(/<li><code class="loc">src\/auth\/login\.ts:7:\d+<\/code> the password check<\/li>/);
    expect(html).toMatch(
      /<ol><li><span class="verb">from<\/span> <code>req\.query\.sid<\/code> <code class="loc">line 8, column \d+<\/code><\/li><li><span class="verb">via<\/span> .*?<li><span class="verb">into<\/span> <code>genid<\/code> return value/,
    );
    expect(html).toContain(
      '<h5><span class="unsafe">Unsafe fix, review before applying</span></h5><p>Always generate the id on the server</p>',
    );
    expect(html).toContain('<span class="d-file">--- a/src/auth/login.ts</span>');
    expect(html).toContain('<span class="d-add">+  req.session.regenerate((err) =&gt; {</span>');
    expect(html).toContain('<span class="d-del">-  req.session.userId = user.id;</span>');
    expect(html).toMatch(/<span class="d-hunk">@@ -\d+,\d+ \+\d+,\d+ @@<\/span>/);
  });

  it('lists notifications and the summary', () => {
    const html = renderHtml(sampleResult());
    expect(html).toContain(
      '<strong>3 findings</strong>: <span class="sev-error">2 errors</span>, <span class="sev-warning">1 warning</span>, <span class="sev-note">0 notes</span>, 1 suppressed.',
    );
    expect(html).toContain(
      'Files: 3 files scanned, 2 skipped (1 binary, 1 parse-error), 2 pre-filtered, 7 discovered.',
    );
    expect(html).toContain('<td><code>rule-crashed</code></td><td><code class="loc">src/auth/login.ts</code></td>');
    expect(html).toContain('<code class="loc">src/broken.ts:3:14</code>');
    expect(html).not.toContain('parseFile'); // stacks are for --debug on the console
  });

  it('says so when there is nothing to show, without filters', () => {
    const html = renderHtml(emptyResult());
    expect(html).toContain('<p class="empty">No findings.</p>');
    expect(html).not.toContain('<form');
    expect(html).toContain('<title>fixate report: 0 findings</title>');
  });

  it('is deterministic: the same bytes whatever the clock, the wall time or the input order', () => {
    const result = sampleResult();
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2020-01-01T00:00:00Z'));
    const first = renderHtml(result);
    vi.setSystemTime(new Date('2031-06-15T12:34:56Z'));
    const shuffled: ScanResult = {
      ...result,
      durationMs: 98765,
      findings: [...result.findings].reverse(),
      notifications: [...result.notifications].reverse(),
      rules: [...result.rules].reverse(),
    };
    expect(renderHtml(shuffled)).toBe(first);
    expect(first).not.toMatch(/20(20|31)|1234|98765/);
  });
});
