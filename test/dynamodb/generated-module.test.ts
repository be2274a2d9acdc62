/**
 * Static checks on the text `fixate init dynamodb-store` writes: the TypeScript variant compiles
 * cleanly under strict settings against the installed @types, and the JavaScript variant is the
 * same program minus types. (store.e2e.test.ts runs both against DynamoDB Local.)
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DYNAMODB_STORE_TABLE, renderDynamoDbStore } from '../../src/init/dynamodb-store.js';
import { sessionTableParams } from '../../src/init/session-table.js';
import { REPO_ROOT } from './support.js';

// Virtual files inside the repository, so module resolution finds its node_modules.
const DIR = join(REPO_ROOT, 'test', 'dynamodb', '__generated__');
const TS_FILE = join(DIR, 'dynamodb-session-store.mts');
const JS_FILE = join(DIR, 'dynamodb-session-store.mjs');
const ALLOWED_IMPORTS = ['node:crypto', 'express-session', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];

const tsSource = renderDynamoDbStore({ language: 'ts' });
const jsSource = renderDynamoDbStore({ language: 'js' });

const BASE_OPTIONS: ts.CompilerOptions = {
  strict: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  types: ['node'],
  skipLibCheck: true,
  noEmit: true,
};

// Users paste this file into projects with stricter settings than ours; it should compile in them too.
const STRICTEST_OPTIONS: ts.CompilerOptions = {
  ...BASE_OPTIONS,
  esModuleInterop: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: false,
};

function program(files: Record<string, string>, options: ts.CompilerOptions): ts.Program {
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name in files
      ? ts.createSourceFile(name, files[name], languageVersion, true)
      : getSourceFile.call(host, name, languageVersion, ...rest);
  host.fileExists = (name) => name in files || fileExists.call(host, name);
  host.readFile = (name) => files[name] ?? readFile.call(host, name);
  return ts.createProgram({ rootNames: Object.keys(files), options, host });
}

function format(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => REPO_ROOT,
    getNewLine: () => '\n',
  });
}

function exportedNames(prog: ts.Program, file: string): string[] {
  const checker = prog.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(prog.getSourceFile(file)!);
  return checker
    .getExportsOfModule(symbol!)
    .map((s) => s.getName())
    .sort();
}

function importSpecifiers(source: string): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.ES2022, true);
  return file.statements
    .filter(ts.isImportDeclaration)
    .map((d) => (d.moduleSpecifier as ts.StringLiteral).text)
    .sort();
}

/** Same program text once comments, formatting and type annotations are gone. */
function normalised(code: string): string {
  const printer = ts.createPrinter({ removeComments: true });
  return printer.printFile(ts.createSourceFile('x.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS));
}

describe('renderDynamoDbStore', () => {
  it.each([
    ['strict + NodeNext', BASE_OPTIONS],
    ['the strictest common settings', STRICTEST_OPTIONS],
  ])('emits TypeScript with zero diagnostics under %s', (_name, options) => {
    const prog = program({ [TS_FILE]: tsSource }, options);
    const diagnostics = ts.getPreEmitDiagnostics(prog);
    expect(format(diagnostics)).toBe('');
    expect(diagnostics).toHaveLength(0);
  });

  it('emits JavaScript that parses and exports the same names as the TypeScript', () => {
    const prog = program({ [TS_FILE]: tsSource, [JS_FILE]: jsSource }, { ...BASE_OPTIONS, allowJs: true });
    const jsFile = prog.getSourceFile(JS_FILE)!;
    expect(format(prog.getSyntacticDiagnostics(jsFile))).toBe('');
    const tsNames = exportedNames(prog, TS_FILE);
    expect(tsNames).toEqual(
      expect.arrayContaining(['DynamoDBSessionStore', 'generateSessionId', 'isValidSessionId', 'rotateSession']),
    );
    const tsValueNames = tsNames.filter((name) => name !== 'DynamoDBSessionStoreOptions');
    expect(exportedNames(prog, JS_FILE)).toEqual(tsValueNames);
  });

  it('emits JavaScript that is exactly the TypeScript with its types erased', () => {
    const transpiled = ts.transpileModule(tsSource, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    expect(normalised(jsSource)).toBe(normalised(transpiled));
  });

  it('imports only node:crypto, express-session and the AWS SDK', () => {
    for (const source of [tsSource, jsSource]) {
      for (const specifier of importSpecifiers(source)) expect(ALLOWED_IMPORTS).toContain(specifier);
    }
    expect(importSpecifiers(jsSource)).toEqual(['@aws-sdk/lib-dynamodb', 'express-session', 'node:crypto']);
  });

  it('reads every item with ConsistentRead and writes expires in epoch seconds', () => {
    const file = ts.createSourceFile('x.ts', tsSource, ts.ScriptTarget.ES2022, true);
    const gets: ts.NewExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && node.expression.getText(file) === 'GetCommand') gets.push(node);
      ts.forEachChild(node, visit);
    };
    visit(file);
    expect(gets.length).toBeGreaterThan(0);
    for (const get of gets) expect(get.arguments?.[0]?.getText(file)).toMatch(/ConsistentRead: true/);
    expect(tsSource).toContain('Math.floor(Date.now() / 1000)');
    expect(tsSource).toContain("randomBytes(32).toString('base64url')");
    expect(tsSource).toContain(`/${DYNAMODB_STORE_TABLE.sessionIdPattern}/`);
  });

  it('documents the table it expects, matching DYNAMODB_STORE_TABLE', () => {
    const header = tsSource.slice(0, tsSource.indexOf('*/'));
    const params = sessionTableParams('sessions');
    expect(header).toContain('new dynamodb.TableV2(');
    expect(header).toContain(
      `partitionKey: { name: '${DYNAMODB_STORE_TABLE.partitionKey}', type: dynamodb.AttributeType.STRING }`,
    );
    expect(header).toContain(`timeToLiveAttribute: '${DYNAMODB_STORE_TABLE.ttlAttribute}'`);
    expect(header).toContain(
      `AttributeDefinitions: [{ AttributeName: '${params.createTable.AttributeDefinitions[0].AttributeName}', AttributeType: 'S' }]`,
    );
    expect(header).toContain(`KeySchema: [{ AttributeName: '${DYNAMODB_STORE_TABLE.partitionKey}', KeyType: 'HASH' }]`);
    expect(header).toContain(
      `TimeToLiveSpecification: { Enabled: true, AttributeName: '${params.updateTimeToLive.TimeToLiveSpecification.AttributeName}' }`,
    );
    expect(header).toContain('genid: generateSessionId');
    // Both variants carry the same documentation.
    expect(jsSource.slice(0, jsSource.indexOf('*/'))).toBe(header);
  });

  it('rejects an unknown language', () => {
    expect(() => renderDynamoDbStore({ language: 'py' as 'ts' })).toThrow(/unknown language/);
  });
});
