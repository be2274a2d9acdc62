import type * as Sarif from 'sarif';
import type {
  BaselineEntry,
  Finding,
  Fix,
  Location,
  Notification,
  Region,
  RelatedLocation,
  RuleDescriptor,
  ScanResult,
  TextEdit,
} from '../types.js';
import { compareStrings, sortFindings, sortNotifications } from './common.js';

export interface SarifOptions {
  /**
   * GitHub's analysis category, so several uploads for one commit (say, one per service) do not
   * replace each other. Written as `runs[0].automationDetails.id = "<category>/"`.
   */
  category?: string;
}

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';
/** GitHub truncates rule descriptions beyond this (docs: "SARIF support for code scanning"). */
const MAX_DESCRIPTION = 1024;
/** GitHub reads at most this many tags per rule. */
const MAX_TAGS = 20;

/**
 * Relative POSIX path to a relative URI reference. Each segment is percent-encoded on its own so
 * `/` stays a separator while a space, `#`, `%`, `?` or non-ASCII letter cannot end or corrupt the
 * URI (GitHub decodes it with `decodeURIComponent` before it looks for the file).
 */
export function pathToUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** `missing-session-regeneration` -> `MissingSessionRegeneration`. */
function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** SARIF messages treat `[text](id)` as a link, so literal brackets are escaped (SARIF §3.11.6). */
function escapeLinks(text: string): string {
  return text.replace(/\\(?=[[\]])/g, '\\\\').replace(/[[\]]/g, '\\$&');
}

/** GitHub uses the first sentence as the alert title, and SARIF2001 wants a final period. */
function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function region(r: Region): Sarif.Region {
  return { startLine: r.startLine, startColumn: r.startColumn, endLine: r.endLine, endColumn: r.endColumn };
}

/**
 * The primary location with the code it points at: `region.snippet` is exactly the region's text
 * and `contextRegion` the whole lines (SARIF2010/SARIF2011), so viewers without the checkout, and
 * reviewers of the raw file, still see the code. Left out when the snippet does not cover the region.
 */
function primaryLocation(finding: Finding): Sarif.PhysicalLocation {
  const physical = physicalLocation(finding.location);
  const { startLine, startColumn, endLine, endColumn } = finding.location.region;
  const lines = finding.snippet.split(/(?<=\r\n|\r(?!\n)|\n)/);
  const count = endLine - startLine + 1;
  if (finding.snippet === '' || lines.length < count) return physical;
  const first = lines[0];
  const last = lines[count - 1];
  const text =
    count === 1
      ? first.slice(startColumn - 1, endColumn - 1)
      : first.slice(startColumn - 1) + lines.slice(1, count - 1).join('') + last.slice(0, endColumn - 1);
  return {
    artifactLocation: physical.artifactLocation,
    region: { ...physical.region, snippet: { text } },
    contextRegion: {
      startLine,
      endLine: startLine + lines.length - 1,
      snippet: { text: finding.snippet },
    },
  };
}

function artifactLocation(path: string): Sarif.ArtifactLocation {
  return { uri: pathToUri(path), uriBaseId: SRCROOT };
}

function physicalLocation(location: Location): Sarif.PhysicalLocation {
  return { artifactLocation: artifactLocation(location.path), region: region(location.region) };
}

function cweTag(cwe: number): string {
  // CodeQL's spelling (three digits at least); GitHub maps these tags to CWE links.
  return `external/cwe/cwe-${String(cwe).padStart(3, '0')}`;
}

/**
 * GitHub requires `help.text` (GH2012) and shows `help.markdown` instead of it when present, so an
 * empty README must not become an empty help panel: fall back to title, description and docs link.
 */
