import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RuleMetaDefinition } from '../rule.js';
import type { RuleDescriptor } from '../types.js';
import { packageInfo, packageRoot } from '../version.js';

/** The rule's README (shipped in the package as `rules/<id>/README.md`). */
export function readRuleReadme(ruleId: string): string {
  try {
    return readFileSync(path.join(packageRoot(), 'rules', ruleId, 'README.md'), 'utf8');
  } catch {
    return '';
  }
}

export function ruleDocsUrl(ruleId: string): string {
  return `${packageInfo().homepage}/blob/main/rules/${ruleId}/README.md`;
}

export function describeRule(definition: RuleMetaDefinition): RuleDescriptor {
  const { id, meta } = definition;
  const markdown = readRuleReadme(id);
  return {
    id,
    title: meta.title,
    description: meta.description,
    severity: meta.severity,
    precision: meta.precision,
    securitySeverity: meta.securitySeverity,
    cwe: meta.cwe,
    tags: meta.tags ?? [],
    frameworks: meta.frameworks,
    helpMarkdown: markdown,
    helpText: markdownToText(markdown),
    docsUrl: ruleDocsUrl(id),
  };
}

/** Plain-text help for SARIF `help.text`: headings and emphasis markers dropped, code kept. */
function markdownToText(markdown: string): string {
  return markdown
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)');
}
