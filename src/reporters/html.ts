/**
 * `--format html`: one self-contained page for a one-off audit. Findings are grouped by rule, then
 * by file, each with its code frame, data flow, related locations and fix diffs; each rule shows its
 * documentation. Severity and rule filters are a few lines of inline script.
 *
 * The page makes no request of its own: CSS and script are inline, there are no images or web
 * fonts, and a Content-Security-Policy meta tag (`default-src 'none'`) refuses anything else, so
 * opening a report cannot tell anyone it was opened. Every string that comes from the scan (paths,
 * messages, snippets, diffs, rule text) is HTML-escaped, and control characters and bidi overrides
 * (Trojan Source) are shown as visible escapes, as in the text report: scanned code is
 * attacker-controlled text. Output is deterministic (no timestamps, sorted findings).
 *
 * Filter state lives in the URL fragment (`#severity=error,warning&rule=<id>`), so a filtered view
 * can be linked to and reloads as it was left.
 */
import {
  SEVERITY_RANK,
  type Finding,
  type Fix,
  type FlowStep,
  type Location,
  type Notification,
  type RuleDescriptor,
  type ScanResult,
  type Severity,
} from '../types.js';
import {
  compareStrings,
  SEVERITIES,
  skippedByCode,
  sortFindings,
  sortNotifications,
  UNSAFE_CHARS,
  unsafeCharEscape,
} from './common.js';
import { frameWindow, MAX_FRAME_LINES } from './text.js';

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = new RegExp(`[&<>"']|${UNSAFE_CHARS.source}`, 'g');

/** Text content: markup characters escaped, unsafe characters shown as a marked escape. */
export function escapeHtml(text: string): string {
  return text.replace(SPECIAL, (c) => ENTITIES[c] ?? `<span class="ctl">${unsafeCharEscape(c)}</span>`);
}

/** An attribute value (always written double-quoted): no markup, so unsafe characters become plain escapes. */
export function escapeAttribute(text: string): string {
  return text.replace(SPECIAL, (c) => ENTITIES[c] ?? unsafeCharEscape(c));
}

/**
 * Prose from a rule (a message, description, flow step or fix): line breaks kept, and code the rules
 * quote in backticks shown as code. The backtick spans are found after escaping, so they hold no markup.
 */
