/**
 * A hand-built ScanResult shaped like the engine's output on a small Express app: two files (one
 * whose path has a space, `#` and non-ASCII letters), related locations, a data flow, a fix with two
 * edits, a suppressed finding, and skipped files. Regions, snippets, line hashes and diffs are
 * computed from the source text below, so they agree with each other the way real output must.
 */
import { unifiedDiff } from '../../src/fix/diff.js';
import { applyEdits, lineStarts, regionOf } from '../../src/fix/edits.js';
import { primaryLocationLineHashes } from '../../src/engine/fingerprint.js';
import type { Finding, Location, RuleDescriptor, ScanResult, TextEdit } from '../../src/types.js';

export const LOGIN_PATH = 'src/auth/login.ts';
export const LOGIN_SOURCE = `import bcrypt from 'bcrypt';
import type { Request, Response } from 'express';
import { findUser } from '../db/users.js';

export async function login(req: Request, res: Response) {
  const user = await findUser(req.body.email);
  if (!user || !(await bcrypt.compare(req.body.password, user.hash))) {
    return res.status(401).end();
  }
  req.session.userId = user.id;
  res.redirect('/');
}

export function logout(req: Request, res: Response) {
  req.session.userId = undefined;
  res.redirect('/');
}
`;

export const SESSION_PATH = 'src/legacy routes/#admin/sessión-ünïcode.ts';
export const SESSION_SOURCE = `import crypto from 'node:crypto';
import session from 'express-session';
import type { Request } from 'express';

export const sessions = session({
  secret: process.env.SESSION_SECRET ?? '',
  genid: (req: Request) => {
    const sid = String(req.query.sid ?? '');
    return sid || crypto.randomUUID(); // 🍪 adopts the caller's id
  },
  // fixate-ignore-next-line insecure-session-cookie -- TLS ends at the load balancer, which sets Secure
  cookie: { secure: false },
});
`;

export const BINARY_PATH = 'assets/100% real/logo.ts';

const sources: Record<string, string> = { [LOGIN_PATH]: LOGIN_SOURCE, [SESSION_PATH]: SESSION_SOURCE };

/** Offsets of the `occurrence`-th match of `needle` in the file. */
function span(path: string, needle: string, occurrence = 1): { start: number; end: number } {
  const text = sources[path];
  let start = -1;
  for (let i = 0; i < occurrence; i++) {
    start = text.indexOf(needle, start + 1);
    if (start < 0) throw new Error(`${needle} not found in ${path}`);
  }
  return { start, end: start + needle.length };
}

function location(path: string, needle: string, occurrence = 1): Location {
  const { start, end } = span(path, needle, occurrence);
  return { path, region: regionOf(sources[path], start, end) };
}

function edit(path: string, needle: string, newText: string, occurrence = 1): TextEdit {
  const { start, end } = span(path, needle, occurrence);
  return { path, start, end, newText, region: regionOf(sources[path], start, end) };
}

function primary(path: string, loc: Location): Pick<Finding, 'lineHash' | 'snippet'> {
  const text = sources[path];
  const starts = lineStarts(text);
  const { startLine, endLine } = loc.region;
  const end = endLine < starts.length ? starts[endLine] : text.length;
  return {
    lineHash: primaryLocationLineHashes(text)[startLine - 1],
    snippet: text.slice(starts[startLine - 1], end).replace(/\r?\n$/, ''),
  };
}

function diffOf(path: string, edits: TextEdit[]): string {
  return unifiedDiff(path, sources[path], applyEdits(sources[path], edits));
}

