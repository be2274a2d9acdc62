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
  keywordArgument,
  moduleAssignments,
  namedChildren,
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
  whenUnset: boolean;
}

/**
 * The default of a boolean setting read from the environment, where the code says it:
 * - django-environ: `env.bool('X', default=False)` (without a default, an unset variable raises);
 * - python-decouple: `config('X', default=False, cast=bool)`;
 * - the standard library: `os.environ.get('X', 'false').lower() == 'true'`, `os.getenv('X') == '1'`,
 *   `os.environ.get('X', '0') in ('1', 'true')`.
 */
export function environmentDefault(node: PythonNode | undefined): EnvironmentDefault | undefined {
  if (!node) return undefined;
  if (node.type === 'call') {
    const name = calledName(node);
    const variable = stringValue(positionalArgument(node, 0));
    if (variable === undefined) return undefined;
    if (name === 'bool' && receiverOf(node)) {
      const whenUnset = booleanLike(keywordArgument(node, 'default') ?? positionalArgument(node, 1));
      return whenUnset === undefined ? undefined : { variable, whenUnset };
    }
    if (name === 'config' && keywordArgument(node, 'cast')?.text === 'bool') {
      const whenUnset = booleanLike(keywordArgument(node, 'default'));
      return whenUnset === undefined ? undefined : { variable, whenUnset };
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
  return { variable, whenUnset: shown !== undefined && accepted.includes(shown) };
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
