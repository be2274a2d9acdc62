import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, jsonErrorOffset, loadConfig, parseJson } from '../../src/config/load.js';

const RULE_IDS = ['hardcoded-session-secret', 'insecure-session-cookie'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fixate-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function load(configPath?: string) {
  return loadConfig({ cwd: dir, configPath, ruleIds: RULE_IDS });
}

function loadError(configPath?: string): ConfigError {
  try {
    load(configPath);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns an empty config when there is nothing to load', () => {
    expect(load()).toEqual({ config: {}, warnings: [] });
    write('package.json', { name: 'app' });
    expect(load()).toEqual({ config: {}, warnings: [] });
  });

  it('reads and validates fixate.config.json', () => {
    write('fixate.config.json', {
      $schema: 'https://example.invalid/schema.json',
      format: 'sarif',
      failOn: 'warning',
      include: ['src/**'],
      exclude: ['**/*.spec.ts'],
      maxFileSize: 256,
      fileTimeBudget: 2000,
      sarifCategory: 'fixate',
      strict: true,
      includeTests: true,
      output: 'reports/fixate.sarif',
      tsconfig: 'tsconfig.app.json',
      rules: { 'insecure-session-cookie': 'off', 'hardcoded-session-secret': 'warning' },
      identityKeys: ['tenantId'],
    });
    const { config, source, warnings } = load();
    expect(source).toBe('fixate.config.json');
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      format: 'sarif',
      failOn: 'warning',
      include: ['src/**'],
      exclude: ['**/*.spec.ts'],
      maxFileSize: 256,
      fileTimeBudget: 2000,
      sarifCategory: 'fixate',
      strict: true,
      includeTests: true,
      output: path.join(dir, 'reports/fixate.sarif'),
      tsconfig: path.join(dir, 'tsconfig.app.json'),
      rules: { 'insecure-session-cookie': 'off', 'hardcoded-session-secret': 'warning' },
      identityKeys: ['tenantId'],
    });
  });

  it('reads the "fixate" key of package.json when there is no config file', () => {
    write('package.json', { name: 'app', fixate: { failOn: 'note', exclude: ['legacy/**'] } });
    expect(load()).toEqual({
      config: { failOn: 'note', exclude: ['legacy/**'] },
      source: 'package.json',
      warnings: [],
    });
  });

  it('prefers fixate.config.json over package.json', () => {
    write('package.json', { name: 'app', fixate: { failOn: 'note' } });
    write('fixate.config.json', { failOn: 'warning' });
    expect(load().config).toEqual({ failOn: 'warning' });
  });

  it('loads an explicit --config file and resolves its paths against its own directory', () => {
    write('fixate.config.json', { failOn: 'warning' });
    const file = write('other.json', { failOn: 'none', output: 'out.json' });
    expect(load(file)).toEqual({
      config: { failOn: 'none', output: path.join(dir, 'out.json') },
      source: 'other.json',
      warnings: [],
    });
  });

  it('names a missing --config file', () => {
    expect(loadError('missing.json').message).toBe('missing.json: config file not found');
  });

  it.each([
    [{ colour: true }, /fixate\.config\.json: unknown key "colour"/],
    [
      { format: 'xml' },
      /fixate\.config\.json: "format" must be one of "text", "json", "sarif", "github", "html", got "xml"/,
    ],
    [{ failOn: 'critical' }, /"failOn" must be one of "error", "warning", "note", "none"/],
    [{ include: 'src/**' }, /"include" must be an array of strings/],
    [{ exclude: ['a', 3] }, /"exclude\[1\]" must be a non-empty string/],
    [{ maxFileSize: '1mb' }, /"maxFileSize" must be a positive number/],
    [{ fileTimeBudget: 1.5 }, /"fileTimeBudget" must be a positive integer/],
    [{ strict: 'yes' }, /"strict" must be true or false/],
    [{ includeTests: 1 }, /"includeTests" must be true or false/],
    [{ sarifCategory: '' }, /"sarifCategory" must be a non-empty string/],
    [{ rules: ['insecure-session-cookie'] }, /"rules" must be an object/],
    [
      { rules: { 'no-such-rule': 'off' } },
      /unknown rule id "no-such-rule" in "rules" \(valid ids: hardcoded-session-secret, insecure-session-cookie\)/,
    ],
    [{ rules: { 'insecure-session-cookie': 'on' } }, /"rules\.insecure-session-cookie" must be one of "off"/],
    [{ identityKeys: [''] }, /"identityKeys\[0\]" must be a non-empty string/],
    [['format'], /the config must be a JSON object/],
  ])('rejects %j naming the file and the key', (content, pattern) => {
    write('fixate.config.json', content);
    expect(loadError().message).toMatch(pattern);
    expect(loadError().file).toBe('fixate.config.json');
  });

  it('names the full key path inside package.json', () => {
    write('package.json', { name: 'app', fixate: { rules: { 'insecure-session-cookie': 'loud' } } });
    expect(loadError().message).toMatch(/^package\.json: "fixate\.rules\.insecure-session-cookie" must be one of/);
    write('package.json', { name: 'app', fixate: 'strict' });
    expect(loadError().message).toBe('package.json: "fixate" must be a JSON object');
  });

  it('reports bad JSON with the file, line and column', () => {
    write('fixate.config.json', '{\n  "format": "text",\n  "failOn": tru\n}\n');
    expect(loadError().message).toMatch(
      /^fixate\.config\.json: invalid JSON at line 3, column 16: Unexpected token '\\n'$/,
    );
    write('fixate.config.json', '{\n  "format": "text",\n}');
    expect(loadError().message).toMatch(/^fixate\.config\.json: invalid JSON at line 3, column 1: /);
    write('fixate.config.json', '{"format": ');
    expect(loadError().message).toMatch(/^fixate\.config\.json: invalid JSON at end of file/);
  });

  it('ignores a malformed package.json with a warning naming the file and position, not an error', () => {
    // package.json is the project's manifest first: a broken one degrades, like it does for versions.
    write('package.json', '{ "name": "app", "fixate": { "failOn": "none" }, }');
    const { config, warnings } = load();
    expect(config).toEqual({});
    expect(warnings).toEqual([
      expect.stringMatching(
        /^package\.json is not valid JSON \(line 1, column 50: [^)]+\); its "fixate" settings were ignored$/,
      ),
    ]);
    write('package.json', '{ "name": ');
    expect(load().warnings).toEqual([
      expect.stringMatching(
        /^package\.json is not valid JSON \(end of file: .+\); its "fixate" settings were ignored$/,
      ),
    ]);
  });

  it('still fails on a broken fixate.config.json or --config file, even beside a broken package.json', () => {
    write('package.json', '{ broken');
    write('fixate.config.json', '{ "failOn": }');
    expect(loadError().message).toMatch(/^fixate\.config\.json: invalid JSON at line 1, column 13/);
    const other = write('other.json', '[');
    expect(loadError(other).message).toMatch(/^other\.json: invalid JSON at end of file/);
  });

  it('names a package.json that cannot be read, and a config file that cannot be read', () => {
    mkdirSync(path.join(dir, 'package.json'));
    expect(load()).toEqual({
      config: {},
      warnings: ['package.json could not be read (EISDIR); its "fixate" settings were ignored'],
    });
    mkdirSync(path.join(dir, 'fixate.config.json'));
    expect(loadError().message).toBe('fixate.config.json: cannot read the config file (EISDIR)');
  });

  it('never evaluates the config', () => {
    write('fixate.config.json', 'module.exports = { format: "json" }');
    expect(loadError().message).toMatch(/invalid JSON at line 1, column 1/);
  });
});

describe('parseJson', () => {
  it('accepts a byte-order mark', () => {
    expect(parseJson('\ufeff{"a":1}', 'f.json')).toEqual({ a: 1 });
  });

  it.each([
    ['{"a": }', 6],
    ['{"a":1,}', 7],
    ['{"a" 1}', 5],
    ["{'a':1}", 1],
    ['[1,2]x', 5],
    ['{"a":"\\q"}', 7],
    ['{"a": 01}', 7],
    ['{"a": nul}', 6 + 3],
    ['', 0],
  ])('locates the error in %j at offset %i', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('agrees with JSON.parse on valid input', () => {
    const text = '{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"],"b":{}}';
    expect(jsonErrorOffset(text)).toBe(text.length);
  });
});
