import { readdirSync } from 'node:fs';
import path from 'node:path';
import { django } from '../../models/django.js';
import type { PythonFileContext } from './file.js';
import type { PythonNode } from './parser.js';
import {
  argumentsOf,
  calledName,
  calleeOf,
  descendantsOfType,
  dottedName,
  enclosingFunction,
  enclosingOfType,
  field,
  importedNames,
  keywordArgument,
  moduleAssignments,
  namedChildren,
  parameterNames,
  positionalArgument,
  receiverOf,
  stringValue,
} from './syntax.js';

/** A module-level `NAME = value` of a settings module (or of one it star-imports). */
export interface SettingAssignment {
  name: string;
  value: PythonNode;
  assignment: PythonNode;
  /** The module the assignment is in. */
  file: PythonFileContext;
}

export interface DjangoSettingsModule {
  /** Assignments written in this module, last one per name. */
  own: Map<string, SettingAssignment>;
  /** The effective assignment per name: own ones over those of star-imported modules (`from .base import *`). */
  effective: Map<string, SettingAssignment>;
  /** Local development or test settings (`local.py`, `dev.py`, `test_settings.py`): insecure cookies are expected. */
  development: boolean;
  /** The project modules it star-imports (`from .base import *`), found and parsed. */
  starImported: PythonFileContext[];
  /** Named for a deployment (`prod.py`, `production.py`): settings there serve real users. */
  deployment: boolean;
  /**
   * A star import fixate cannot read (a module outside the project, `local_settings` missing from the
   * checkout): any setting may come from there, so an unset one is unknown, not Django's default.
   */
  incomplete: boolean;
}

const SETTINGS_NAMES = /(^|_)settings\.py$|^settings\.py$/i;
const DEPLOYMENT_NAMES = /^(prod|production|live|staging|deploy|deployment)(_settings)?\.py$/i;
/** Names only a Django settings module assigns at module level. */
const DJANGO_SETTINGS = ['INSTALLED_APPS', 'MIDDLEWARE', 'ROOT_URLCONF', 'SECRET_KEY', 'DATABASES', 'ALLOWED_HOSTS'];

/**
 * The file as a Django settings module, or undefined when it is not one: `settings.py`, `*_settings.py`,
 * or any module in a `settings/` package (split settings) that assigns Django settings or
 * star-imports a sibling that does.
 */
export function djangoSettingsModule(
  file: PythonFileContext,
  seen = new Set<string>(),
): DjangoSettingsModule | undefined {
  const base = path.basename(file.absPath);
  const inSettingsPackage = path.basename(path.dirname(file.absPath)) === 'settings';
  // Django's own defaults (`django/conf/global_settings.py`) are not a project's configuration.
  if ((!SETTINGS_NAMES.test(base) && !inSettingsPackage) || base === django.defaultSettingsModule) return undefined;
  const own = new Map<string, SettingAssignment>();
  for (const { name, value, assignment } of moduleAssignments(file.root)) {
    if (/^[A-Z][A-Z0-9_]*$/.test(name)) own.set(name, { name, value, assignment, file });
  }
  const effective = new Map<string, SettingAssignment>();
  seen.add(file.absPath);
  const { resolved, unresolved } = starImports(file);
  let incomplete = unresolved > 0;
  for (const imported of resolved) {
    if (seen.has(imported.absPath)) continue;
    const module = djangoSettingsModule(imported, seen) ?? { effective: plainAssignments(imported), incomplete: false };
    incomplete ||= module.incomplete;
    for (const [name, assignment] of module.effective) effective.set(name, assignment);
  }
  for (const [name, assignment] of own) effective.set(name, assignment);
  const looksLikeSettings =
    DJANGO_SETTINGS.some((name) => effective.has(name)) ||
    [...effective.keys()].some((name) => name.startsWith('SESSION_'));
  if (!looksLikeSettings) return undefined;
  return {
    own,
    effective,
    development: isDevelopmentSettingsPath(file.path),
    starImported: resolved,
    deployment: DEPLOYMENT_NAMES.test(base),
    incomplete,
  };
}

/** Named for local development or tests (`local.py`, `settings/local_dev.py`), or kept in a `development/` directory. */
function isDevelopmentSettingsPath(relativePath: string): boolean {
  return (
    django.developmentSettings.test(path.basename(relativePath)) ||
    django.developmentDirectory.test(path.dirname(relativePath))
  );
}

/**
 * The value a boolean setting has where the deployment sets nothing: the literal (`DEBUG = False`),
 * or the default of its environment read (`DEBUG = env.bool('DEBUG', default=False)`); undefined when
 * the code does not say.
 */