export const rules: RuleDescriptor[] = [
  {
    id: 'missing-session-regeneration',
    title: 'Session id is not regenerated at login',
    description:
      'A login that keeps the pre-login session id lets an attacker who planted that id ride the authenticated session (session fixation).',
    severity: 'error',
    precision: 'high',
    securitySeverity: 8.1,
    cwe: [384],
    tags: ['session', 'authentication'],
    frameworks: ['express-session'],
    helpMarkdown:
      '# Session id is not regenerated at login\n\nCall `req.session.regenerate()` and write the user inside its callback.\n',
    helpText:
      'Session id is not regenerated at login. Call req.session.regenerate() and write the user inside its callback.',
    docsUrl: 'https://github.com/fixate-dev/fixate/blob/main/rules/missing-session-regeneration/README.md',
  },
  {
    id: 'client-chosen-session-id',
    title: 'Session id is taken from the request',
    description:
      'An id generator that reads the request lets the client choose its own session id, which is session fixation by design.',
    severity: 'error',
    precision: 'very-high',
    securitySeverity: 9,
    cwe: [384, 340],
    tags: ['session'],
    frameworks: ['express-session'],
    helpMarkdown: '# Session id is taken from the request\n\nGenerate ids with `crypto.randomUUID()` only.\n',
    helpText: 'Session id is taken from the request. Generate ids with crypto.randomUUID() only.',
    docsUrl: 'https://github.com/fixate-dev/fixate/blob/main/rules/client-chosen-session-id/README.md',
  },
  {
    id: 'logout-without-destroy',
    title: 'Logout does not destroy the session',
    description:
      'Clearing fields on logout leaves the session id valid, so anyone holding it keeps whatever the session still carries.',
    severity: 'warning',
    precision: 'medium',
    securitySeverity: 5.4,
    cwe: [613],
    tags: ['session'],
    frameworks: ['express-session'],
    helpMarkdown: '# Logout does not destroy the session\n\nCall `req.session.destroy()`.\n',
    helpText: 'Logout does not destroy the session. Call req.session.destroy().',
    docsUrl: 'https://github.com/fixate-dev/fixate/blob/main/rules/logout-without-destroy/README.md',
  },
  {
    id: 'insecure-session-cookie',
    title: 'Session cookie is sent without Secure',
    description: 'Without Secure the session cookie travels over plain HTTP, where it can be read or planted.',
    severity: 'warning',
    precision: 'high',
    securitySeverity: 4.3,
    cwe: [614],
    tags: ['session', 'cookie'],
    frameworks: ['express-session'],
    helpMarkdown: '# Session cookie is sent without Secure\n\nSet `cookie.secure` to `true` or `"auto"`.\n',
    helpText: 'Session cookie is sent without Secure. Set cookie.secure to true or "auto".',
    docsUrl: 'https://github.com/fixate-dev/fixate/blob/main/rules/insecure-session-cookie/README.md',
  },
  {
    // Enabled but silent in this scan: SARIF must still list it.
    id: 'non-atomic-session-rotation',
    title: 'DynamoDB session rotation is not atomic',
    description: 'Rotating with separate put and delete calls can leave the old, attacker-known key alive.',
    severity: 'warning',
    precision: 'high',
    securitySeverity: 6.5,
    cwe: [384],
    tags: ['session', 'dynamodb'],
    frameworks: ['aws-sdk-dynamodb'],
    // No README yet: the SARIF help must still be non-empty for GitHub.
    helpMarkdown: '',
    helpText: '',
    docsUrl: 'https://github.com/fixate-dev/fixate/blob/main/rules/non-atomic-session-rotation/README.md',
  },
];

