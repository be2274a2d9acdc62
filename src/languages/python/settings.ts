import path from 'node:path';
import { django } from '../../models/django.js';
import type { PythonFileContext } from './file.js';
import type { PythonNode } from './parser.js';
import {
  descendantsOfType,
  enclosingFunction,
  enclosingOfType,
  field,
  moduleAssignments,
  namedChildren,
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

/** `True`/`False` literals; undefined for anything computed (`not DEBUG`, `env.bool(...)`). */
export function booleanLiteral(node: PythonNode | undefined): boolean | undefined {
  if (node?.type === 'true') return true;
  if (node?.type === 'false') return false;
  return undefined;
}
