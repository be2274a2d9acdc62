/**
 * Checks on the text `fixate init django-dynamodb-session` writes. The proof that the backend works
 * is django-session.e2e.test.ts (a real Django app against DynamoDB Local); this file adds what that
 * cannot show: the module scans clean with fixate, and structural facts read from its Python syntax
 * tree (every get_item is consistent, no index query) that hold on paths the e2e test may not take.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DJANGO_SESSION_DEFAULT_FILE,
  djangoModulePath,
  renderDjangoSessionBackend,
} from '../../src/init/django-dynamodb-session.js';
import { sessionTableParams } from '../../src/init/session-table.js';
import { scan } from '../../src/index.js';

const source = renderDjangoSessionBackend();

/**
 * Reads the module with Python's own parser (ast, standard library: any python3 works, Debian's is
 * the one .ci/run guarantees) and reports its imports, SessionStore's methods and its DynamoDB calls.
 */
const AST_SUMMARY = `
import ast, json, sys
tree = ast.parse(sys.stdin.read())
imports, calls, methods, classmethods = [], [], [], []
bases = []
for node in ast.walk(tree):
    if isinstance(node, ast.Import):
        imports += [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        imports.append(node.module)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        kwargs = {kw.arg: ast.unparse(kw.value) for kw in node.keywords if kw.arg}
        calls.append({'method': node.func.attr, 'kwargs': kwargs})
    elif isinstance(node, ast.ClassDef) and node.name == 'SessionStore':
        bases = [ast.unparse(base) for base in node.bases]
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.append(item.name)
                if any(ast.unparse(d) == 'classmethod' for d in item.decorator_list):
                    classmethods.append(item.name)
json.dump({'imports': sorted(set(imports)), 'calls': calls, 'bases': bases, 'methods': methods, 'classmethods': classmethods}, sys.stdout)
`;

interface AstSummary {
  imports: string[];
  calls: { method: string; kwargs: Record<string, string> }[];
  bases: string[];
  methods: string[];
  classmethods: string[];
}

function astSummary(text: string): AstSummary {
  const run = spawnSync('/usr/bin/python3', ['-c', AST_SUMMARY], { input: text, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 could not parse the generated module:\n${run.error ?? run.stderr}`);
  return JSON.parse(run.stdout) as AstSummary;
}

describe('renderDjangoSessionBackend', () => {
  const summary = astSummary(source);
  const calls = (method: string) => summary.calls.filter((call) => call.method === method);

  it('is a SessionBase subclass implementing what Django calls on a backend', () => {
    expect(summary.bases).toEqual(['SessionBase']);
    for (const method of ['load', 'exists', 'create', 'save', 'delete', 'cycle_key', 'acycle_key', 'clear_expired']) {
      expect(summary.methods).toContain(method);
    }
    // manage.py clearsessions calls SessionStore.clear_expired() on the class.
    expect(summary.classmethods).toEqual(['clear_expired']);
  });

  it('imports only the standard library, boto3/botocore and Django', () => {
    for (const module of summary.imports) {
      expect(module).toMatch(/^(re|threading|time|boto3|botocore\..+|asgiref\.sync|django\..+)$/);
    }
  });

  it('reads every item with ConsistentRead=True and rotates in one transaction', () => {
    expect(calls('get_item').length).toBeGreaterThan(0);
    for (const call of calls('get_item')) expect(call.kwargs.ConsistentRead).toBe('True');
    expect(calls('transact_write_items')).toHaveLength(1);
    const transaction = calls('transact_write_items')[0].kwargs.TransactItems;
    expect(transaction).toMatch(
      /^\[\{'Put': .*'ConditionExpression': 'attribute_not_exists\(#sid\)'.*\}, \{'Delete': /s,
    );
  });

  it('uses no index or query (no user->session lookup)', () => {
    expect(calls('query')).toEqual([]);
    expect(source).not.toMatch(/GlobalSecondaryIndexes|IndexName/);
  });

  it('documents the table it expects, as boto3 calls matching sessionTableParams', () => {
    const docstring = source.slice(0, source.indexOf('"""', 3));
    const params = sessionTableParams('sessions');
    expect(docstring).toContain(
      `AttributeDefinitions=[{'AttributeName': '${params.createTable.AttributeDefinitions[0].AttributeName}', 'AttributeType': 'S'}]`,
    );
    expect(docstring).toContain(
      `KeySchema=[{'AttributeName': '${params.createTable.KeySchema[0].AttributeName}', 'KeyType': 'HASH'}]`,
    );
    expect(docstring).toContain(`BillingMode='${params.createTable.BillingMode}'`);
    expect(docstring).toContain(
      `TimeToLiveSpecification={'Enabled': True, 'AttributeName': '${params.updateTimeToLive.TimeToLiveSpecification.AttributeName}'}`,
    );
    expect(docstring).toContain("SESSION_ENGINE = 'dynamodb_sessions'");
    expect(renderDjangoSessionBackend({ module: 'app.sessions' })).toContain("SESSION_ENGINE = 'app.sessions'");
  });
});

describe('djangoModulePath', () => {
  it.each([
    ['dynamodb_sessions.py', 'dynamodb_sessions'],
    ['mysite/sessions/backend.py', 'mysite.sessions.backend'],
    ['my-site/backend.py', undefined],
    ['backend.txt', undefined],
    ['/abs/backend.py', undefined],
    ['../backend.py', undefined],
  ])('%s -> %s', (file, expected) => {
    expect(djangoModulePath(file)).toBe(expected);
  });
});

describe('fixate on the generated Django backend', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixate-django-backend-'));
  writeFileSync(join(dir, DJANGO_SESSION_DEFAULT_FILE), source);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // noPrefilter: once Python is read, every rule must look at the file, not only those its keywords wake.
  const result = await scan({ paths: [dir], cwd: dir, noPrefilter: true });
  it('scans the module, and it is clean', () => {
    expect(result.stats.filesScanned).toBe(1);
    expect(result.notifications.filter((n) => n.skipped)).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.stats.suppressed).toBe(0);
  });
});