export function sampleResult(): ScanResult {
  const loginWrite = location(LOGIN_PATH, 'req.session.userId = user.id;');
  const regenerateEdits = [
    edit(
      LOGIN_PATH,
      'req.session.userId = user.id;',
      'req.session.regenerate((err) => {\n    if (err) return res.status(500).end();\n    req.session.userId = user.id;',
    ),
    edit(LOGIN_PATH, "  res.redirect('/');\n}", "    res.redirect('/');\n  });\n}"),
  ];
  const logoutWrite = location(LOGIN_PATH, 'req.session.userId = undefined;');
  const genidReturn = location(SESSION_PATH, 'sid || crypto.randomUUID()');
  const genidEdits = [edit(SESSION_PATH, 'sid || crypto.randomUUID()', 'crypto.randomUUID()')];
  const insecureCookie = location(SESSION_PATH, 'secure: false');

  const findings: Finding[] = [
    {
      ruleId: 'missing-session-regeneration',
      messageId: 'writeWithoutRegenerate',
      severity: 'error',
      message: 'The session gets `userId` after a password check without a new session id',
      location: loginWrite,
      related: [
        { ...location(LOGIN_PATH, 'bcrypt.compare(req.body.password, user.hash)'), message: 'the password check' },
      ],
      fixes: [
        {
          description: 'Regenerate the session and write the user inside the callback',
          safety: 'safe',
          edits: regenerateEdits,
          diff: diffOf(LOGIN_PATH, regenerateEdits),
        },
      ],
      ...primary(LOGIN_PATH, loginWrite),
    },
    {
      ruleId: 'logout-without-destroy',
      messageId: 'clearInsteadOfDestroy',
      severity: 'warning',
      message: 'Logout clears `userId` but keeps the session [and its id] alive.',
      location: logoutWrite,
      related: [],
      fixes: [],
      ...primary(LOGIN_PATH, logoutWrite),
    },
    {
      ruleId: 'client-chosen-session-id',
      messageId: 'requestInGenid',
      severity: 'error',
      message: '`genid` returns a value read from the request',
      location: genidReturn,
      related: [{ ...location(SESSION_PATH, 'genid'), message: 'the id generator' }],
      flow: [
        { ...location(SESSION_PATH, 'req.query.sid'), message: '`req.query.sid`' },
        { ...location(SESSION_PATH, 'sid', 1), message: '`sid`' },
        { ...genidReturn, message: '`genid` return value' },
      ],
      fixes: [
        {
          description: 'Always generate the id on the server',
          safety: 'unsafe',
          edits: genidEdits,
          diff: diffOf(SESSION_PATH, genidEdits),
        },
      ],
      ...primary(SESSION_PATH, genidReturn),
    },
    {
      ruleId: 'insecure-session-cookie',
      messageId: 'secureFalse',
      severity: 'warning',
      message: 'The session cookie sets `secure: false`',
      location: insecureCookie,
      related: [],
      fixes: [],
      suppression: { kind: 'inSource', justification: 'TLS ends at the load balancer, which sets Secure' },
      ...primary(SESSION_PATH, insecureCookie),
    },
  ];

  return {
    tool: { name: 'fixate', version: '0.1.0', informationUri: 'https://github.com/fixate-dev/fixate' },
    roots: ['.'],
    rules,
    findings,
    notifications: [
      {
        level: 'warning',
        code: 'binary',
        message: 'The file looks binary.',
        path: BINARY_PATH,
        skipped: true,
      },
      {
        level: 'warning',
        code: 'parse-error',
        message: "Could not parse the file: ')' expected.",
        path: 'src/broken.ts',
        region: { startLine: 3, startColumn: 14, endLine: 3, endColumn: 15 },
        skipped: true,
        detail: "SyntaxError: ')' expected.\n    at parseFile (/home/dev/fixate/dist/src/engine/parse.js:41:11)",
      },
      {
        level: 'error',
        code: 'rule-crashed',
        message: 'Rule logout-without-destroy crashed; its findings for this file may be incomplete.',
        path: LOGIN_PATH,
        skipped: false,
        ruleId: 'logout-without-destroy',
        detail: "TypeError: Cannot read properties of undefined (reading 'kind')\n    at exit (rule.js:12:3)",
      },
    ],
    stats: {
      filesDiscovered: 7,
      filesScanned: 3,
      filesSkipped: 2,
      filesPrefiltered: 2,
      testFindingsLeftOut: 0,
      suppressed: 1,
      bySeverity: { error: 2, warning: 1, note: 0 },
    },
    durationMs: 1234.5,
  };
}

export function emptyResult(): ScanResult {
  return {
    tool: { name: 'fixate', version: '0.1.0', informationUri: 'https://github.com/fixate-dev/fixate' },
    roots: ['.'],
    rules: rules.slice(0, 2),
    findings: [],
    notifications: [],
    stats: {
      filesDiscovered: 4,
      filesScanned: 3,
      filesSkipped: 0,
      filesPrefiltered: 1,
      testFindingsLeftOut: 0,
      suppressed: 0,
      bySeverity: { error: 0, warning: 0, note: 0 },
    },
    durationMs: 9,
  };
}