function prose(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => escapeHtml(line).replace(/`([^`]+)`/g, '<code>$1</code>'))
    .join('<br>');
}

/** Only web links become `href`s; anything else (a `javascript:` URL) is shown as text. */
function link(url: string, label: string): string {
  if (!/^https?:\/\//i.test(url)) return escapeHtml(label);
  return `<a href="${escapeAttribute(url)}" rel="noopener noreferrer">${escapeHtml(label)}</a>`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function position(location: Location): string {
  return `${location.path}:${location.region.startLine}:${location.region.startColumn}`;
}

function badge(severity: Severity): string {
  return `<span class="badge ${severity}">${severity}</span>`;
}

interface RuleGroup {
  id: string;
  rule: RuleDescriptor | undefined;
  /** Sorted by path, line, column. */
  findings: Finding[];
  /** The most severe of its findings. */
  severity: Severity;
}

/** One group per rule with findings: most severe first, then by rule id. */
function groupByRule(findings: Finding[], rules: RuleDescriptor[]): RuleGroup[] {
  const descriptors = new Map(rules.map((rule) => [rule.id, rule]));
  const groups = new Map<string, RuleGroup>();
  for (const finding of findings) {
    let group = groups.get(finding.ruleId);
    if (!group) {
      group = { id: finding.ruleId, rule: descriptors.get(finding.ruleId), findings: [], severity: finding.severity };
      groups.set(finding.ruleId, group);
    }
    group.findings.push(finding);
    if (SEVERITY_RANK[finding.severity] > SEVERITY_RANK[group.severity]) group.severity = finding.severity;
  }
  return [...groups.values()].sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || compareStrings(a.id, b.id),
  );
}

/** Findings of one group by file, in path order (the findings are already sorted). */
function byFile(findings: Finding[]): [string, Finding[]][] {
  const files = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = files.get(finding.location.path) ?? [];
    list.push(finding);
    files.set(finding.location.path, list);
  }
  return [...files.entries()];
}

/** The snippet's lines, numbered from `startLine`, with the region marked on each (as the text frame's carets). */
function codeFrame(finding: Finding): string {
  if (finding.snippet === '') return '';
  const { startLine, startColumn, endLine, endColumn } = finding.location.region;
  const lines = finding.snippet.split(/\r\n|\r|\n/).slice(0, MAX_FRAME_LINES);
  const rows = lines.map((raw, i) => {
    const lineNo = startLine + i;
    const inRegion = lineNo <= endLine;
    const from = !inRegion ? 0 : lineNo === startLine ? startColumn - 1 : raw.length - raw.trimStart().length;
    const to = !inRegion ? 0 : lineNo === endLine ? Math.max(endColumn - 1, from) : raw.length;
    const { start, end } = frameWindow(raw, from, to);
    const before = start > 0 ? '…' : '';
    const after = end < raw.length ? '…' : '';
    const markFrom = Math.min(Math.max(start, from), end);
    const markTo = Math.max(markFrom, Math.min(to, end));
    const code = inRegion
      ? `${escapeHtml(raw.slice(start, markFrom))}<mark class="${finding.severity}">${escapeHtml(raw.slice(markFrom, markTo))}</mark>${escapeHtml(raw.slice(markTo, end))}`
      : escapeHtml(raw.slice(start, end));
    return `<span class="ln">${lineNo}</span>${before}${code}${after}`;
  });
  const hidden = endLine - (startLine + lines.length - 1);
  if (hidden > 0) rows.push(`<span class="ln"></span><span class="more">… ${plural(hidden, 'more line')}</span>`);
  return `<pre class="frame"><code>${rows.join('\n')}</code></pre>`;
}

function related(finding: Finding): string {
  if (finding.related.length === 0) return '';
  const items = finding.related.map(
    (r) => `<li><code class="loc">${escapeHtml(position(r))}</code> ${prose(r.message)}</li>`,
  );
  return `<div class="related"><h5>Related</h5><ul>${items.join('')}</ul></div>`;
}

function flow(primaryPath: string, steps: FlowStep[] | undefined): string {
  if (!steps || steps.length === 0) return '';
  const items = steps.map((step, i) => {
    const verb = i === 0 ? 'from' : i === steps.length - 1 ? 'into' : 'via';
    const where =
      step.path === primaryPath ? `line ${step.region.startLine}, column ${step.region.startColumn}` : position(step);
    return `<li><span class="verb">${verb}</span> ${prose(step.message)} <code class="loc">${escapeHtml(where)}</code></li>`;
  });
  return `<div class="flow"><h5>Data flow</h5><ol>${items.join('')}</ol></div>`;
}

function diffLine(text: string): string {
  const shown = escapeHtml(text.replace(/\r$/, ''));
  if (text.startsWith('+++') || text.startsWith('---')) return `<span class="d-file">${shown}</span>`;
  if (text.startsWith('+')) return `<span class="d-add">${shown}</span>`;
  if (text.startsWith('-')) return `<span class="d-del">${shown}</span>`;
  if (text.startsWith('@@')) return `<span class="d-hunk">${shown}</span>`;
  return shown;
}

function fix(f: Fix): string {
  const safety =
    f.safety === 'safe'
      ? '<span class="safe">Safe fix</span>'
      : '<span class="unsafe">Unsafe fix, review before applying</span>';
  const diff =
    f.diff === ''
      ? ''
      : `<pre class="diff"><code>${f.diff.replace(/\n$/, '').split('\n').map(diffLine).join('\n')}</code></pre>`;
  return `<div class="fix"><h5>${safety}</h5><p>${prose(f.description)}</p>${diff}</div>`;
}

function finding(f: Finding, id: string): string {
  const tags = [
    f.testCode ? '<span class="tag">test code</span>' : '',
    f.baselineState === 'new' ? '<span class="tag">new</span>' : '',
  ].join('');
  return [
    `<article class="finding" id="${id}" data-severity="${f.severity}" data-rule="${escapeAttribute(f.ruleId)}">`,
    `<header>${badge(f.severity)} <a class="loc" href="#${id}">${escapeHtml(position(f.location))}</a>${tags}</header>`,
    `<p class="message">${prose(f.message)}</p>`,
    codeFrame(f),
    related(f),
    flow(f.location.path, f.flow),
    f.fixes.map(fix).join(''),
    '</article>',
  ].join('');
}

function ruleDocs(group: RuleGroup): string {
  const { rule, id } = group;
  const explain = `<p class="explain">Run <code>fixate explain ${escapeHtml(id)}</code> for the full text.</p>`;
  if (!rule) return explain;
  const facts = [
    `default severity ${rule.severity}`,
    `precision ${rule.precision}`,
    ...(rule.cwe.length > 0 ? [rule.cwe.map((n) => `CWE-${n}`).join(', ')] : []),
    ...(rule.frameworks.length > 0 ? [rule.frameworks.join(', ')] : []),
  ];
  const help = rule.helpMarkdown.trim();
  return [
    `<p class="why">${prose(rule.description)}</p>`,
    `<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>`,
    help ? `<details class="help"><summary>Rule documentation</summary><pre>${escapeHtml(help)}</pre></details>` : '',
    rule.docsUrl ? `<p class="docs">Docs: ${link(rule.docsUrl, rule.docsUrl)}</p>` : '',
    explain,
  ].join('');
}

function ruleSection(group: RuleGroup, index: number, ids: Map<Finding, string>): string {
  const title = group.rule?.title ?? group.id;
  const files = byFile(group.findings).map(
    ([path, findings]) =>
      `<div class="file"><h4>${escapeHtml(path)}</h4>${findings.map((f) => finding(f, ids.get(f) ?? '')).join('')}</div>`,
  );
  return [
    `<section class="rule" id="rule-${index + 1}" data-rule="${escapeAttribute(group.id)}">`,
    `<h3>${badge(group.severity)} ${escapeHtml(title)} <code class="rule-id">${escapeHtml(group.id)}</code>`,
    ` <span class="count">${plural(group.findings.length, 'finding')}</span></h3>`,
    `<div class="docs-block">${ruleDocs(group)}</div>`,
    files.join(''),
    '</section>',
  ].join('');
}

function filters(findings: Finding[], groups: RuleGroup[]): string {
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  const severities = SEVERITIES.map(
    (s) =>
      `<label class="sev-filter"><input type="checkbox" name="severity" value="${s}" checked> ${badge(s)} <span class="n">${counts[s]}</span></label>`,
  );
  const options = groups.map(
    (g) => `<option value="${escapeAttribute(g.id)}">${escapeHtml(g.id)} (${g.findings.length})</option>`,
  );
  return [
    '<form id="filters" class="filters" autocomplete="off">',
    `<fieldset><legend>Severity</legend>${severities.join('')}</fieldset>`,
    `<label class="rule-filter">Rule <select id="rule-filter" name="rule"><option value="">all rules</option>${options.join('')}</select></label>`,
    '<button type="button" id="reset-filters">Show all</button>',
    `<output id="shown-count" aria-live="polite">${plural(findings.length, 'finding')}</output>`,
    '</form>',
  ].join('');
}

function ruleIndex(groups: RuleGroup[]): string {
  const rows = groups.map(
    (g, i) =>
      `<tr data-rule="${escapeAttribute(g.id)}"><td>${badge(g.severity)}</td><td><a href="#rule-${i + 1}">${escapeHtml(g.rule?.title ?? g.id)}</a></td><td><code>${escapeHtml(g.id)}</code></td><td class="num">${g.findings.length}</td></tr>`,
  );
  return `<table class="index"><thead><tr><th>severity</th><th>rule</th><th>id</th><th class="num">findings</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function summary(result: ScanResult, shown: number): string {
  const { stats } = result;
  const total = SEVERITIES.reduce((sum, s) => sum + stats.bySeverity[s], 0);
  const lines: string[] = [];
  const suppressed = stats.suppressed > 0 ? `, ${stats.suppressed} suppressed` : '';
  if (total === 0 && shown === 0) lines.push(`No findings${suppressed}.`);
  else {
    const parts = SEVERITIES.map((s) => `<span class="sev-${s}">${plural(stats.bySeverity[s], s)}</span>`);
    lines.push(`<strong>${plural(total, 'finding')}</strong>: ${parts.join(', ')}${suppressed}.`);
  }
  const baseline = result.baseline;
  if (baseline) {
    const fixed = baseline.absent.length;
    lines.push(
      `Baseline <code>${escapeHtml(baseline.file)}</code>: ${plural(baseline.unchanged.length, 'known finding')} left out` +
        (fixed > 0 ? `, ${fixed} no longer found.` : '.'),
    );
  }
  if (stats.testFindingsLeftOut > 0) {
    lines.push(
      `Test code: ${plural(stats.testFindingsLeftOut, 'finding')} left out (<code>--include-tests</code> reports them as notes).`,
    );
  }
  const reasons = skippedByCode(result.notifications)
    .map(([code, count]) => `${count} ${escapeHtml(code)}`)
    .join(', ');
  lines.push(
    `Files: ${plural(stats.filesScanned, 'file')} scanned, ${stats.filesSkipped} skipped${reasons ? ` (${reasons})` : ''}, ` +
      `${stats.filesPrefiltered} pre-filtered, ${stats.filesDiscovered} discovered.`,
  );
  return lines.map((line) => `<p>${line}</p>`).join('');
}

