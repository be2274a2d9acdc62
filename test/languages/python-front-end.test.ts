import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../rules/index.js';
import { readPythonDependencies } from '../../src/analysis/python-versions.js';
import { PythonDependencyIndex } from '../../src/languages/python/file.js';
import { scan } from '../../src/index.js';
import { pythonParserLoadCount } from '../../src/languages/python/parser.js';
import { writeFiles } from '../cli/temp-project.js';

const rules = await loadRules();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'fixate-python-')));
  dirs.push(dir);
  writeFiles(dir, files);
  return dir;
}

const EXPRESS_SECRET = "const session = require('express-session');\napp.use(session({ secret: 'keyboard cat' }));\n";
const LITERAL_SECRET = "SECRET_KEY = 'django-insecure-abcdefghijklmnop'\n";

// The order matters: the load counter is per process (vitest isolates each test file), so the
// JavaScript-only scans run before any scan that has Python to parse.
describe('the Python front end', () => {
  it('is not loaded by a scan without Python files', async () => {
    const dir = project({ 'app.js': EXPRESS_SECRET });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules });
    expect(result.findings.map((f) => f.ruleId)).toContain('hardcoded-session-secret');
    expect(pythonParserLoadCount()).toBe(0);
  });

  it('is not loaded when no Python file passes the pre-filter', async () => {
    const dir = project({ 'app.js': 'export const x = 1;\n', 'util.py': 'def add(a, b):\n    return a + b\n' });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules });
    expect(result.stats.filesPrefiltered).toBe(2);
    expect(pythonParserLoadCount()).toBe(0);
  });

  it('is loaded once for Python files, and their findings sit next to the TypeScript ones', async () => {
    const dir = project({
      'app.ts': EXPRESS_SECRET,
      'mysite/settings.py': LITERAL_SECRET,
      'other/settings.py': LITERAL_SECRET,
    });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules, rules: ['hardcoded-session-secret'] });
    expect(result.findings.map((f) => `${f.location.path}:${f.location.region.startLine}`).sort()).toEqual([
      'app.ts:2',
      'mysite/settings.py:1',
      'other/settings.py:1',
    ]);
    expect(pythonParserLoadCount()).toBe(1);
  });

  it('scans malformed Python without throwing, and says so', async () => {
    const dir = project({ 'settings.py': `def broken(:\n    x = (\n${LITERAL_SECRET}class\n` });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules });
    expect(result.notifications.map((n) => n.code)).toContain('syntax-errors');
    expect(result.stats.filesScanned).toBe(1);
  });

  it('skips virtual environments, site-packages, migrations and template skeletons', async () => {
    const dir = project({
      'venv/lib/python3.12/site-packages/django/conf/global_settings.py': LITERAL_SECRET,
      'lib/site-packages/pkg/settings.py': LITERAL_SECRET,
      '.venv/lib/settings.py': LITERAL_SECRET,
      'app/migrations/0001_initial.py': LITERAL_SECRET,
      'conf/project_template/project_name/settings.py': LITERAL_SECRET,
      'app/__pycache__/settings.py': LITERAL_SECRET,
      'mysite/settings.py': LITERAL_SECRET,
    });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules });
    expect(result.findings.map((f) => f.location.path)).toEqual(['mysite/settings.py']);
  });

  it('leaves Python test modules out of the report, as it does TypeScript tests', async () => {
    const dir = project({
      'shop/tests.py': LITERAL_SECRET,
      'shop/test_views.py': LITERAL_SECRET,
      'shop/views_test.py': LITERAL_SECRET,
      'conftest.py': LITERAL_SECRET,
      'shop/settings.py': LITERAL_SECRET,
      'shop/latest.py': LITERAL_SECRET,
    });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules });
    expect(result.findings.map((f) => f.location.path).sort()).toEqual(['shop/latest.py', 'shop/settings.py']);
    expect(result.stats.testFindingsLeftOut).toBe(4);
  });

  it('reads a settings module by its path, even when it names no session word', async () => {
    // wagtail's generated `settings/production.py` (less its optional `from .local import *`): only
    // `DEBUG = False`, and the SESSION_COOKIE_SECURE it never sets is the finding. A module of the
    // same text elsewhere (`config/production.py`) is not a settings module and stays pre-filtered.
    const production = "from .base import *\n\nDEBUG = False\nALLOWED_HOSTS = ['example.com']\n";
    const dir = project({
      'mysite/__init__.py': '',
      'mysite/settings/__init__.py': '',
      'mysite/settings/base.py': "INSTALLED_APPS = ['django.contrib.auth']\nDEBUG = True\n",
      'mysite/settings/production.py': production,
      'mysite/config/production.py': production,
    });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules, rules: ['insecure-session-cookie'] });
    expect(result.findings.map((f) => `${f.location.path}:${f.location.region.startLine}`)).toEqual([
      'mysite/settings/production.py:3',
    ]);
    expect(result.stats.filesPrefiltered).toBe(2);
  });

  it('reports columns in UTF-16 code units, as for TypeScript', async () => {
    const dir = project({ 'settings.py': `# é 😀\nX = 'é😀'; SECRET_KEY = 'abcdefghijklmnop'\n` });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules });
    expect(result.findings[0]?.location.region).toMatchObject({ startLine: 2, startColumn: 25 });
  });
});