export function unsetValueOf(setting: SettingAssignment | undefined): boolean | undefined {
  if (!setting) return undefined;
  return booleanLiteral(setting.value) ?? environmentDefault(setting.value, setting.file)?.whenUnset;
}

/**
 * Why a module's settings serve local development only, for a message: its name or directory
 * (`local_dev.py`, `development/`), or an unconditional `DEBUG = True` that nothing after it in the
 * module changes. Undefined when they may serve a deployment, which includes a development-looking
 * module whose `SECRET_KEY` a sibling deployment module inherits (`live.py`: `from .common import *`,
 * `DEBUG = False`, no key of its own).
 */
export function developmentSettingsReason(file: PythonFileContext): string | undefined {
  const debug = moduleAssignments(file.root)
    .filter(({ name }) => name === django.settings.debug)
    .at(-1);
  // Only a statement of the module itself: one under `if` holds on some runs only.
  const debugOn = debug?.assignment.parent?.parent?.type === 'module' && booleanLiteral(debug.value) === true;
  const base = path.basename(file.path);
  const reason = debugOn
    ? 'it sets `DEBUG = True`'
    : django.developmentSettings.test(base)
      ? `it is named \`${base}\``
      : django.developmentDirectory.test(path.dirname(file.path))
        ? 'it is in a development directory'
        : undefined;
  if (!reason || secretInheritedByDeployment(file)) return undefined;
  return reason;
}

/**
 * A settings module in the same directory that star-imports `file`, keeps its `SECRET_KEY`, and serves
 * a deployment: named for one, or turning DEBUG to anything but a literal True. Read only for a
 * development module with a literal key (rare), so listing the directory costs nothing elsewhere.
 */
function secretInheritedByDeployment(file: PythonFileContext): boolean {
  const directory = path.dirname(file.absPath);
  const stem = path.basename(file.absPath, '.py');
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return false;
  }
  for (const name of names) {
    if (!name.endsWith('.py') || name === path.basename(file.absPath)) continue;
    const sibling = file.relativeModule(1, name === '__init__.py' ? '' : name.slice(0, -3));
    // Cheap text test before reading the sibling as settings: it must star-import something named like this module.
    if (!sibling || !/import\s+\*/.test(sibling.text) || !sibling.text.includes(stem)) continue;
    const settings = djangoSettingsModule(sibling);
    if (!settings || settings.development) continue;
    if (settings.effective.get(django.settings.secretKey)?.file.absPath !== file.absPath) continue;
    if (settings.deployment || booleanLiteral(settings.effective.get(django.settings.debug)?.value) !== true)
      return true;
  }
  return false;
}

function plainAssignments(file: PythonFileContext): Map<string, SettingAssignment> {
  const found = new Map<string, SettingAssignment>();
  for (const { name, value, assignment } of moduleAssignments(file.root))
    found.set(name, { name, value, assignment, file });
  return found;
}

/**
 * Modules imported with `from .base import *` or `from mysite.settings.base import *`, those found in
 * the project, and how many were not.
 */
function starImports(file: PythonFileContext): { resolved: PythonFileContext[]; unresolved: number } {
  const resolved: PythonFileContext[] = [];
  let unresolved = 0;
  for (const statement of descendantsOfType(file.root, 'import_from_statement')) {
    if (enclosingFunction(statement) || enclosingOfType(statement, 'class_definition')) continue;
    if (!namedChildren(statement).some((child) => child.type === 'wildcard_import')) continue;
    const module = field(statement, 'module_name');
    if (!module) continue;
    const dots = module.text.match(/^\.+/)?.[0].length ?? 0;
    const imported =
      module.type === 'relative_import'
        ? file.relativeModule(dots, module.text.slice(dots))
        : file.absoluteModule(module.text);
    if (imported) resolved.push(imported);
    else unresolved++;
  }
  return { resolved, unresolved };
}

/** A setting read from the environment: which variable, and the value the setting takes when it is unset. */
export interface EnvironmentDefault {
  variable: string;
  /** Where it is read, for a message: "the environment variable `X`", "`configuration.X`". */
  source: string;
  whenUnset: boolean;
}

const fromVariable = (variable: string, whenUnset: boolean): EnvironmentDefault => ({
  variable,
  source: `the environment variable \`${variable}\``,
  whenUnset,
});

