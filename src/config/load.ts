import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RuleSetting } from '../engine/options.js';
import type { FailOn } from '../types.js';

export type ReportFormat = 'text' | 'json' | 'sarif' | 'github' | 'html';

/** The options a project can pin in `fixate.config.json` or a `"fixate"` key in package.json. */
export interface FixateConfig {
  format?: ReportFormat;
  /** Absolute (resolved against the config file's directory). */
  output?: string;
  /** Absolute (resolved against the config file's directory). */
  sarifOutput?: string;
  sarifCategory?: string;
  failOn?: FailOn;
  include?: string[];
  exclude?: string[];
  /** Absolute (resolved against the config file's directory). */
  tsconfig?: string;
  maxFileSize?: number;
  fileTimeBudget?: number;
  strict?: boolean;
  /** Report findings in test code as notes tagged `test` instead of leaving them out. */
  includeTests?: boolean;
  /** Absolute (resolved against the config file's directory): report only findings not in this baseline. */
  baseline?: string;
  rules?: Record<string, RuleSetting>;
  identityKeys?: string[];
}

export interface LoadedConfig {
  config: FixateConfig;
  /** Where the config came from, for messages; undefined when none was found. */
  source?: string;
  /**
   * Problems that did not stop the run: a package.json that is not valid JSON is the project's
   * manifest first, so its `"fixate"` settings are ignored with a warning rather than failing the scan.
   */
  warnings: string[];
}

export interface LoadConfigOptions {
  cwd: string;
  /** `--config <file>`: must exist, and replaces the lookup in cwd. */
  configPath?: string;
  /** Valid rule ids, for checking the `rules` map. */
  ruleIds: readonly string[];
}

/** A problem with the user's configuration; the CLI maps it to exit code 2. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    /** The message without the file name. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export const CONFIG_FILE_NAME = 'fixate.config.json';

export const FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'github', 'html'];
const FAIL_ON: readonly string[] = ['error', 'warning', 'note', 'none'];
const RULE_SETTINGS: readonly string[] = ['off', 'error', 'warning', 'note'];

type Check = (value: unknown, key: string, fail: (message: string) => never) => unknown;

const oneOf =
  (allowed: readonly string[]): Check =>
  (value, key, fail) => {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      fail(`"${key}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value;
  };

const nonEmptyString: Check = (value, key, fail) => {
  if (typeof value !== 'string' || value.trim() === '') fail(`"${key}" must be a non-empty string`);
  return value;
};

const stringArray: Check = (value, key, fail) => {
  if (!Array.isArray(value)) fail(`"${key}" must be an array of strings`);
  (value as unknown[]).forEach((item, i) => {
    if (typeof item !== 'string' || item === '') fail(`"${key}[${i}]" must be a non-empty string`);
  });
  return [...(value as string[])];
};

const positiveNumber =
  (integer: boolean): Check =>
  (value, key, fail) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      fail(`"${key}" must be a positive ${integer ? 'integer' : 'number'}`);
    }
    return value;
  };

const boolean: Check = (value, key, fail) => {
  if (typeof value !== 'boolean') fail(`"${key}" must be true or false`);
  return value;
};

/**
 * Keys the config accepts. `paths`, `config`, `changedSince`, `debug` and `quiet` are deliberately
 * absent: they describe one run, not the project.
 */
const SCHEMA: Record<Exclude<keyof FixateConfig, 'rules'>, Check> = {
  format: oneOf(FORMATS),
  output: nonEmptyString,
  sarifOutput: nonEmptyString,
  sarifCategory: nonEmptyString,
  failOn: oneOf(FAIL_ON),
  include: stringArray,
  exclude: stringArray,
  tsconfig: nonEmptyString,
  maxFileSize: positiveNumber(false),
  fileTimeBudget: positiveNumber(true),
  strict: boolean,
  includeTests: boolean,
  baseline: nonEmptyString,
  identityKeys: stringArray,
};

const PATH_KEYS = new Set(['output', 'sarifOutput', 'tsconfig', 'baseline']);

/**
 * Finds and validates the project configuration. The file is parsed as JSON data and never
 * imported, so a config in an untrusted checkout cannot run code.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  if (options.configPath !== undefined) {
    const file = path.resolve(options.cwd, options.configPath);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new ConfigError(displayPath(options.cwd, file), 'config file not found');
    }
    return fromConfigFile(file, options);
  }
  const configFile = path.join(options.cwd, CONFIG_FILE_NAME);
  if (existsSync(configFile)) return fromConfigFile(configFile, options);

  const packageFile = path.join(options.cwd, 'package.json');
  if (!existsSync(packageFile)) return { config: {}, warnings: [] };
  const shown = displayPath(options.cwd, packageFile);
  let pkg: unknown;
  try {
    pkg = parseJson(readFileSync(packageFile, 'utf8'), shown);
  } catch (error) {
    // Only a broken manifest degrades; a valid one whose "fixate" key is wrong is a config error below.
    const problem =
      error instanceof ConfigError
        ? `is not valid JSON (${error.reason.replace(/^invalid JSON (at )?/, '')})`
        : `could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    return { config: {}, warnings: [`${shown} ${problem}; its "fixate" settings were ignored`] };
  }
  if (pkg !== null && typeof pkg === 'object' && !Array.isArray(pkg) && 'fixate' in pkg) {
    const config = validateConfig((pkg as Record<string, unknown>).fixate, {
      file: shown,
      keyPrefix: 'fixate.',
      baseDir: options.cwd,
      ruleIds: options.ruleIds,
    });
    return { config, source: shown, warnings: [] };
  }
  return { config: {}, warnings: [] };
}

function fromConfigFile(file: string, options: LoadConfigOptions): LoadedConfig {
  const shown = displayPath(options.cwd, file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(shown, `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const data = parseJson(text, shown);
  const config = validateConfig(data, {
    file: shown,
    keyPrefix: '',
    baseDir: path.dirname(file),
    ruleIds: options.ruleIds,
  });
  return { config, source: shown, warnings: [] };
}

export interface ValidateContext {
  /** Shown in messages. */
  file: string;
  /** `fixate.` when the config sits inside package.json, so messages name the full key path. */
  keyPrefix: string;
  /** Relative paths in the config are resolved against this directory. */
  baseDir: string;
  ruleIds: readonly string[];
}

