/**
 * Hostile files, scanned in-process: each test builds its inputs in a temp dir (big, deep and binary
 * files are generated here, never committed) and checks that the scan resolves, skips exactly what it
 * must with a notification, keeps every other file's findings, and still renders valid SARIF.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectFacts } from '../../src/engine/project-facts.js';
import { renderSarif, renderText } from '../../src/reporters/index.js';
import type { Notification, ScanResult } from '../../src/types.js';
import { codes, findingsIn, isRoot, MANIFEST, project, sarifSchemaErrors, scanDir, VULNERABLE } from './support.js';

const BOTH_ON_LINE_2 = ['hardcoded-session-secret@2', 'insecure-session-cookie@2'];

function expectValidSarif(result: ScanResult) {
  const log = JSON.parse(renderSarif(result));
  expect(sarifSchemaErrors(log)).toEqual([]);
  return log;
}

function notification(result: ScanResult, file: string, code: string) {
  const found = result.notifications.find((n) => n.path === file && n.code === code);
  if (!found) throw new Error(`no ${code} notification for ${file}: ${JSON.stringify(result.notifications)}`);
  return found;
}

/** One nesting level per line, so the minified-file heuristic does not get there first. */
const nest = (open: string, inner: string, close: string, depth = 5000) =>
  `${`${open}\n`.repeat(depth)}${inner}\n${`${close}\n`.repeat(depth)}`;

