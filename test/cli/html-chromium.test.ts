/**
 * The HTML report in a real browser: the built binary writes the demo project's report, headless
 * Chromium opens it (DevTools protocol over a pipe, test/support/chromium.ts), and the test checks that
 * it loads without a console error, CSP violation or request of its own, and that the filters show
 * exactly the matching findings. Skipped only when no Chromium is installed (CI installs one).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/reporters/html.js';
import type { Finding } from '../../src/types.js';
import { Browser, findChromium, type Page } from '../support/chromium.js';
import { ensureBuilt, fixture, runBin } from './built.js';
import { resultOf } from './temp-project.js';

const chromium = findChromium();
if (!chromium)
  console.warn('html-chromium.test.ts skipped: no chromium on PATH (apt-get install chromium, or set CHROMIUM)');

interface Shown {
  ids: string[];
  severities: string[];
  rules: string[];
  sections: string[];
  count: string;
  hash: string;
}

/** What a reader sees now: the visible findings, their severities and rules, the visible rule sections. */
const SHOWN = `(() => {
  const visible = [...document.querySelectorAll('article.finding')].filter((el) => el.checkVisibility());
  return {
    ids: visible.map((el) => el.id),
    severities: [...new Set(visible.map((el) => el.dataset.severity))].sort(),
    rules: [...new Set(visible.map((el) => el.dataset.rule))].sort(),
    sections: [...document.querySelectorAll('section.rule')].filter((el) => el.checkVisibility()).map((el) => el.dataset.rule).sort(),
    count: document.getElementById('shown-count').value,
    hash: location.hash,
  };
})()`;