/**
 * The default of a boolean setting read from the environment, where the code says it:
 * - django-environ: `env.bool('X', default=False)` (without a default, an unset variable raises);
 * - python-decouple: `config('X', default=False, cast=bool)`;
 * - the standard library: `os.environ.get('X', 'false').lower() == 'true'`, `os.getenv('X') == '1'`,
 *   `os.environ.get('X', '0') in ('1', 'true')`;
 * - a configuration module or dict with a boolean default: `getattr(configuration, 'X', False)`
 *   (netbox), `CONFIG.get('X', False)`, `os.environ.get('X', False)`. The operator's file that
 *   leaves the name out gives the default, as an unset variable does;
 * - a one-argument converter around a standard read (nautobot's `is_truthy(os.getenv('X', 'False'))`);
 * and, given the file the value is in:
 * - django-environ's schema: `env = environ.Env(X=(bool, False))`, then `env('X')` or `env.bool('X')`;
 * - a project reader whose first parameter names the variable it reads (`env_flag('X', False)`,
 *   healthchecks' `envbool('X', 'True')`), defined in the file or imported from a project module.
 */
export function environmentDefault(
  node: PythonNode | undefined,
  file?: PythonFileContext,
): EnvironmentDefault | undefined {
  if (!node) return undefined;
  if (node.type === 'call') {
    const name = calledName(node);
    const receiver = receiverOf(node);
    const converted = convertedEnvironmentRead(node);
    if (converted) return converted;
    if (name === 'getattr' && !receiver) {
      const [holder, attribute, fallback] = [0, 1, 2].map((index) => positionalArgument(node, index));
      const variable = stringValue(attribute);
      // Only a boolean literal: a string default ('False') is truthy.
      const whenUnset = booleanLiteral(fallback);
      if (!holder || variable === undefined || whenUnset === undefined) return undefined;
      return { variable, source: `\`${holder.text}.${variable}\``, whenUnset };
    }
    const variable = stringValue(positionalArgument(node, 0));
    if (variable === undefined) return undefined;
    if ((name === 'get' || name === 'getenv') && receiver) {
      const whenUnset = booleanLiteral(positionalArgument(node, 1) ?? keywordArgument(node, 'default'));
      if (whenUnset === undefined) return undefined;
      return /^os(\.environ)?$/.test(dottedName(receiver) ?? '')
        ? fromVariable(variable, whenUnset)
        : { variable, source: `\`${receiver.text}['${variable}']\``, whenUnset };
    }
    if (name === 'bool' && receiver) {
      const whenUnset =
        booleanLike(keywordArgument(node, 'default') ?? positionalArgument(node, 1)) ??
        (file ? environSchemaDefault(receiver, variable, file) : undefined);
      return whenUnset === undefined ? undefined : fromVariable(variable, whenUnset);
    }
    if (name === 'config' && keywordArgument(node, 'cast')?.text === 'bool') {
      const whenUnset = booleanLike(keywordArgument(node, 'default'));
      return whenUnset === undefined ? undefined : fromVariable(variable, whenUnset);
    }
    const callee = calleeOf(node);
    if (!file || callee?.type !== 'identifier') return undefined;
    if (environInstance(callee.text, file)) {
      // Without a bool cast, django-environ hands a default string back as it is (truthy): only `default=False`.
      const whenUnset =
        booleanLiteral(keywordArgument(node, 'default')) ?? environSchemaDefault(callee, variable, file);
      return whenUnset === undefined ? undefined : fromVariable(variable, whenUnset);
    }
    const whenUnset = projectReaderDefault(node, callee.text, file);
    return whenUnset === undefined ? undefined : fromVariable(variable, whenUnset);
  }
  if (node.type !== 'comparison_operator') return undefined;
  const [left, right] = namedChildren(node);
  const operator = node.child(1)?.type;
  if (!left || !right || (operator !== '==' && operator !== 'in')) return undefined;
  // `os.environ.get('X', 'false').lower()`: the comparison sees the lower-cased default.
  let read = left;
  let lowered = false;
  if (read.type === 'call' && calledName(read) === 'lower' && argumentsOf(read).length === 0) {
    read = receiverOf(read) ?? read;
    lowered = true;
  }
  if (read.type !== 'call' || !/^os\.(environ\.get|getenv)$/.test(dottedName(calleeOf(read)) ?? '')) return undefined;
  const variable = stringValue(positionalArgument(read, 0));
  if (variable === undefined) return undefined;
  const fallback = positionalArgument(read, 1);
  // No default: the variable reads as None, equal to no string.
  const unset = fallback ? stringValue(fallback) : undefined;
  if (fallback && unset === undefined) return undefined;
  const shown = unset !== undefined && lowered ? unset.toLowerCase() : unset;
  const accepted =
    operator === '=='
      ? [stringValue(right)]
      : right.type === 'tuple' || right.type === 'list' || right.type === 'set'
        ? namedChildren(right).map(stringValue)
        : [];
  if (accepted.length === 0 || accepted.some((value) => value === undefined)) return undefined;
  return fromVariable(variable, shown !== undefined && accepted.includes(shown));
}