export function validateConfig(data: unknown, ctx: ValidateContext): FixateConfig {
  const fail = (message: string): never => {
    throw new ConfigError(ctx.file, message);
  };
  const where = ctx.keyPrefix ? `"${ctx.keyPrefix.slice(0, -1)}"` : 'the config';
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    fail(`${where} must be a JSON object`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const fullKey = `${ctx.keyPrefix}${key}`;
    // Editors add "$schema" for completion; it carries no option.
    if (key === '$schema') continue;
    if (key === 'rules') {
      config.rules = validateRules(value, fullKey, ctx, fail);
      continue;
    }
    const check = SCHEMA[key as keyof typeof SCHEMA];
    if (!check) {
      fail(`unknown key "${fullKey}" (allowed: ${[...Object.keys(SCHEMA), 'rules'].sort().join(', ')})`);
    }
    const checked = check(value, fullKey, fail);
    config[key] = PATH_KEYS.has(key) ? path.resolve(ctx.baseDir, checked as string) : checked;
  }
  return config as FixateConfig;
}

function validateRules(
  value: unknown,
  key: string,
  ctx: ValidateContext,
  fail: (message: string) => never,
): Record<string, RuleSetting> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`"${key}" must be an object mapping rule ids to ${RULE_SETTINGS.map((s) => `"${s}"`).join(', ')}`);
  }
  const rules: Record<string, RuleSetting> = {};
  for (const [ruleId, setting] of Object.entries(value as Record<string, unknown>)) {
    if (!ctx.ruleIds.includes(ruleId)) {
      fail(`unknown rule id "${ruleId}" in "${key}" (valid ids: ${[...ctx.ruleIds].sort().join(', ')})`);
    }
    rules[ruleId] = oneOf(RULE_SETTINGS)(setting, `${key}.${ruleId}`, fail) as RuleSetting;
  }
  return rules;
}

/** Parses JSON, naming the line and column of the first syntax error. */
export function parseJson(text: string, file: string): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node 20's V8 reports an offset for some errors ("at position N") but not for "Unexpected
    // token", so find the offset ourselves and fall back to V8's when the scanner disagrees.
    const v8Offset = /at position (\d+)/.exec(message);
    const offset = v8Offset ? Number(v8Offset[1]) : jsonErrorOffset(source);
    let where = ' at end of file';
    if (offset < source.length) {
      const before = source.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    // V8 appends the offset and sometimes an excerpt of the whole input; keep only the reason.
    const reason = message
      .replace(/,\s*(\.\.\.)?"[\s\S]*" is not valid JSON$/, '')
      .replace(/[\n\r\t]/g, (ch) => JSON.stringify(ch).slice(1, -1))
      .replace(/ in JSON at position \d+[\s\S]*$/, '')
      .trim();
    throw new ConfigError(file, `invalid JSON${where}: ${reason}`);
  }
}

/** Offset of the first character a strict JSON parser rejects (`text.length` for a premature end). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (at = i): never => {
    throw new JsonSyntaxAt(Math.min(at, text.length));
  };
  const skipWhitespace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (ch: string) => {
    skipWhitespace();
    if (text[i] !== ch) fail();
    i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) fail(i + k);
    i += word.length;
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length || text.charCodeAt(i) < 0x20) fail();
      const ch = text[i++];
      if (ch === '"') return;
      if (ch !== '\\') continue;
      if (text[i] === 'u') {
        if (!/^[0-9a-fA-F]{4}/.test(text.slice(i + 1, i + 5))) fail(i + 1);
        i += 5;
      } else if (i >= text.length || !'"\\/bfnrt'.includes(text[i])) {
        fail();
      } else {
        i++;
      }
    }
  };
  const value = () => {
    skipWhitespace();
    const ch = text[i];
    if (ch === '{') {
      i++;
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[i] !== '"') fail();
        string();
        expect(':');
        value();
        skipWhitespace();
        if (text[i] === '}') {
          i++;
          return;
        }
        expect(',');
      }
    } else if (ch === '[') {
      i++;
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipWhitespace();
        if (text[i] === ']') {
          i++;
          return;
        }
        expect(',');
      }
    } else if (ch === '"') {
      string();
    } else if (ch === 't' || ch === 'f' || ch === 'n') {
      literal(ch === 't' ? 'true' : ch === 'f' ? 'false' : 'null');
    } else {
      const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!match) fail();
      i += match![0].length;
    }
  };
  try {
    value();
    skipWhitespace();
    if (i < text.length) fail();
  } catch (error) {
    if (error instanceof JsonSyntaxAt) return error.offset;
    throw error;
  }
  return text.length;
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}

function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
