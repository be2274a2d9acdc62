export interface SuppressionDirective {
  /** 1-based line the directive applies to; 0 for the whole file. */
  line: number;
  /** 1-based line of the comment itself. */
  commentLine: number;
  ruleIds: string[];
  justification?: string;
}

const NEXT_LINE = /\/\/\s*fixate-ignore-next-line\b([^\n]*)/;
const WHOLE_FILE = /\/\*\s*fixate-ignore-file\b([\s\S]*?)\*\//g;
// Python comments: `# fixate-ignore-next-line …` and a `# fixate-ignore-file …` line.
const HASH_NEXT_LINE = /#\s*fixate-ignore-next-line\b([^\n]*)/;
const HASH_WHOLE_FILE = /#\s*fixate-ignore-file\b([^\n]*)/;

/**
 * Parses `// fixate-ignore-next-line <rule-id>[, <rule-id>] -- <reason>` and
 * `/* fixate-ignore-file <rule-id> -- <reason> *\/` (in Python, `# fixate-ignore-next-line …` and
 * `# fixate-ignore-file …`). The reason is required by convention; a directive
 * without one still applies, and the engine reports it so the omission is visible.
 */
export function parseSuppressions(text: string, comments: 'c-like' | 'hash' = 'c-like'): SuppressionDirective[] {
  if (!text.includes('fixate-ignore')) return [];
  const directives: SuppressionDirective[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((lineText, index) => {
    const match = (comments === 'hash' ? HASH_NEXT_LINE : NEXT_LINE).exec(lineText);
    if (match) directives.push({ line: index + 2, commentLine: index + 1, ...parseBody(match[1]) });
    const wholeFile = comments === 'hash' ? HASH_WHOLE_FILE.exec(lineText) : null;
    if (wholeFile) directives.push({ line: 0, commentLine: index + 1, ...parseBody(wholeFile[1]) });
  });
  if (comments === 'hash') return directives;
  for (const match of text.matchAll(WHOLE_FILE)) {
    const commentLine = text.slice(0, match.index).split(/\r\n|\r|\n/).length;
    directives.push({ line: 0, commentLine, ...parseBody(match[1]) });
  }
  return directives;
}

function parseBody(body: string): { ruleIds: string[]; justification?: string } {
  const [idsPart, ...reasonParts] = body.split('--');
  const ruleIds = idsPart
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  const reason = reasonParts.join('--').trim();
  return { ruleIds, justification: reason.length > 0 ? reason : undefined };
}

export function findSuppression(
  directives: SuppressionDirective[],
  ruleId: string,
  line: number,
): SuppressionDirective | undefined {
  return directives.find(
    (d) => (d.line === 0 || d.line === line) && (d.ruleIds.includes(ruleId) || d.ruleIds.includes('all')),
  );
}
