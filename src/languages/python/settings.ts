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
    development: django.developmentSettings.test(base),
    deployment: DEPLOYMENT_NAMES.test(base),
    incomplete,
  };
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
 *   leaves the name out gives the default, as an unset variable does.
 */
export function environmentDefault(node: PythonNode | undefined): EnvironmentDefault | undefined {
  if (!node) return undefined;
  if (node.type === 'call') {
    const name = calledName(node);
    const receiver = receiverOf(node);
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
      const whenUnset = booleanLike(keywordArgument(node, 'default') ?? positionalArgument(node, 1));
      return whenUnset === undefined ? undefined : fromVariable(variable, whenUnset);
    }
    if (name === 'config' && keywordArgument(node, 'cast')?.text === 'bool') {
      const whenUnset = booleanLike(keywordArgument(node, 'default'));
      return whenUnset === undefined ? undefined : fromVariable(variable, whenUnset);
    }
    return undefined;
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

/** `False`, `True`, and the strings decouple and environ accept for them. */
function booleanLike(node: PythonNode | undefined): boolean | undefined {
  const literal = booleanLiteral(node);
  if (literal !== undefined) return literal;
  const text = stringValue(node)?.toLowerCase();
  if (text === undefined) return undefined;
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off', ''].includes(text)) return false;
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