/**
 * `is_truthy(os.getenv('X', 'False'))`, `strtobool(os.environ.get('X', '0'))`: a one-argument converter
 * of a standard read with a literal default, read as the default's truth. `bool()` is Python's own: any
 * non-empty string, `'False'` included, is True.
 */
function convertedEnvironmentRead(call: PythonNode): EnvironmentDefault | undefined {
  const [read, ...rest] = argumentsOf(call);
  if (!read || rest.length > 0 || read.type !== 'call' || calledName(call) === 'str') return undefined;
  if (!/^os\.(environ\.get|getenv)$/.test(dottedName(calleeOf(read)) ?? '')) return undefined;
  const variable = stringValue(positionalArgument(read, 0));
  const fallback = stringValue(positionalArgument(read, 1) ?? keywordArgument(read, 'default'));
  if (variable === undefined || fallback === undefined) return undefined;
  const whenUnset = calleeOf(call)?.text === 'bool' ? fallback !== '' : booleanWord(fallback);
  return whenUnset === undefined ? undefined : fromVariable(variable, whenUnset);
}

/** The module-level `name = environ.Env(…)` (django-environ) of the file, when there is one. */
function environInstance(name: string, file: PythonFileContext): PythonNode | undefined {
  for (const { name: assigned, value } of moduleAssignments(file.root)) {
    if (assigned !== name || value.type !== 'call') continue;
    const made = dottedName(calleeOf(value)) ?? '';
    if (made === 'environ.Env' || (made === 'Env' && importedNames(file).get('Env') === 'environ.Env')) return value;
  }
  return undefined;
}

/** The default django-environ's schema gives a boolean variable: `environ.Env(DEBUG=(bool, False))`. */
function environSchemaDefault(instance: PythonNode, variable: string, file: PythonFileContext): boolean | undefined {
  const constructed = instance.type === 'identifier' ? environInstance(instance.text, file) : undefined;
  const schema = constructed ? keywordArgument(constructed, variable) : undefined;
  if (schema?.type !== 'tuple') return undefined;
  const [cast, fallback] = namedChildren(schema);
  return cast?.text === 'bool' ? booleanLike(fallback) : undefined;
}

/**
 * The default of `reader('X', default)`, where `reader` is a project function that reads the
 * environment under its first parameter: the call's second argument, else the definition's default.
 * A reader that returns the raw text (`return os.getenv(name, default)`) keeps a string default a
 * (truthy) string, so only a boolean default counts there.
 */
function projectReaderDefault(call: PythonNode, name: string, file: PythonFileContext): boolean | undefined {
  const definition = moduleFunction(name, file);
  const parameters = definition ? parameterNames(definition) : [];
  const [variableParameter, defaultParameter] = parameters;
  if (!definition || !variableParameter || !defaultParameter) return undefined;
  const readsVariable = descendantsOfType(definition, 'call').some(
    (inner) =>
      STANDARD_ENVIRONMENT_READS.test(dottedName(calleeOf(inner)) ?? '') &&
      positionalArgument(inner, 0)?.text === variableParameter,
  );
  if (!readsVariable) return undefined;
  const declared = namedChildren(field(definition, 'parameters')!)[1];
  const fallback =
    keywordArgument(call, defaultParameter) ??
    positionalArgument(call, 1) ??
    (declared && /default_parameter$/.test(declared.type) ? field(declared, 'value') : undefined);
  return environmentPassThrough(definition) ? booleanLiteral(fallback) : booleanLike(fallback);
}

/** `False`, `True`, and the strings decouple and environ accept for them. */
function booleanLike(node: PythonNode | undefined): boolean | undefined {
  const literal = booleanLiteral(node);
  if (literal !== undefined) return literal;
  const text = stringValue(node);
  return text === undefined ? undefined : booleanWord(text);
}

function booleanWord(text: string): boolean | undefined {
  const word = text.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(word)) return true;
  if (['false', '0', 'no', 'off', ''].includes(word)) return false;
  return undefined;
}

/** `True`/`False` literals; undefined for anything computed (`not DEBUG`, `env.bool(...)`). */
export function booleanLiteral(node: PythonNode | undefined): boolean | undefined {
  if (node?.type === 'true') return true;
  if (node?.type === 'false') return false;
  return undefined;
}

/** The standard library's environment reads that take a default: `os.getenv(name, default)`. */
const STANDARD_ENVIRONMENT_READS = /^(os\.environ\.get|os\.getenv|environ\.get|getenv)$/;

