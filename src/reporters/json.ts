/**
 * The JSON report. This shape is a public interface: scripts parse it, so fields are only ever
 * added (as optional), and `version` changes on any breaking change.
 *
 * {
 *   "version": 1,
 *   "tool": { "name": string, "version": string, "informationUri": string },
 *   "findings": [                                   // sorted by path, line, column, rule id
 *     {
 *       "ruleId": string,                           // e.g. "missing-session-regeneration"
 *       "messageId": string,                        // stable id of the message template
 *       "severity": "error" | "warning" | "note",
 *       "message": string,
 *       "location": Location,
 *       "related": [ Location & { "message": string } ],
 *       "flow"?: [ Location & { "message": string } ],   // source first, sink last; absent if none
 *       "fixes": [
 *         {
 *           "description": string,
 *           "safety": "safe" | "unsafe",
 *           "edits": [ { "path": string, "start": number, "end": number, "newText": string, "region": Region } ],
 *           "diff": string                          // unified diff, "" if none
 *         }
 *       ],
 *       "suppression"?: { "kind": "inSource", "justification": string },  // present = suppressed
 *       "testCode"?: true,                          // in test code, reported because of --include-tests
 *       "baselineState"?: "new",                    // with --baseline: only new findings are listed
 *       "lineHash": string,                         // GitHub primaryLocationLineHash of the primary line
 *       "snippet": string                           // source text of the primary line(s)
 *     }
 *   ],
 *   "notifications": [                              // sorted by path (pathless first), line, code
 *     {
 *       "level": "error" | "warning" | "note",
 *       "code": string,                             // e.g. "parse-error", "binary", "too-large"
 *       "message": string,
 *       "path"?: string, "region"?: Region,
 *       "skipped": boolean,                         // the file was left out of (part of) the analysis
 *       "ruleId"?: string,
 *       "detail"?: string                           // internal stack, for bug reports
 *     }
 *   ],
 *   "stats": {
 *     "filesDiscovered": number, "filesScanned": number, "filesSkipped": number,
 *     "filesPrefiltered": number, "suppressed": number,
 *     "testFindingsLeftOut": number,                // findings in test code left out (see --include-tests)
 *     "bySeverity": { "error": number, "warning": number, "note": number }   // unsuppressed findings
 *   },
 *   "baseline"?: {                                  // with --baseline
 *     "file": string,                               // as given, relative to the working directory
 *     "unchanged": number,                          // known findings left out of "findings"
 *     "absent": number                              // baseline entries no longer found
 *   }
 * }
 *
 * Location = { "path": string, "region": Region }, where path is POSIX and relative to the source root.
 * Region = { "startLine", "startColumn", "endLine", "endColumn" }: 1-based, UTF-16 columns, endColumn
 * is the column after the last character. `start`/`end` of an edit are 0-based UTF-16 offsets.
 *
 * Keys appear in exactly this order, indented by 2 spaces, with a trailing newline. Wall time is
 * left out so the same scan always gives the same bytes.
 */
import type {
  Finding,
  Fix,
  FlowStep,
  Location,
  Notification,
  Region,
  RelatedLocation,
  ScanResult,
  ScanStats,
  TextEdit,
} from '../types.js';
import { sortFindings, sortNotifications } from './common.js';

/** Rebuilt field by field so key order is ours, not whatever order the engine built objects in. */
const region = (r: Region): Region => ({
  startLine: r.startLine,
  startColumn: r.startColumn,
  endLine: r.endLine,
  endColumn: r.endColumn,
});

const location = (l: Location): Location => ({ path: l.path, region: region(l.region) });

const withMessage = (l: RelatedLocation | FlowStep): RelatedLocation => ({ ...location(l), message: l.message });

const edit = (e: TextEdit): TextEdit => ({
  path: e.path,
  start: e.start,
  end: e.end,
  newText: e.newText,
  region: region(e.region),
});

const fix = (f: Fix): Fix => ({ description: f.description, safety: f.safety, edits: f.edits.map(edit), diff: f.diff });

function finding(f: Finding): Finding {
  return {
    ruleId: f.ruleId,
    messageId: f.messageId,
    severity: f.severity,
    message: f.message,
    location: location(f.location),
    related: f.related.map(withMessage),
    ...(f.flow ? { flow: f.flow.map(withMessage) } : {}),
    fixes: f.fixes.map(fix),
    ...(f.suppression ? { suppression: { kind: f.suppression.kind, justification: f.suppression.justification } } : {}),
    ...(f.testCode ? { testCode: true } : {}),
    ...(f.baselineState ? { baselineState: f.baselineState } : {}),
    lineHash: f.lineHash,
    snippet: f.snippet,
  };
}

function notification(n: Notification): Notification {
  return {
    level: n.level,
    code: n.code,
    message: n.message,
    ...(n.path !== undefined ? { path: n.path } : {}),
    ...(n.region ? { region: region(n.region) } : {}),
    skipped: n.skipped,
    ...(n.ruleId !== undefined ? { ruleId: n.ruleId } : {}),
    ...(n.detail !== undefined ? { detail: n.detail } : {}),
  };
}

const stats = (s: ScanStats): ScanStats => ({
  filesDiscovered: s.filesDiscovered,
  filesScanned: s.filesScanned,
  filesSkipped: s.filesSkipped,
  filesPrefiltered: s.filesPrefiltered,
  suppressed: s.suppressed,
  testFindingsLeftOut: s.testFindingsLeftOut,
  bySeverity: { error: s.bySeverity.error, warning: s.bySeverity.warning, note: s.bySeverity.note },
});

/** The shape documented at the top of this file. */
export interface JsonReport {
  version: 1;
  tool: ScanResult['tool'];
  findings: Finding[];
  notifications: Notification[];
  stats: ScanStats;
  baseline?: { file: string; unchanged: number; absent: number };
}

export function toJsonReport(result: ScanResult): JsonReport {
  return {
    version: 1,
    tool: { name: result.tool.name, version: result.tool.version, informationUri: result.tool.informationUri },
    findings: sortFindings(result.findings).map(finding),
    notifications: sortNotifications(result.notifications).map(notification),
    stats: stats(result.stats),
    ...(result.baseline
      ? {
          baseline: {
            file: result.baseline.file,
            unchanged: result.baseline.unchanged.length,
            absent: result.baseline.absent.length,
          },
        }
      : {}),
  };
}

export function renderJson(result: ScanResult): string {
  return `${JSON.stringify(toJsonReport(result), null, 2)}\n`;
}