describe('Python dependency versions', () => {
  it('reads pins, ranges and lockfiles of every supported format', () => {
    const dir = project({
      'requirements.txt': '# web\nDjango[argon2]==4.2.7 ; python_version >= "3.8"\n-r requirements-aws.txt\n',
      'requirements-aws.txt': 'boto3>=1.26,<2\n',
      'pyproject.toml':
        '[project]\nname = "site"\ndependencies = [\n  "django-environ>=0.11",\n]\n\n[tool.poetry.dependencies]\npython = "^3.11"\nrequests = { version = "^2.31", extras = ["socks"] }\n',
      'poetry.lock': '[[package]]\nname = "requests"\nversion = "2.31.0"\n\n[package.dependencies]\nidna = "*"\n',
      'Pipfile.lock': JSON.stringify({ default: { 'django-environ': { version: '==0.11.2' } } }),
    });
    const deps = readPythonDependencies(dir).byName;
    expect(deps.get('django')).toMatchObject({ version: '4.2.7', source: 'lockfile' });
    expect(deps.get('boto3')).toMatchObject({ source: 'range', range: '>=1.26,<2' });
    expect(deps.get('requests')).toMatchObject({ version: '2.31.0', source: 'lockfile', range: '^2.31' });
    expect(deps.get('django-environ')).toMatchObject({ version: '0.11.2', range: '>=0.11' });
    expect(deps.has('python')).toBe(false);
  });

  it('finds the nearest directory with dependency files, within the boundary', () => {
    const dir = project({
      'requirements.txt': 'Django==4.2.7\n',
      'services/api/pyproject.toml': '[project]\ndependencies = ["django>=5.0"]\n',
      'services/api/app/views.py': '',
      'mysite/views.py': '',
    });
    const index = new PythonDependencyIndex(dir);
    expect(index.dependenciesFor(path.join(dir, 'services/api/app/views.py'))?.byName.get('django')?.range).toBe(
      '>=5.0',
    );
    expect(index.dependenciesFor(path.join(dir, 'mysite/views.py'))?.byName.get('django')?.version).toBe('4.2.7');
    expect(new PythonDependencyIndex(path.join(dir, 'mysite')).dependenciesFor(path.join(dir, 'mysite/views.py'))).toBe(
      undefined,
    );
  });

  it('reads uv.lock', () => {
    const dir = project({
      'uv.lock':
        'version = 1\n\n[[package]]\nname = "Django"\nversion = "5.0.1"\nsource = { registry = "https://pypi.org/simple" }\n',
    });
    expect(readPythonDependencies(dir).byName.get('django')).toMatchObject({ version: '5.0.1', source: 'lockfile' });
  });
});

describe('hostile Python', () => {
  it('survives deep nesting and long attribute chains without a crash', async () => {
    const depth = 3000;
    const dir = project({
      'views.py': [
        'def login_view(request):',
        `    request.session['user_id'] = ${'f('.repeat(depth)}request.GET['sid']${')'.repeat(depth)}`,
        `    request.session['uid'] = request.${'a.'.repeat(depth)}session`,
        `    x = ${'['.repeat(depth)}${']'.repeat(depth)}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ paths: [dir], cwd: dir, ruleSet: rules });
    const crashes = result.notifications.filter((n) => ['rule-crashed', 'analysis-failed'].includes(n.code));
    expect(crashes).toEqual([]);
  });
});