describe.skipIf(!chromium)('--format html in headless Chromium', () => {
  let dir: string;
  let report: string;
  let browser: Browser;
  let page: Page;
  /** Every finding of the demo report: id, severity, rule. */
  let all: { id: string; severity: string; rule: string }[];

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'fixate-html-'));
    report = path.join(dir, 'demo report.html');
    const run = runBin([fixture('demo'), '--format', 'html', '--output', report]);
    expect(run.code, run.stderr).toBe(1);
    browser = Browser.launch(chromium as string);
    page = await browser.newPage();
    await page.goto(pathToFileURL(report).href);
    all = await page.evaluate(
      `[...document.querySelectorAll('article.finding')].map((el) => ({ id: el.id, severity: el.dataset.severity, rule: el.dataset.rule }))`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const shown = () => page.evaluate<Shown>(SHOWN);
  const idsWhere = (keep: (f: { severity: string; rule: string }) => boolean) => all.filter(keep).map((f) => f.id);

  it('loads with no console error, CSP violation or request besides the page itself', async () => {
    expect(page.problems()).toEqual([]);
    expect(page.requests()).toEqual([pathToFileURL(report).href]);
    expect(await page.evaluate('document.title')).toBe('fixate report: 14 findings');
    expect(all).toHaveLength(14);
    const now = await shown();
    expect(now.ids).toEqual(all.map((f) => f.id));
    expect(now.count).toBe('14 findings');
    expect(now.severities).toEqual(['error', 'warning']);
  });

  it('shows only the ticked severities', async () => {
    await page.evaluate(`document.querySelector('input[name="severity"][value="warning"]').click()`);
    let now = await shown();
    expect(now.ids).toEqual(idsWhere((f) => f.severity !== 'warning'));
    expect(now.severities).toEqual(['error']);
    expect(now.count).toBe('6 of 14 findings shown');
    expect(now.hash).toBe('#severity=error,note');
    // Rule sections whose findings are all warnings disappear with them.
    expect(now.sections).toEqual([...new Set(all.filter((f) => f.severity === 'error').map((f) => f.rule))].sort());

    await page.evaluate(`document.querySelector('input[name="severity"][value="error"]').click()`);
    now = await shown();
    expect(now.ids).toEqual([]);
    expect(await page.evaluate(`document.getElementById('none-shown').checkVisibility()`)).toBe(true);
    await page.evaluate(`document.getElementById('reset-filters').click()`);
    now = await shown();
    expect(now.ids).toEqual(all.map((f) => f.id));
    expect(now.hash).toBe('');
  });

  it('shows only the chosen rule, combined with the severity filter', async () => {
    const choose = (rule: string) =>
      page.evaluate(`(() => {
        const select = document.getElementById('rule-filter');
        select.value = ${JSON.stringify(rule)};
        select.dispatchEvent(new Event('change', { bubbles: true }));
      })()`);
    await choose('dynamodb-session-missing-expiry');
    let now = await shown();
    expect(now.ids).toEqual(idsWhere((f) => f.rule === 'dynamodb-session-missing-expiry'));
    expect(now.ids).toHaveLength(3);
    expect(now.sections).toEqual(['dynamodb-session-missing-expiry']);
    expect(now.count).toBe('3 of 14 findings shown');
    expect(now.hash).toBe('#rule=dynamodb-session-missing-expiry');

    await page.evaluate(`document.querySelector('input[name="severity"][value="warning"]').click()`);
    now = await shown();
    expect(now.ids).toEqual([]);
    await page.evaluate(`document.getElementById('reset-filters').click()`);
    await choose('');
    expect((await shown()).ids).toHaveLength(14);
  });

  it('restores the filters from the URL fragment, on load and when it changes', async () => {
    const linked = await browser.newPage();
    await linked.goto(`${pathToFileURL(report).href}#severity=error&rule=missing-session-regeneration`);
    const now = await linked.evaluate<Shown>(SHOWN);
    expect(now.ids).toEqual(idsWhere((f) => f.severity === 'error' && f.rule === 'missing-session-regeneration'));
    expect(now.ids).toHaveLength(2);
    expect(
      await linked.evaluate(
        `[document.getElementById('rule-filter').value, ...[...document.querySelectorAll('input[name="severity"]')].map((b) => b.checked)]`,
      ),
    ).toEqual(['missing-session-regeneration', true, false, false]);
    expect(linked.problems()).toEqual([]);

    await page.evaluate(`new Promise((resolve) => {
      window.addEventListener('hashchange', () => setTimeout(resolve), { once: true });
      location.hash = '#severity=warning';
    })`);
    expect((await shown()).ids).toEqual(idsWhere((f) => f.severity === 'warning'));
    // A malformed fragment (a stray %) is ignored, not an uncaught error.
    await page.evaluate(`new Promise((resolve) => {
      window.addEventListener('hashchange', () => setTimeout(resolve), { once: true });
      location.hash = '#severity=warning&rule=%E0%A4%A';
    })`);
    expect((await shown()).ids).toEqual(idsWhere((f) => f.severity === 'warning'));
    // A plain anchor (the rule index links) leaves the filters alone.
    await page.evaluate(`new Promise((resolve) => {
      window.addEventListener('hashchange', () => setTimeout(resolve), { once: true });
      location.hash = '#rule-1';
    })`);
    expect((await shown()).ids).toEqual(idsWhere((f) => f.severity === 'warning'));
    await page.evaluate(`document.getElementById('reset-filters').click()`);
    expect(page.problems()).toEqual([]);
  });

  it('shows hostile scanned code as text: no script runs, no element is injected', async () => {
    const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
    const finding: Finding = {
      ruleId: 'missing-session-regeneration',
      messageId: 'm',
      severity: 'error',
      message: `quoted ${hostile}`,
      location: { path: `src/${hostile}.ts`, region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 9 } },
      related: [
        { path: 'src/a.ts', region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 }, message: hostile },
      ],
      flow: [
        { path: 'src/a.ts', region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 }, message: hostile },
      ],
      fixes: [
        { description: hostile, safety: 'safe', edits: [], diff: `--- a/x\n+++ b/x\n@@ -1 +1 @@\n-${hostile}\n+ok\n` },
      ],
      lineHash: 'h:1',
      snippet: `${hostile}</code></pre></article>\u202e`,
    };
    const file = path.join(dir, 'hostile.html');
    writeFileSync(file, renderHtml(resultOf([finding])));
    const hostilePage = await browser.newPage();
    await hostilePage.goto(pathToFileURL(file).href);
    expect(await hostilePage.evaluate('window.__pwned')).toBeUndefined();
    expect(await hostilePage.evaluate(`document.querySelectorAll('img, main script, iframe').length`)).toBe(0);
    expect(await hostilePage.evaluate(`document.querySelector('article.finding .message').textContent`)).toBe(
      `quoted ${hostile}`,
    );
    expect(await hostilePage.evaluate(`document.querySelector('pre.frame').textContent`)).toContain(
      `${hostile}</code></pre></article>\\u202e`,
    );
    expect(hostilePage.problems()).toEqual([]);
    expect(hostilePage.requests()).toEqual([pathToFileURL(file).href]);
  });
});
