/**
 * Plain data shared by the engine, rules and reporters. Nothing here holds a syntax node, so a
 * ScanResult can be serialised, compared byte for byte and rendered without the parser loaded.
 */

export type Severity = 'error' | 'warning' | 'note';

/** Severities in order: a higher rank is more severe. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 3, warning: 2, note: 1 };
export type FailOn = Severity | 'none';
export type Precision = 'very-high' | 'high' | 'medium' | 'low';

/** 1-based line and column; `endColumn` is the column after the last character (SARIF convention). */
export interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface Location {
  /** POSIX path relative to the scan's source root (the git top-level when inside a repo). */
  path: string;
  region: Region;
}

export interface RelatedLocation extends Location {
  message: string;
}

/** One step of a data flow, source first and sink last. */
export interface FlowStep extends Location {
  message: string;
}

export interface TextEdit {
  path: string;
  /** 0-based UTF-16 offsets into the file text as read (after BOM removal). */
  start: number;
  end: number;
  newText: string;
  /** The same span as a region, for SARIF `deletedRegion`. */
  region: Region;
}

export type FixSafety = 'safe' | 'unsafe';

export interface Fix {
  description: string;
  /** `unsafe` fixes change behaviour a reviewer must look at (for example a dependency upgrade). */
  safety: FixSafety;
  edits: TextEdit[];
  /** Unified diff of the edits, computed by the engine so reporters stay pure. */
  diff: string;
}

export interface Suppression {
  kind: 'inSource';
  justification: string;
}

export interface Finding {
  ruleId: string;
  messageId: string;
  severity: Severity;
  message: string;
  location: Location;
  related: RelatedLocation[];
  flow?: FlowStep[];
  fixes: Fix[];
  suppression?: Suppression;
  /** In test code, reported only because `includeTests` was set (and lowered to a note). */
  testCode?: boolean;
  /** Set when the scan was compared with a baseline (`--baseline`): new, or already in the baseline. */
  baselineState?: 'new' | 'unchanged';
  /** GitHub's `primaryLocationLineHash` for the primary line. */
  lineHash: string;
  /** The source line(s) of the primary location, for code frames. */
  snippet: string;
}

export type NotificationLevel = 'error' | 'warning' | 'note';

export interface Notification {
  level: NotificationLevel;
  /** Stable machine-readable reason, e.g. `parse-error`, `too-large`, `binary`, `rule-crashed`. */
  code: string;
  message: string;
  path?: string;
  region?: Region;
  /** The file was left out of (part of) the analysis because of this notification. */
  skipped: boolean;
  ruleId?: string;
  /** Stack of an internal error, only rendered under --debug. */
  detail?: string;
}

export interface RuleDescriptor {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  precision: Precision;
  securitySeverity: number;
  cwe: number[];
  tags: string[];
  frameworks: string[];
  /** The rule README (markdown), used for SARIF `help` and `fixate explain`. */
  helpMarkdown: string;
  helpText: string;
  docsUrl: string;
}

export interface ScanStats {
  filesDiscovered: number;
  filesScanned: number;
  filesSkipped: number;
  /** Files read but not parsed because nothing in them can matter to an enabled rule. */
  filesPrefiltered: number;
  suppressed: number;
  /** Findings in test code left out of the report (0 with `includeTests`, which reports them as notes). */
  testFindingsLeftOut: number;
  bySeverity: Record<Severity, number>;
}

/** One finding recorded in a baseline file, identified by rule, file and GitHub's line hash. */
export interface BaselineEntry {
  ruleId: string;
  path: string;
  /** `primaryLocationLineHash` of the primary line, as in SARIF. */
  lineHash: string;
  /** Hash of the finding's own code without whitespace, to follow it when it moves (see src/baseline). */
  codeHash?: string;
  /** Where it was when recorded; informational, matching does not use it. */
  line: number;
  message: string;
}

/** The comparison with a baseline: `findings` then holds only the new ones. */
export interface BaselineComparison {
  /** The baseline file, relative to the working directory when inside it. */
  file: string;
  /** Current findings that the baseline already had: left out of the report and the exit code. */
  unchanged: Finding[];
  /** Baseline entries no longer found in files this scan reported on (fixed, or the code removed). */
  absent: BaselineEntry[];
}

export interface ScanResult {
  tool: { name: string; version: string; informationUri: string };
  /** Human label of what was scanned, relative to the source root. Never absolute. */
  roots: string[];
  rules: RuleDescriptor[];
  findings: Finding[];
  notifications: Notification[];
  stats: ScanStats;
  /** Present when the findings were compared with a baseline. */
  baseline?: BaselineComparison;
  /** Wall time; deliberately not rendered by any reporter so output stays byte-identical. */
  durationMs: number;
}
