import type { ts } from 'ts-morph';
import type { FixEditDescriptor } from '../rule.js';

/**
 * An edit that adds `propertyText` (e.g. `secure: true`) as the first property of an object literal,
 * matching the literal's layout: on its own line with the first property's indentation when the
 * literal is multi-line, inline otherwise.
 */
export function insertFirstProperty(literal: ts.ObjectLiteralExpression, propertyText: string): FixEditDescriptor {
  const sourceFile = literal.getSourceFile();
  const text = sourceFile.text;
  const open = literal.getStart(sourceFile);
  const first = literal.properties[0];
  if (!first) {
    return { start: open, end: literal.getEnd(), newText: `{ ${propertyText} }` };
  }
  const firstStart = first.getStart(sourceFile);
  const between = text.slice(open + 1, firstStart);
  if (between.includes('\n')) {
    const indent = between.slice(between.lastIndexOf('\n') + 1);
    return { start: firstStart, end: firstStart, newText: `${propertyText},\n${indent}` };
  }
  return { start: firstStart, end: firstStart, newText: `${propertyText}, ` };
}

/** An edit replacing a node's text (without its leading trivia). */
export function replaceNode(node: ts.Node, newText: string): FixEditDescriptor {
  const sourceFile = node.getSourceFile();
  return { start: node.getStart(sourceFile), end: node.getEnd(), newText };
}