function help(descriptor: RuleDescriptor): Sarif.MultiformatMessageString {
  const text =
    descriptor.helpText.trim() !== ''
      ? descriptor.helpText
      : [sentence(descriptor.title), descriptor.description, descriptor.docsUrl ? `See ${descriptor.docsUrl}` : '']
          .filter(Boolean)
          .join('\n\n');
  const markdown =
    descriptor.helpMarkdown.trim() !== ''
      ? descriptor.helpMarkdown
      : [
          `# ${descriptor.title}`,
          descriptor.description,
          descriptor.docsUrl ? `[Documentation](${descriptor.docsUrl})` : '',
        ]
          .filter(Boolean)
          .join('\n\n');
  return { text, markdown };
}

function rule(descriptor: RuleDescriptor): Sarif.ReportingDescriptor {
  const tags = [...new Set(['security', ...descriptor.cwe.map(cweTag), ...descriptor.tags])].slice(0, MAX_TAGS);
  return {
    id: descriptor.id,
    name: pascalCase(descriptor.id),
    shortDescription: { text: truncate(descriptor.title, MAX_DESCRIPTION) },
    fullDescription: { text: truncate(descriptor.description, MAX_DESCRIPTION) },
    defaultConfiguration: { level: descriptor.severity },
    helpUri: descriptor.docsUrl,
    help: help(descriptor),
    properties: {
      tags,
      precision: descriptor.precision,
      // GitHub only reads it as a string; one decimal like CodeQL ("8.1", "10.0").
      'security-severity': descriptor.securitySeverity.toFixed(1),
    },
  };
}

function message(finding: Finding): string {
  const text = sentence(escapeLinks(finding.message));
  if (finding.related.length === 0) return text;
  const links = finding.related.map((r, i) => `[${escapeLinks(r.message)}](${i + 1})`);
  return `${text} See ${links.join(', ')}.`;
}

function relatedLocation(related: RelatedLocation, index: number): Sarif.Location {
  return { id: index + 1, physicalLocation: physicalLocation(related), message: { text: related.message } };
}

function codeFlow(finding: Finding): Sarif.CodeFlow[] | undefined {
  if (!finding.flow || finding.flow.length === 0) return undefined;
  return [
    {
      threadFlows: [
        {
          locations: finding.flow.map((step) => ({
            location: { physicalLocation: physicalLocation(step), message: { text: step.message } },
          })),
        },
      ],
    },
  ];
}

function fix(f: Fix): Sarif.Fix {
  const byPath = new Map<string, TextEdit[]>();
  for (const edit of f.edits) {
    const list = byPath.get(edit.path) ?? [];
    list.push(edit);
    byPath.set(edit.path, list);
  }
  const artifactChanges = [...byPath.entries()]
    .sort((a, b) => compareStrings(a[0], b[0]))
    .map(
      ([path, edits]): Sarif.ArtifactChange => ({
        artifactLocation: artifactLocation(path),
        replacements: [...edits]
          .sort((a, b) => a.start - b.start || a.end - b.end)
          .map((edit) => ({ deletedRegion: region(edit.region), insertedContent: { text: edit.newText } })),
      }),
    );
  return {
    description: {
      text:
        f.safety === 'safe'
          ? sentence(f.description)
          : `${sentence(f.description)} Review this change before applying it.`,
    },
    artifactChanges,
    properties: { safety: f.safety },
  };
}

function result(finding: Finding, ruleIndex: Map<string, number>): Sarif.Result {
  const index = ruleIndex.get(finding.ruleId);
  const out: Sarif.Result = {
    ruleId: finding.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: finding.severity,
    message: { text: message(finding) },
    locations: [{ physicalLocation: primaryLocation(finding) }],
  };
  if (finding.lineHash) out.partialFingerprints = { primaryLocationLineHash: finding.lineHash };
  if (finding.related.length > 0) out.relatedLocations = finding.related.map(relatedLocation);
  const flows = codeFlow(finding);
  if (flows) out.codeFlows = flows;
  if (finding.fixes.length > 0) out.fixes = finding.fixes.map(fix);
  if (finding.suppression) {
    out.suppressions = [{ kind: finding.suppression.kind, justification: finding.suppression.justification }];
  }
  if (finding.testCode) out.properties = { tags: ['test'] };
  if (finding.baselineState) out.baselineState = finding.baselineState;
  return out;
}

