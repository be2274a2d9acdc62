import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './built.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const recipe = /<!-- shard-recipe:start -->\n```yaml\n([\s\S]*?)```\n<!-- shard-recipe:end -->/.exec(readme)?.[1] ?? '';

interface Job {
  needs?: string;
  strategy?: { matrix: { shard: number[] } };
  steps: { run?: string; uses?: string; with?: Record<string, unknown> }[];
}

describe("the README's sharding recipe", () => {
  it("is a valid workflow by SchemaStore's schema (as @action-validator/core ships it)", () => {
    expect(recipe).not.toBe('');
    expect(validateWorkflow(recipe).errors).toEqual([]);
  });

  it('runs one shard per matrix entry, of as many as the matrix has, then merges them all and uploads', () => {
    const jobs = parse(recipe).jobs as Record<string, Job>;
    const shards = jobs.shard.strategy!.matrix.shard;
    const scan = jobs.shard.steps.find((s) => s.run?.includes('--shard'))!.run!;
    expect(scan).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(shards).toEqual(shards.map((_, i) => i + 1));
    expect(jobs.merge.needs).toBe('shard');
    const merge = jobs.merge.steps.find((s) => s.run?.includes(' merge '))!.run!;
    const upload = jobs.merge.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(merge).toContain(`--output ${upload.with!.sarif_file}`);
  });
});
