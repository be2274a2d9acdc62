// Rewrites the generated rules table in README.md from the built rule metadata (npm run readme:rules).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRulesTable, replaceRulesTable } from '../dist/src/docs/rules-table.js';
import { ruleMetas } from '../dist/rules/index.js';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, replaceRulesTable(readFileSync(path, 'utf8'), renderRulesTable(ruleMetas)));
console.log(`README.md: rules table updated (${ruleMetas.length} rules)`);