describe('per-file isolation', () => {
  it('a file with syntax errors is still scanned for what the parser recovered, with a note', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'broken.ts': `${VULNERABLE}function broken( {\n  const = ;\n  if (\n`,
      'good.ts': VULNERABLE,
    });
    const result = await scanDir(dir);
    expect(findingsIn(result, 'broken.ts')).toEqual(BOTH_ON_LINE_2);
    expect(findingsIn(result, 'good.ts')).toEqual(BOTH_ON_LINE_2);
    const note = notification(result, 'broken.ts', 'syntax-errors');
    expect(note.skipped).toBe(false);
    expect(note.message).toMatch(/syntax error/);
    expect(result.stats.filesScanned).toBe(2);
    expectValidSarif(result);
  });

  it('binary files and files with binary content (even after the first block) are skipped as binary', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'image.ts': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...Buffer.from('session')]),
      // A text head, then a binary tail (a PNG chunk header) where code would be.
      'late-nul.ts': Buffer.concat([
        Buffer.from(`${VULNERABLE}${'// padding\n'.repeat(2000)}`),
        Buffer.from([0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]),
      ]),
      'good.ts': VULNERABLE,
    });
    const result = await scanDir(dir);
    for (const file of ['image.ts', 'late-nul.ts']) {
      expect(notification(result, file, 'binary').skipped).toBe(true);
      expect(findingsIn(result, file)).toEqual([]);
    }
    expect(findingsIn(result, 'good.ts')).toEqual(BOTH_ON_LINE_2);
    expect(result.stats.filesSkipped).toBe(2);
    expect(renderText(result, { color: false })).toMatch(/2 skipped \(2 binary\)/);
    const log = expectValidSarif(result);
    const skipped = log.runs[0].invocations[0].toolExecutionNotifications.filter(
      (n: { properties: { skipped: boolean } }) => n.properties.skipped,
    );
    expect(
      skipped
        .map(
          (n: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
            n.locations[0].physicalLocation.artifactLocation.uri,
        )
        .sort(),
    ).toEqual(['image.ts', 'late-nul.ts']);
  });

  it('source with raw NUL characters inside strings, template literals and comments is scanned, not binary', async () => {
    const nul = '\u0000';
    const dir = project({
      'package.json': MANIFEST,
      // Raw NULs inside strings, template literals (joining keys, as some code does, nested too)
      // and comments: real code, which the parser reads.
      'joined.ts': [
        "import session from 'express-session';",
        `const key = (a: string, b: string) => \`\${a}${nul}\${b}\`;`,
        `const separator = '${nul}'; // a raw ${nul} in a comment too`,
        `/* and ${nul} in a block comment */`,
        "app.use(session({ secret: 'keyboard cat', cookie: { secure: false } }));",
        `const nested = \`\${key(\`x${nul}\`, '{')}${nul}\`;`,
        '',
      ].join('\n'),
      // UTF-16 without a byte-order mark: NUL after every ASCII character, so NULs sit in code.
      'utf16-no-bom.ts': Buffer.from(VULNERABLE, 'utf16le'),
      // Mostly NULs: the first is already in code.
      'zeros.ts': Buffer.concat([Buffer.from('const a = 1;\n'), Buffer.alloc(4096)]),
      // A NUL after a template literal closed, in code again.
      'after-template.ts': `const t = \`\${1}\`;${nul}\n${VULNERABLE}`,
    });
    const result = await scanDir(dir);
    expect(findingsIn(result, 'joined.ts')).toEqual(['hardcoded-session-secret@5', 'insecure-session-cookie@5']);
    expect(codes(result, 'joined.ts')).toEqual([]);
    for (const file of ['utf16-no-bom.ts', 'zeros.ts', 'after-template.ts']) {
      expect(notification(result, file, 'binary'), file).toMatchObject({
        skipped: true,
        message: `${file}: binary file (contains NUL bytes)`,
      });
    }
    expect(renderText(result, { color: false })).toMatch(/3 skipped \(3 binary\)/);
    expectValidSarif(result);
  });

  it('a 10 MB minified bundle is skipped by size, and a large one-line file under the limit as minified', async () => {
    const statement = 'var a=session&&function(){return 1};';
    const big = statement.repeat(Math.ceil((10 * 1024 * 1024) / statement.length));
    const dir = project({
      'package.json': MANIFEST,
      'public/bundle.js': big,
      'public/generated.js': big.slice(0, 300_000),
      'good.ts': VULNERABLE,
    });
    const result = await scanDir(dir);
    expect(notification(result, 'public/bundle.js', 'too-large').message).toMatch(/exceeds --max-file-size/);
    expect(notification(result, 'public/generated.js', 'minified').skipped).toBe(true);
    expect(findingsIn(result, 'good.ts')).toEqual(BOTH_ON_LINE_2);
    // Raising the size limit does not make the bundle parse: the minified heuristic still skips it.
    const raised = await scanDir(dir, { maxFileSizeKb: 20 * 1024 });
    expect(notification(raised, 'public/bundle.js', 'minified').skipped).toBe(true);
    expectValidSarif(result);
  });

  it('5,000-deep nested expressions and statements never overflow the stack of the scan', async () => {
    const head = "import session from 'express-session';\n";
    const deep: Record<string, string> = {
      'parens.ts': `${head}const x = ${nest('(', '1', ')')};\n`,
      'blocks.ts': `${head}${nest('{', "session({ secret: 'k' });", '}')}`,
      'ifs.ts': `${head}${'if (a)\n'.repeat(5000)}session({ secret: 'k' });\n`,
      'else-ifs.ts': `${head}if (a) {}\n${'else if (a) {}\n'.repeat(5000)}`,
      'arrays.ts': `${head}session({ secret: ${nest('[', "'s'", ']')} });\n`,
      'objects.ts': `${head}session({ cookie: ${nest('{ a:', '1', '}')} });\n`,
      'calls.ts': `${head}session(${nest('f(', '1', ')')});\n`,
      'arrows.ts': `${head}const g = ${'() =>\n'.repeat(5000)}session({ secret: 'k' });\n`,
      'functions.ts': `${head}${nest('function f() {', "session({ secret: 'k' });", '}')}`,
      'ternaries.ts': `${head}session({ secret: ${'a ? "x" :\n'.repeat(5000)}'y' });\n`,
      'spreads.ts': `${head}session({ ${nest('...{', "secret: 'x'", '}', 3000)} });\n`,
      'templates.ts': `${head}const t = ${nest('`${', '1', '}`', 3000)};\n`,
      'jsx.tsx': `${head}const e = ${'<a>\n'.repeat(5000)}${'</a>\n'.repeat(5000)};\n`,
      'types.ts': `${head}type T = ${nest('Array<', 'string', '>')};\n`,
      // Left-deep trees the parser builds with loops: these are analysed, and the rules walk them.
      'concat.ts': `${head}const s = 'a';\nconst x = ${Array.from({ length: 5000 }, (_, i) => `a${i}`).join(' +\n')};\nsession({ secret: s, cookie: { secure: false } });\n`,
      'fallbacks.ts': `${head}session({ secret: ${'process.env.A ||\n'.repeat(5000)}'y' });\n`,
      'members.ts': `${head}const s = a${'.b\n'.repeat(5000)};\nsession({ secret: s, cookie: { secure: false } });\n`,
      'const-chain.ts': `${head}const c0 = 'lit';\n${Array.from({ length: 5000 }, (_, i) => `const c${i + 1} = c${i};`).join('\n')}\nsession({ secret: c5000, cookie: { secure: false } });\n`,
    };
    const dir = project({ 'package.json': MANIFEST, ...deep, 'good.ts': VULNERABLE });
    const result = await scanDir(dir);
    // The nested ones are beyond what the (recursive) TypeScript parser can take on Node's default
    // stack: they are skipped as too deep, named, and nothing else is lost.
    for (const file of ['parens.ts', 'blocks.ts', 'arrays.ts', 'calls.ts', 'functions.ts', 'spreads.ts']) {
      expect(notification(result, file, 'too-deep').skipped).toBe(true);
    }
    for (const file of Object.keys(deep)) {
      const fileCodes = codes(result, file);
      // Each deep file is either analysed or skipped as too deep; never an engine failure.
      expect(fileCodes.filter((code) => !['too-deep', 'rule-crashed', 'syntax-errors'].includes(code))).toEqual([]);
      for (const n of result.notifications.filter((n) => n.path === file && n.code === 'rule-crashed')) {
        expect(n.message).toMatch(/nesting too deep/);
      }
    }
    expect(findingsIn(result, 'fallbacks.ts')).toContain('hardcoded-session-secret@5002');
    for (const file of ['concat.ts', 'members.ts', 'const-chain.ts']) {
      expect(findingsIn(result, file)).toContain(
        `insecure-session-cookie@${deep[file].split('\n').findIndex((line) => line.startsWith('session(')) + 1}`,
      );
    }
    // The parser's state after a stack overflow does not leak into the next file.
    const alone = await scanDir(project({ 'package.json': MANIFEST, 'good.ts': VULNERABLE }));
    expect(result.findings.filter((f) => f.location.path === 'good.ts')).toEqual(alone.findings);
    expectValidSarif(result);
  });

  it('very long lines: positions past a 60,000-character line are exact', async () => {
    const blob = `const blob = '${'x'.repeat(60_000)}'; `;
    const line = `${blob}app.use(session({ secret: 'keyboard cat' }));`;
    const text = `import session from 'express-session';\n${'const filler = 1;\n'.repeat(100)}${line}\n`;
    const dir = project({ 'package.json': MANIFEST, 'long.ts': text });
    const result = await scanDir(dir, { rules: ['hardcoded-session-secret'] });
    expect(result.notifications).toEqual([]);
    const [finding] = result.findings;
    expect(finding.location.region).toMatchObject({
      startLine: 102,
      startColumn: line.indexOf("'keyboard cat'") + 1,
      endColumn: line.indexOf("'keyboard cat'") + "'keyboard cat'".length + 1,
    });
    expect(renderText(result, { color: false })).toContain('long.ts:102:');
    expectValidSarif(result);
  });

  it('BOM, CRLF, CR-only, astral characters, Latin-1 and UTF-16 text: decoded, with editor positions', async () => {
    const call = "app.use(session({ secret: 'keyboard cat' }));";
    const crlfLines = ["import session from 'express-session';", `const e = '😀😀'; ${call}`];
    const latin1Line = `const s = '\u00e9\u00e9\u00e8'; ${call}`;
    const dir = project({
      'package.json': MANIFEST,
      // The BOM is not a column: the finding on line 1 starts where an editor shows it.
      'bom.ts': `\uFEFFimport session from 'express-session'; ${call}\n`,
      'crlf.ts': `\uFEFF${crlfLines.join('\r\n')}\r\n`,
      'cr.ts': `${crlfLines.join('\r')}\r`,
      'latin1.ts': Buffer.from(`// caf\u00e9\nimport session from 'express-session';\n${latin1Line}\n`, 'latin1'),
      'latin1-bom.ts': Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`import session from 'express-session';\n${latin1Line}\n`, 'latin1'),
      ]),
      'utf16.ts': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlfLines.join('\n'), 'utf16le')]),
    });
    const result = await scanDir(dir, { rules: ['hardcoded-session-secret'] });
    const region = (file: string) => result.findings.find((f) => f.location.path === file)?.location.region;
    const column = (lineText: string) => lineText.indexOf("'keyboard cat'") + 1;
    expect(region('bom.ts')).toMatchObject({
      startLine: 1,
      startColumn: column(`import session from 'express-session'; ${call}`),
    });
    for (const file of ['crlf.ts', 'cr.ts', 'utf16.ts']) {
      expect(region(file), file).toMatchObject({ startLine: 2, startColumn: column(crlfLines[1]) });
    }
    expect(region('latin1.ts')).toMatchObject({ startLine: 3, startColumn: column(latin1Line) });
    expect(region('latin1-bom.ts')).toMatchObject({ startLine: 2, startColumn: column(latin1Line) });
    expect(result.findings.find((f) => f.location.path === 'latin1.ts')?.snippet).toContain('\u00e9\u00e9\u00e8');
    expect(notification(result, 'latin1.ts', 'not-utf8').skipped).toBe(false);
    expect(codes(result, 'utf16.ts')).toEqual([]);
    expect(codes(result, 'bom.ts')).toEqual([]);
    expectValidSarif(result);
  });

  it('paths with spaces, unicode, # and % are percent-encoded per segment in SARIF', async () => {
    const weird = 'my dir/ünï cödé/#tag %41 50%/a?b&c=d [x].ts';
    const dir = project({
      'package.json': MANIFEST,
      [weird]: VULNERABLE,
      'my dir/ünï cödé/#tag %41 50%/blob 100%.ts': Buffer.from([0, 1, 2]),
    });
    const result = await scanDir(dir);
    expect(findingsIn(result, weird)).toEqual(BOTH_ON_LINE_2);
    const log = expectValidSarif(result);
    const uris: string[] = [
      ...log.runs[0].results.map(
        (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          r.locations[0].physicalLocation.artifactLocation.uri,
      ),
      ...log.runs[0].invocations[0].toolExecutionNotifications.map(
        (n: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          n.locations[0].physicalLocation.artifactLocation.uri,
      ),
    ];
    expect(uris).toContain('my%20dir/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9/%23tag%20%2541%2050%25/a%3Fb%26c%3Dd%20%5Bx%5D.ts');
    for (const uri of uris) {
      expect(uri).not.toMatch(/[ #?]|%(?![0-9A-F]{2})/);
      // Resolving against a base keeps the whole path (no fragment or query split off).
      const resolved = new URL(uri, 'file:///checkout/');
      expect(resolved.hash).toBe('');
      expect(resolved.search).toBe('');
      expect(decodeURIComponent(resolved.pathname)).toBe(`/checkout/${decodeURIComponent(uri)}`);
    }
    expect(uris.map((uri) => decodeURIComponent(uri)).sort()).toEqual([
      weird,
      weird,
      'my dir/ünï cödé/#tag %41 50%/blob 100%.ts',
    ]);
  });

  it('symlink loops and symlinks out of the scan root are not followed, for files, directories or imports', async () => {
    const outside = project({
      'vulnerable.ts': VULNERABLE,
      'config.ts': "export const secret = 'outside-secret';\n",
    });
    const dir = project({
      'package.json': MANIFEST,
      'app/good.ts': VULNERABLE,
      'app/uses-outside.ts': [
        "import session from 'express-session';",
        "import { secret } from '../out-dir/config.js';",
        'app.use(session({ secret, cookie: { secure: true } }));',
        '',
      ].join('\n'),
    });
    symlinkSync('.', path.join(dir, 'app/loop'));
    symlinkSync('../..', path.join(dir, 'app/up'));
    symlinkSync(outside, path.join(dir, 'out-dir'));
    symlinkSync(path.join(outside, 'vulnerable.ts'), path.join(dir, 'app/out-file.ts'));
    symlinkSync('out-file.ts', path.join(dir, 'app/chain.ts'));
    symlinkSync('self.ts', path.join(dir, 'app/self.ts'));
    symlinkSync('good.ts', path.join(dir, 'app/alias.ts'));
    const result = await scanDir(dir);
    expect([...new Set(result.findings.map((f) => f.location.path))]).toEqual(['app/good.ts']);
    for (const finding of result.findings) {
      for (const location of [finding.location, ...finding.related]) expect(location.path).not.toMatch(/^\.\.|out-/);
    }
    // Out of the root, a chain ending out of the root, a loop: named and counted as skipped.
    for (const link of ['app/out-file.ts', 'app/chain.ts', 'app/self.ts']) {
      expect(codes(result, link), link).toEqual(['symlink']);
      expect(notification(result, link, 'symlink').skipped).toBe(true);
    }
    // A link to a file that is scanned anyway loses nothing, so it does not count as skipped (--strict).
    expect(notification(result, 'app/alias.ts', 'symlink').skipped).toBe(false);
    expect(result.stats.filesDiscovered).toBe(2);
    expectValidSarif(result);
  });

  it.runIf(!isRoot)('unreadable files and directories (EACCES) are skipped and named (non-root run)', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'locked.ts': VULNERABLE,
      'locked-dir/inner.ts': VULNERABLE,
      'good.ts': VULNERABLE,
    });
    chmodSync(path.join(dir, 'locked.ts'), 0o000);
    chmodSync(path.join(dir, 'locked-dir'), 0o000);
    try {
      const result = await scanDir(dir);
      expect(notification(result, 'locked.ts', 'unreadable').message).toMatch(/permission denied/);
      expect(notification(result, 'locked-dir', 'unreadable').message).toMatch(/EACCES/);
      expect(findingsIn(result, 'good.ts')).toEqual(BOTH_ON_LINE_2);
      expectValidSarif(result);
    } finally {
      chmodSync(path.join(dir, 'locked-dir'), 0o755);
    }
  });

  it('files deleted during the scan are reported as vanished and the rest is scanned', async () => {
    const dir = project({ 'package.json': MANIFEST, 'a.ts': VULNERABLE, 'b.ts': VULNERABLE, 'c.ts': VULNERABLE });
    const result = await scanDir(dir, {
      // Called just before each file is read: delete b.ts after discovery listed it.
      onProgress: (done, _total, phase) => {
        if (phase === 'reading' && done === 1) unlinkSync(path.join(dir, 'b.ts'));
      },
    });
    expect(notification(result, 'b.ts', 'vanished').skipped).toBe(true);
    expect(findingsIn(result, 'a.ts')).toEqual(BOTH_ON_LINE_2);
    expect(findingsIn(result, 'c.ts')).toEqual(BOTH_ON_LINE_2);
    expect(result.stats).toMatchObject({ filesDiscovered: 3, filesScanned: 2, filesSkipped: 1 });
    expectValidSarif(result);
  });

  it('a directory deleted during discovery costs only its own files', async () => {
    const dir = project({ 'package.json': MANIFEST, 'good.ts': VULNERABLE, 'gone/a.ts': VULNERABLE });
    const result = await scanDir(dir, {
      onProgress: (done, _total, phase) => {
        if (phase === 'reading' && done === 0) unlinkSync(path.join(dir, 'gone/a.ts'));
      },
    });
    expect(findingsIn(result, 'good.ts')).toEqual(BOTH_ON_LINE_2);
    expect(codes(result, 'gone/a.ts')).toEqual(['vanished']);
  });

  it('empty, whitespace-only and BOM-only files are scanned without noise', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'empty.ts': '',
      'newline.js': '\n',
      'spaces.mjs': ' \t \r\n ',
      'bom-only.cts': '\uFEFF',
      'good.ts': VULNERABLE,
    });
    const result = await scanDir(dir, { noPrefilter: true });
    expect(result.notifications).toEqual([]);
    expect(result.findings.map((f) => f.location.path)).toEqual(['good.ts', 'good.ts']);
    expect(result.stats.filesScanned).toBe(5);
    expectValidSarif(result);
  });

  it('a non-regular file with a source name (a FIFO, a directory) is never read', async () => {
    const dir = project({ 'package.json': MANIFEST, 'good.ts': VULNERABLE, 'folder.ts/inner.ts': VULNERABLE });
    const fifo = path.join(dir, 'pipe.ts');
    const madeFifo = spawnSync('mkfifo', [fifo]).status === 0;
    const result = await scanDir(dir);
    expect(findingsIn(result, 'good.ts')).toEqual(BOTH_ON_LINE_2);
    expect(findingsIn(result, 'folder.ts/inner.ts')).toEqual(BOTH_ON_LINE_2);
    if (madeFifo) expect(findingsIn(result, 'pipe.ts')).toEqual([]);
  });
});

