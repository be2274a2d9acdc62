// The README's table of the GitHub Action's inputs, generated from action.yml so it cannot drift
// (test/cli/action.test.ts fails when it is stale). `npm run readme:action` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const START = '<!-- action-inputs:start (generated from action.yml by `npm run readme:action`) -->';
export const END = '<!-- action-inputs:end -->';

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export function renderActionInputs(actionYaml) {
  const action = parse(actionYaml);
  const rows = Object.entries(action.inputs).map(([name, input]) => {
    const fallback = input.default === undefined || input.default === '' ? '' : `\`${cell(input.default)}\``;
    return `| \`${name}\` | ${cell(input.description)} | ${fallback} |`;
  });
  const outputs = Object.entries(action.outputs).map(([name, output]) => `\`${name}\` (${cell(output.description)})`);
  return [START, '| input | meaning | default |', '|---|---|---|', ...rows, '', `Outputs: ${outputs.join(', ')}.`, END].join(
    '\n',
  );
}

export function replaceActionInputs(readme, block) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error('README has no action-inputs markers');
  return readme.slice(0, start) + block + readme.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = new URL('../README.md', import.meta.url);
  const action = readFileSync(new URL('../action.yml', import.meta.url), 'utf8');
  writeFileSync(readme, replaceActionInputs(readFileSync(readme, 'utf8'), renderActionInputs(action)));
  console.log('README.md: action inputs table updated');
}