function notifications(list: Notification[]): string {
  if (list.length === 0) return '';
  const rows = sortNotifications(list).map((n) => {
    const where = n.path === undefined ? '' : n.region ? position({ path: n.path, region: n.region }) : n.path;
    return [
      '<tr>',
      `<td>${badge(n.level)}</td>`,
      `<td><code>${escapeHtml(n.code)}</code></td>`,
      `<td><code class="loc">${escapeHtml(where)}</code></td>`,
      `<td>${n.ruleId ? `<code>${escapeHtml(n.ruleId)}</code>` : ''}</td>`,
      `<td>${prose(n.message)}${n.skipped ? ' <span class="tag">file skipped</span>' : ''}</td>`,
      '</tr>',
    ].join('');
  });
  return `<section class="notifications"><h2>Notifications</h2><table><thead><tr><th>level</th><th>code</th><th>where</th><th>rule</th><th>message</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--panel:#f6f8fa;--code:#f6f8fa;
--error:#cf222e;--warning:#9a6700;--note:#0969da;--mark-error:#ffebe9;--mark-warning:#fff8c5;--mark-note:#ddf4ff;
--add:#dafbe1;--del:#ffebe9;--hunk:#0969da;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--border:#3d444d;--panel:#151b23;--code:#151b23;
--error:#ff7b72;--warning:#d29922;--note:#58a6ff;--mark-error:#5d1a1a;--mark-warning:#4b3a08;--mark-note:#0c2d6b;
--add:#12361f;--del:#4a1518;--hunk:#79c0ff;--link:#4493f8}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 24px 64px}
a{color:var(--link)}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:16px;margin:0 0 8px;display:flex;flex-wrap:wrap;align-items:center;gap:8px}
h4{font-size:13px;margin:16px 0 8px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600;overflow-wrap:anywhere}
h5{font-size:12px;margin:10px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.subtitle{color:var(--muted);margin:0 0 16px}
.summary p{margin:2px 0}
.sev-error{color:var(--error)}.sev-warning{color:var(--warning)}.sev-note{color:var(--note)}
.badge{display:inline-block;min-width:58px;text-align:center;border-radius:10px;padding:0 8px;font-size:11px;font-weight:600;line-height:18px;color:#fff;text-transform:uppercase;letter-spacing:.03em}
.badge.error{background:var(--error)}.badge.warning{background:var(--warning)}.badge.note{background:var(--note)}
@media (prefers-color-scheme:dark){.badge{color:#0d1117}}
.filters{position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;align-items:center;gap:16px;margin:16px 0;padding:10px 14px;background:var(--panel);border:1px solid var(--border);border-radius:8px}
.filters fieldset{border:0;margin:0;padding:0;display:flex;gap:12px;align-items:center}
.filters legend{float:left;margin-right:8px;font-weight:600}
.sev-filter{display:inline-flex;align-items:center;gap:4px;cursor:pointer}
.sev-filter .n{color:var(--muted)}
.rule-filter{font-weight:600}
.rule-filter select{margin-left:6px;font:inherit;font-weight:400;max-width:360px}
#shown-count{margin-left:auto;color:var(--muted)}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--border);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600}
.num{text-align:right}
.rule,.finding{scroll-margin-top:72px}
.rule{margin:24px 0;padding:16px;border:1px solid var(--border);border-radius:8px}
.rule-id{color:var(--muted);font-weight:400}
.count{color:var(--muted);font-weight:400;font-size:13px}
.docs-block{padding:8px 12px;background:var(--panel);border-radius:6px}
.docs-block p{margin:4px 0}
.facts,.explain{color:var(--muted);font-size:12.5px}
.help summary{cursor:pointer;color:var(--link)}
.help pre{white-space:pre-wrap;overflow-wrap:anywhere;max-height:420px;overflow:auto;background:var(--bg);border:1px solid var(--border);border-radius:6px;padding:8px 12px}
.finding{margin:8px 0 16px;padding:10px 12px;border-left:4px solid var(--border);background:var(--bg)}
.finding[data-severity=error]{border-left-color:var(--error)}
.finding[data-severity=warning]{border-left-color:var(--warning)}
.finding[data-severity=note]{border-left-color:var(--note)}
.finding header{display:flex;align-items:center;gap:8px}
.finding .loc{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
.finding .message{margin:6px 0;font-weight:600}
.tag{font-size:11px;border:1px solid var(--border);border-radius:10px;padding:0 6px;color:var(--muted)}
pre{margin:6px 0;padding:8px 0;background:var(--code);border:1px solid var(--border);border-radius:6px;overflow-x:auto;tab-size:4}
pre code{display:block;min-width:max-content;padding:0 12px}
.frame .ln{display:inline-block;min-width:3ch;margin-right:12px;text-align:right;color:var(--muted);user-select:none}
mark{color:inherit;border-radius:2px;padding:1px 0}
mark.error{background:var(--mark-error);box-shadow:inset 0 -2px var(--error)}
mark.warning{background:var(--mark-warning);box-shadow:inset 0 -2px var(--warning)}
mark.note{background:var(--mark-note);box-shadow:inset 0 -2px var(--note)}
.more{color:var(--muted)}
.ctl{color:var(--error);border:1px dotted var(--error);border-radius:2px;font-size:.9em}
.related ul,.flow ol{margin:2px 0;padding-left:22px}
.flow .verb{display:inline-block;min-width:34px;color:var(--muted);font-size:12px}
.safe{color:#1a7f37}.unsafe{color:var(--warning)}
@media (prefers-color-scheme:dark){.safe{color:#3fb950}}
.fix p{margin:2px 0}
.diff .d-add{display:inline-block;min-width:100%;background:var(--add)}
.diff .d-del{display:inline-block;min-width:100%;background:var(--del)}
.diff .d-hunk{color:var(--hunk)}
.diff .d-file{font-weight:600}
.empty{padding:24px;text-align:center;color:var(--muted);border:1px dashed var(--border);border-radius:8px}
footer{margin-top:40px;color:var(--muted);font-size:12px}
`;

/**
 * Filters: a finding is shown when its severity is ticked and it matches the chosen rule; a file or
 * rule section with nothing shown is hidden. The state is mirrored into the URL fragment.
 */
const SCRIPT = `
(function () {
  'use strict';
  var form = document.getElementById('filters');
  if (!form) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="severity"]'));
  var select = document.getElementById('rule-filter');
  var output = document.getElementById('shown-count');
  var findings = Array.prototype.slice.call(document.querySelectorAll('article.finding'));
  var containers = Array.prototype.slice.call(document.querySelectorAll('div.file, section.rule'));
  var indexRows = Array.prototype.slice.call(document.querySelectorAll('table.index tbody tr'));
  var empty = document.getElementById('none-shown');

  function apply(writeHash) {
    var severities = {};
    boxes.forEach(function (box) { severities[box.value] = box.checked; });
    var rule = select.value;
    var shown = 0;
    var rulesShown = {};
    findings.forEach(function (f) {
      var visible = severities[f.dataset.severity] === true && (rule === '' || f.dataset.rule === rule);
      f.hidden = !visible;
      if (visible) { shown++; rulesShown[f.dataset.rule] = true; }
    });
    containers.forEach(function (c) { c.hidden = c.querySelector('article.finding:not([hidden])') === null; });
    indexRows.forEach(function (row) { row.hidden = rulesShown[row.dataset.rule] !== true; });
    if (empty) empty.hidden = shown > 0;
    output.value = shown === findings.length
      ? findings.length + (findings.length === 1 ? ' finding' : ' findings')
      : shown + ' of ' + findings.length + ' findings shown';
    document.documentElement.dataset.shown = String(shown);
    if (writeHash) {
      var params = [];
      var ticked = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      if (ticked.length !== boxes.length) params.push('severity=' + ticked.join(','));
      if (rule !== '') params.push('rule=' + encodeURIComponent(rule));
      try { history.replaceState(null, '', params.length ? '#' + params.join('&') : location.pathname + location.search); } catch (e) { /* a sandboxed viewer */ }
    }
  }

  function readHash() {
    var hash = location.hash.replace(/^#/, '');
    if (hash.indexOf('=') < 0) return false;
    hash.split('&').forEach(function (pair) {
      var eq = pair.indexOf('=');
      var key = pair.slice(0, eq);
      var value = '';
      try { value = decodeURIComponent(pair.slice(eq + 1)); } catch (e) { /* a hand-edited fragment with a stray % */ }
      if (key === 'severity') {
        var wanted = value.split(',');
        boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
      } else if (key === 'rule') {
        var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
        select.value = known ? value : '';
      }
    });
    return true;
  }

  form.addEventListener('change', function () { apply(true); });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  document.getElementById('reset-filters').addEventListener('click', function () {
    boxes.forEach(function (box) { box.checked = true; });
    select.value = '';
    apply(true);
  });
  window.addEventListener('hashchange', function () { if (readHash()) apply(false); });
  readHash();
  apply(false);
})();
`;

/** The HTML report: one page, no external resources, findings grouped by rule then file. */
export function renderHtml(result: ScanResult): string {
  const visible = sortFindings(result.findings.filter((f) => !f.suppression));
  const groups = groupByRule(visible, result.rules);
  const ids = new Map<Finding, string>();
  for (const [i, f] of visible.entries()) ids.set(f, `finding-${i + 1}`);
  const { tool } = result;
  const roots = result.roots.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ');
  const body =
    visible.length === 0
      ? '<p class="empty">No findings.</p>'
      : [
          filters(visible, groups),
          '<h2>Rules</h2>',
          ruleIndex(groups),
          '<h2>Findings</h2>',
          '<p class="empty" id="none-shown" hidden>No finding matches the filters.</p>',
          groups.map((g, i) => ruleSection(g, i, ids)).join('\n'),
        ].join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>fixate report: ${plural(visible.length, 'finding')}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    '<h1>fixate report</h1>',
    `<p class="subtitle">${escapeHtml(tool.name)} ${escapeHtml(tool.version)} · scanned ${roots}</p>`,
    `<div class="summary">${summary(result, visible.length)}</div>`,
    '</header>',
    body,
    notifications(result.notifications),
    `<footer>Generated by ${link(tool.informationUri, `${tool.name} ${tool.version}`)}. Run <code>fixate explain &lt;rule-id&gt;</code> for a rule's full documentation.</footer>`,
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