describe('invalid project files', () => {
  it('invalid package.json and lockfiles are named and degrade to range or unknown versions', async () => {
    const dir = project({
      'package.json': '{ "name": "root", "dependencies": { "express-session": "^1.17.0" ',
      'app.ts': VULNERABLE,
      'svc/package.json': JSON.stringify({ dependencies: { 'express-session': '^1.17.0' } }),
      'svc/package-lock.json': '{ "packages": { "node_modules/express-session": { "version": ',
      'svc/app.ts': VULNERABLE,
      'yarn/package.json': JSON.stringify({ dependencies: { 'express-session': '~1.15.0' } }),
      'yarn/yarn.lock': 'express-session@~1.15.0:\n  version\n\u0000\u0001 "\n::::\n',
      'pnpm/package.json': '\uFEFF{"dependencies": {"express-session": "1.16.0"}}',
      'pnpm/pnpm-lock.yaml': "packages:\n  /express-session@: {\n  '@\n",
      'odd/package.json': JSON.stringify({ dependencies: ['express-session'], devDependencies: null }),
      'null/package.json': 'null',
    });
    const result = await scanDir(dir);
    // The import alone enables the model, so the findings survive a broken manifest.
    expect(findingsIn(result, 'app.ts')).toEqual(BOTH_ON_LINE_2);
    expect(findingsIn(result, 'svc/app.ts')).toEqual(BOTH_ON_LINE_2);
    expect(notification(result, 'package.json', 'invalid-manifest').message).toMatch(
      /^package\.json is not valid JSON/,
    );
    expect(result.notifications.every((n) => !n.skipped)).toBe(true);

    // Lockfiles are read when a rule asks for a version; ask the way a rule does.
    const notes: Notification[] = [];
    const facts = new ProjectFacts(
      dir,
      (n) => notes.push(n),
      (p) => path.relative(dir, p),
    );
    expect(facts.versionOf(path.join(dir, 'app.ts'), 'express-session')).toMatchObject({ source: 'unknown' });
    expect(facts.versionOf(path.join(dir, 'svc/app.ts'), 'express-session')).toMatchObject({
      source: 'range',
      version: '1.17.0',
    });
    expect(facts.versionOf(path.join(dir, 'yarn/app.ts'), 'express-session')).toMatchObject({ version: '1.15.0' });
    expect(facts.versionOf(path.join(dir, 'pnpm/app.ts'), 'express-session')).toMatchObject({ version: '1.16.0' });
    expect(facts.versionOf(path.join(dir, 'odd/app.ts'), 'express-session')).toMatchObject({ source: 'unknown' });
    expect(facts.versionOf(path.join(dir, 'null/app.ts'), 'express-session')).toMatchObject({ source: 'unknown' });
    expect(notes.map((n) => `${n.code} ${n.message}`)).toEqual([
      expect.stringMatching(/^invalid-manifest package\.json is not valid JSON/),
      expect.stringMatching(/^invalid-lockfile svc\/package-lock\.json could not be read \(invalid JSON/),
    ]);
    expectValidSarif(result);
  });

  it('package.json and lockfiles are read as data: a directory or unreadable name does not stop the scan', async () => {
    const dir = project({ 'app.ts': VULNERABLE });
    mkdirSync(path.join(dir, 'package.json'));
    mkdirSync(path.join(dir, 'package-lock.json'));
    const result = await scanDir(dir);
    expect(findingsIn(result, 'app.ts')).toEqual(BOTH_ON_LINE_2);
  });

  it('a --tsconfig that does not exist is a usage error naming the path', async () => {
    const dir = project({ 'app.ts': VULNERABLE });
    await expect(scanDir(dir, { tsconfig: 'missing/tsconfig.json' })).rejects.toThrow(
      path.join(dir, 'missing/tsconfig.json'),
    );
  });
});

describe('--tsconfig picks the files', () => {
  const scanned = (result: ScanResult) => [...new Set(result.findings.map((f) => f.location.path))].sort();

  it('its include, exclude and files (JSONC: comments, trailing commas) pick the files of its directory', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'tsconfig.json': `{
        // only the server
        "compilerOptions": { "strict": true, },
        "include": ["src", "types/*.ts",],
        "exclude": ["src/legacy", "**/*.spec.ts"],
        /* and one script */
        "files": ["scripts/seed.ts", "scripts/missing.ts"],
      }`,
      'src/app.ts': VULNERABLE,
      'src/deep/route.ts': VULNERABLE,
      'src/app.spec.ts': VULNERABLE,
      'src/legacy/old.ts': VULNERABLE,
      'types/env.ts': VULNERABLE,
      'scripts/seed.ts': VULNERABLE,
      'scripts/other.ts': VULNERABLE,
      'other/x.ts': VULNERABLE,
    });
    // includeTests: src/app.spec.ts is test code, whose findings are otherwise left out.
    const everything = await scanDir(dir, { includeTests: true });
    expect(scanned(everything)).toHaveLength(8);
    const result = await scanDir(dir, { tsconfig: 'tsconfig.json' });
    expect(scanned(result)).toEqual(['scripts/seed.ts', 'src/app.ts', 'src/deep/route.ts', 'types/env.ts']);
    expect(result.stats.filesDiscovered).toBe(4);
    expect(codes(result)).toEqual([]);
  });

  it('an explicit --include wins over its include and files; its exclude still applies', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'tsconfig.json': '{ "include": ["src"], "exclude": ["lib/generated"], "files": ["main.ts"] }',
      'main.ts': VULNERABLE,
      'src/app.ts': VULNERABLE,
      'lib/util.ts': VULNERABLE,
      'lib/generated/api.ts': VULNERABLE,
    });
    const result = await scanDir(dir, { tsconfig: 'tsconfig.json', include: ['lib/**'] });
    expect(scanned(result)).toEqual(['lib/util.ts']);
  });

  it('applies to a scanned directory that contains its directory, rebased onto it', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'packages/api/tsconfig.json': '{ "include": ["./src/**/*"], "exclude": ["src/gen"], "files": ["main.ts"] }',
      'packages/api/main.ts': VULNERABLE,
      'packages/api/src/app.ts': VULNERABLE,
      'packages/api/src/gen/client.ts': VULNERABLE,
      'packages/api/test/app.test.ts': VULNERABLE,
      'packages/web/app.ts': VULNERABLE,
    });
    const result = await scanDir(dir, { tsconfig: 'packages/api/tsconfig.json' });
    expect(scanned(result)).toEqual(['packages/api/main.ts', 'packages/api/src/app.ts']);
  });

  it('does not apply to a directory inside its directory, and says so', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'tsconfig.json': '{ "include": ["src/routes"] }',
      'src/routes/a.ts': VULNERABLE,
      'src/b.ts': VULNERABLE,
    });
    const result = await scanDir(dir, { paths: ['src'], tsconfig: 'tsconfig.json' });
    // Report paths are relative to the scanned directory (the project is not a git repository).
    expect(scanned(result)).toEqual(['b.ts', 'routes/a.ts']);
    expect(notification(result, '.', 'tsconfig-not-applied')).toMatchObject({
      level: 'note',
      skipped: false,
      message:
        '--tsconfig applies only to scanned directories that are its directory (..) or contain it; . was scanned without its include/exclude/files',
    });
  });

  it('never widens the scan: patterns reaching outside the scanned directory are dropped', async () => {
    const root = project({
      'outside/secret.ts': VULNERABLE,
      'app/package.json': MANIFEST,
      'app/tsconfig.json': JSON.stringify({
        include: ['../outside/**/*', '/**/*.ts', 'src/../../outside/*.ts', 'src'],
        files: ['../outside/secret.ts'],
      }),
      'app/src/app.ts': VULNERABLE,
    });
    const result = await scanDir(path.join(root, 'app'), { tsconfig: 'tsconfig.json' });
    expect(scanned(result)).toEqual(['src/app.ts']);
    expect(result.stats.filesDiscovered).toBe(1);
  });

  it('without include or files it picks everything under its directory; extends is not followed (a note says so)', async () => {
    const dir = project({
      'package.json': MANIFEST,
      'tsconfig.base.json': '{ "include": ["nothing-here"] }',
      'tsconfig.json': '{ "extends": "./tsconfig.base.json", "compilerOptions": {} }',
      'a.ts': VULNERABLE,
      'src/b.ts': VULNERABLE,
    });
    const result = await scanDir(dir, { tsconfig: 'tsconfig.json' });
    expect(scanned(result)).toEqual(['a.ts', 'src/b.ts']);
    expect(notification(result, 'tsconfig.json', 'tsconfig-extends')).toMatchObject({ level: 'note', skipped: false });
  });

  it.each([
    ['{\n  "include": [ ', "is not valid JSON (line 2, column 16: ']' expected.)"],
    ['{ "include": "src" }', 'is malformed: "include" must be an array of strings'],
    ['{ "include": ["src"], "files": ["a.ts", 1] }', 'is malformed: "files" must be an array of strings'],
  ])(
    'a tsconfig %j is ignored with a warning naming the file (and position); the scan goes on',
    async (text, problem) => {
      const dir = project({
        'package.json': MANIFEST,
        'tsconfig.json': text,
        'a.ts': VULNERABLE,
        'src/b.ts': VULNERABLE,
      });
      const result = await scanDir(dir, { tsconfig: 'tsconfig.json' });
      expect(scanned(result)).toEqual(['a.ts', 'src/b.ts']);
      expect(notification(result, 'tsconfig.json', 'invalid-tsconfig')).toMatchObject({
        level: 'warning',
        skipped: false,
        message: `--tsconfig tsconfig.json ${problem}; it was ignored and files were picked as without --tsconfig`,
      });
      expectValidSarif(result);
    },
  );
});