/** A call of a project's own environment reader: the variable's argument and the default's (when given). */
export interface WrappedEnvironmentRead {
  variable: PythonNode;
  fallback?: PythonNode;
  /** The fallback is the definition's default (maybe in another module), not an argument of the call. */
  fallbackFromDefinition: boolean;
}

/**
 * A call of a project function that passes its default through to the environment (healthchecks'
 * `def envsecret(name, default=None): … return os.getenv(name, default)`), defined at module level
 * in the same file or in a project module it imports from: `envsecret('SECRET_KEY', '---')` reads
 * the environment with the default `'---'`.
 */
export function wrappedEnvironmentRead(call: PythonNode, file: PythonFileContext): WrappedEnvironmentRead | undefined {
  const callee = calleeOf(call);
  if (callee?.type !== 'identifier') return undefined;
  const definition = moduleFunction(callee.text, file);
  const passed = definition && environmentPassThrough(definition);
  if (!passed) return undefined;
  const argument = (index: number, name: string) => keywordArgument(call, name) ?? positionalArgument(call, index);
  const variable = argument(passed.variable.index, passed.variable.name);
  if (!variable) return undefined;
  const given = argument(passed.fallback.index, passed.fallback.name);
  // Not given at the call: the wrapper's own default (`def envsecret(name, default='dev')`).
  return { variable, fallback: given ?? passed.fallback.default, fallbackFromDefinition: !given };
}

/** The module-level function `name` denotes in `file`: defined there, or imported from a project module. */
function moduleFunction(name: string, file: PythonFileContext): PythonNode | undefined {
  const local = (module: PythonFileContext, wanted: string) => moduleFunctions(module).get(wanted) ?? [];
  const here = local(file, name);
  if (here.length > 0) return here.find(environmentPassThrough) ?? here[0];
  const imported = importedNames(file).get(name);
  const at = imported?.lastIndexOf('.') ?? -1;
  if (!imported || at < 0) return undefined;
  const modulePath = imported.slice(0, at);
  const dots = modulePath.match(/^\.+/)?.[0].length ?? 0;
  const module = dots > 0 ? file.relativeModule(dots, modulePath.slice(dots)) : file.absoluteModule(modulePath);
  const there = module ? local(module, imported.slice(at + 1)) : [];
  // `@overload` stubs come first under the same name: the one with the body decides.
  return there.find(environmentPassThrough) ?? there[0];
}

const functionCache = new WeakMap<PythonFileContext, Map<string, PythonNode[]>>();

/** Module-level function definitions by name (several under one name: `@overload` stubs, redefinitions). */
function moduleFunctions(file: PythonFileContext): Map<string, PythonNode[]> {
  let found = functionCache.get(file);
  if (found) return found;
  found = new Map();
  for (const statement of namedChildren(file.root)) {
    // `@overload def f(…)` is a decorated_definition around the function.
    const fn = statement.type === 'decorated_definition' ? field(statement, 'definition') : statement;
    const name = fn?.type === 'function_definition' ? field(fn, 'name')?.text : undefined;
    if (fn && name) found.set(name, [...(found.get(name) ?? []), fn]);
  }
  functionCache.set(file, found);
  return found;
}

interface Parameter {
  name: string;
  index: number;
  /** Its default value in the definition (`default=None`). */
  default?: PythonNode;
}

/** `return os.getenv(name, default)` with both arguments the function's own parameters. */
function environmentPassThrough(fn: PythonNode): { variable: Parameter; fallback: Parameter } | undefined {
  const parameters = parameterNames(fn);
  const parameter = (node: PythonNode | undefined): Parameter | undefined => {
    const index = node?.type === 'identifier' ? parameters.indexOf(node.text) : -1;
    if (index < 0) return undefined;
    const declared = namedChildren(field(fn, 'parameters')!)[index];
    const defaultValue = declared && /default_parameter$/.test(declared.type) ? field(declared, 'value') : undefined;
    return { name: parameters[index]!, index, default: defaultValue };
  };
  for (const statement of descendantsOfType(fn, 'return_statement')) {
    if (enclosingFunction(statement)?.id !== fn.id) continue;
    const value = namedChildren(statement)[0];
    if (value?.type !== 'call' || !STANDARD_ENVIRONMENT_READS.test(dottedName(calleeOf(value)) ?? '')) continue;
    const variable = parameter(positionalArgument(value, 0));
    const fallback = parameter(positionalArgument(value, 1) ?? keywordArgument(value, 'default'));
    if (variable && fallback) return { variable, fallback };
  }
  return undefined;
}