/**
 * A baseline entry no longer found (fixed, or its code removed). It is a record, not an alert:
 * `kind: "pass"` with level `none`, and marked as suppressed because GitHub does not document
 * `kind`, and a suppressed result can only ever become a closed alert.
 */
function absentResult(entry: BaselineEntry, ruleIndex: Map<string, number>): Sarif.Result {
  const index = ruleIndex.get(entry.ruleId);
  return {
    ruleId: entry.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    kind: 'pass',
    level: 'none',
    message: { text: sentence(escapeLinks(entry.message || `${entry.ruleId} no longer found`)) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(entry.path),
          region: { startLine: Math.max(1, entry.line) },
        },
      },
    ],
    partialFingerprints: { primaryLocationLineHash: entry.lineHash },
    baselineState: 'absent',
    suppressions: [
      { kind: 'external', status: 'accepted', justification: 'No longer found: fixed since the baseline.' },
    ],
  };
}

function notification(n: Notification, ruleIndex: Map<string, number>): Sarif.Notification {
  const out: Sarif.Notification = {
    level: n.level,
    message: { text: sentence(n.message) },
    descriptor: { id: n.code },
  };
  if (n.path !== undefined) {
    out.locations = [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(n.path),
          ...(n.region ? { region: region(n.region) } : {}),
        },
      },
    ];
  }
  if (n.ruleId !== undefined) {
    const index = ruleIndex.get(n.ruleId);
    out.associatedRule = { id: n.ruleId, ...(index !== undefined ? { index } : {}) };
  }
  out.properties = { skipped: n.skipped };
  return out;
}

/**
 * Findings in test code that were left out are not results, so the run says how many there were:
 * a reader of the upload should know the report is of production code only, and how to see the rest.
 */
function testCodeLeftOut(count: number): Notification[] {
  if (count === 0) return [];
  return [
    {
      level: 'note',
      code: 'test-code-left-out',
      message: `${count} ${count === 1 ? 'finding' : 'findings'} in test code left out of this report; run with --include-tests (config "includeTests": true) to report them as notes tagged "test"`,
      skipped: false,
    },
  ];
}

/** The notification of `count` test-code findings left out, for a run merged from shards. */
export function testCodeNotification(count: number): Sarif.Notification[] {
  return testCodeLeftOut(count).map((n) => notification(n, new Map()));
}

/** The SARIF log as an object; `renderSarif` is this, serialised. */
export function toSarifLog(scan: ScanResult, options: SarifOptions = {}): Sarif.Log {
  const rules = [...scan.rules].sort((a, b) => compareStrings(a.id, b.id));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const notifications = sortNotifications([...scan.notifications, ...testCodeLeftOut(scan.stats.testFindingsLeftOut)]);
  const run: Sarif.Run = {
    tool: {
      driver: {
        name: scan.tool.name,
        semanticVersion: scan.tool.version,
        informationUri: scan.tool.informationUri,
        rules: rules.map(rule),
      },
    },
    invocations: [
      {
        executionSuccessful: !notifications.some((n) => n.level === 'error' && n.code === 'fatal'),
        toolExecutionNotifications: notifications.map((n) => notification(n, ruleIndex)),
      },
    ],
    ...(options.category ? { automationDetails: { id: options.category.replace(/\/*$/, '/') } } : {}),
    columnKind: 'utf16CodeUnits',
    results: [
      ...sortFindings([...scan.findings, ...(scan.baseline?.unchanged ?? [])]).map((f) => result(f, ruleIndex)),
      ...(scan.baseline?.absent ?? []).map((entry) => absentResult(entry, ruleIndex)),
    ],
  };
  return { $schema: SCHEMA, version: '2.1.0', runs: [run] };
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, every enabled rule, suppressed findings marked
 * rather than dropped. No timestamps or wall time, so the same scan always gives the same bytes.
 */
export function renderSarif(scan: ScanResult, options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarifLog(scan, options), null, 2)}\n`;
}