describe('scanned code is never executed', () => {
  it('package.json scripts, main, lockfiles and sources are data: nothing of the project runs', async () => {
    const dir = project({});
    // Absolute paths: if anything here ever ran, the marker would land in the project, whatever the cwd.
    const marker = (name: string) => `require('fs').writeFileSync(${JSON.stringify(path.join(dir, name))}, 'ran');`;
    const files: Record<string, string> = {
      'package.json': JSON.stringify({
        main: 'index.js',
        type: 'commonjs',
        scripts: { preinstall: `node -e "${marker('ran-script').replaceAll('"', '\\"')}"` },
        dependencies: { 'express-session': '1.17.3' },
      }),
      'index.js': `${marker('ran-main')}\n${VULNERABLE.replace("import session from 'express-session';", "const session = require('express-session');")}`,
      'config.js': `${marker('ran-config')}\nexport default {};\n`,
      'app.ts': `${VULNERABLE}import cfg from './config.js';\nconst x = require('./index.js');\nimport('./config.js');\n`,
      'fixate.config.js': marker('ran-fixate-config'),
      'package-lock.json': JSON.stringify({ packages: { '': {} }, x: marker('ran-lock') }),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const result = await scanDir(dir);
    expect(findingsIn(result, 'app.ts')).toEqual(BOTH_ON_LINE_2);
    expect(readdirSync(dir).filter((name) => name.startsWith('ran'))).toEqual([]);
  });
});
