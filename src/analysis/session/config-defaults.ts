import { ts } from '#typescript';
import type { FileContext } from '../../models/model.js';
import { environmentVariableName, resolveValue } from '../values.js';
import { memberPath, propertyNameText, unwrap } from '../syntax.js';

/**
 * What a configured flag is when the deployment sets nothing: the default of a validated config value.
 * - a loader helper: `parseBoolean(process.env.COOKIE_SECURE, false)` (an environment read and a
 *   boolean literal among the call's arguments);
 * - a JSON schema (`@fastify/env`, env-schema, ajv): `config.COOKIE_SECURE` with
 *   `COOKIE_SECURE: { type: 'boolean', default: true }` in this file or in a module beside it (one
 *   imported by a file that imports this one: the app that registers both).
 * Undefined when no default can be read; a plain `process.env.X === 'true'` is a runtime condition.
 */
export function configuredDefault(expression: ts.Expression, file: FileContext): boolean | undefined {
  const resolved = resolveValue(expression, file);
  const node = resolved.node;
  if (ts.isCallExpression(node)) {
    const reads = node.arguments.some((argument) => environmentVariableName(argument) !== undefined);
    const literal = node.arguments.map((argument) => unwrap(argument)).find(isBooleanLiteral);
    if (reads && literal) return literal.kind === ts.SyntaxKind.TrueKeyword;
    return undefined;
  }
  const path = ts.isExpression(node as ts.Expression) ? memberPath(node as ts.Expression) : undefined;
  if (!path || path.length < 2 || !path.slice(0, -1).some((segment) => /config|env/i.test(segment))) return undefined;
  const name = path.at(-1)!;
  for (const candidate of nearbyFiles(file)) {
    const found = schemaDefault(candidate, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isBooleanLiteral(node: ts.Expression): boolean {
  return node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword;
}

/** This file, the local modules it imports, and those its importers import (siblings registered together). */
function nearbyFiles(file: FileContext): FileContext[] {
  const seen = new Set<FileContext>([file]);
  const add = (from: FileContext) => {
    for (const statement of from.sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const target = from.resolveImport(statement.moduleSpecifier.text);
      if (target) seen.add(target);
    }
  };
  add(file);
  for (const importer of file.importers) {
    seen.add(importer);
    add(importer);
  }
  return [...seen];
}

const schemaDefaults = new WeakMap<FileContext, Map<string, boolean>>();

/** `NAME: { type: 'boolean', default: true }` anywhere in the file. */
function schemaDefault(file: FileContext, name: string): boolean | undefined {
  let defaults = schemaDefaults.get(file);
  if (!defaults) {
    const found = new Map<string, boolean>();
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.initializer)) {
        const key = propertyNameText(node.name);
        let isBoolean = false;
        let fallback: boolean | undefined;
        for (const property of node.initializer.properties) {
          if (!ts.isPropertyAssignment(property)) continue;
          const field = propertyNameText(property.name);
          const value = unwrap(property.initializer);
          if (field === 'type' && ts.isStringLiteralLike(value) && value.text === 'boolean') isBoolean = true;
          if (field === 'default' && isBooleanLiteral(value)) fallback = value.kind === ts.SyntaxKind.TrueKeyword;
        }
        if (key && isBoolean && fallback !== undefined) found.set(key, fallback);
      }
      ts.forEachChild(node, visit);
    };
    if (/default/.test(file.text)) visit(file.sourceFile);
    defaults = found;
    schemaDefaults.set(file, defaults);
  }
  return defaults.get(name);
}
