// Types for the generator, so the TypeScript tests can import the plain-JS module under `strict`.

export declare const GENERATOR_VERSION: number;
export declare const DEFAULT_LINES: number;
export declare const DEFAULT_SEED: number;
export declare const SESSION_SHARE: number;
export declare const MIN_FILE_LINES: number;
export declare const MAX_FILE_LINES: number;
export declare const CORPUS_ROOT: string;

export interface CorpusFile {
  /** POSIX path relative to the corpus root, e.g. `packages/billing/src/routes/order.routes.ts`. */
  path: string;
  text: string;
  lines: number;
  /** Template the file came from, e.g. `service`, `express-login`. */
  kind: string;
  /** Touches sessions, cookies, logins or DynamoDB session storage. */
  session: boolean;
  /** A session file written with a weakness fixate should report. */
  vulnerable: boolean;
}

export interface MetaFile {
  path: string;
  text: string;
}

export interface CorpusPackage {
  name: string;
  framework: 'express' | 'fastify' | 'koa' | 'nest' | 'web' | 'lib';
  moduleType: 'module' | 'commonjs';
  deps: Record<string, string>;
}

export interface CorpusPlan {
  lines: number;
  seed: number;
  files: CorpusFile[];
  meta: MetaFile[];
  totalLines: number;
  packages: CorpusPackage[];
}

export interface CorpusStamp {
  generatorVersion: number;
  lines: number;
  seed: number;
  files: number;
  totalLines: number;
  sessionFiles: number;
  vulnerableFiles: number;
  packages: number;
  contentHash: string;
  touchedFile: string | null;
  gitError: string | null;
}

export declare function planCorpus(options?: { lines?: number; seed?: number }): CorpusPlan;
export declare function corpusHash(plan: { files: MetaFile[]; meta: MetaFile[] }): string;
export declare function writeCorpus(plan: CorpusPlan, dir: string): Promise<void>;
export declare function corpusDir(lines: number, seed: number, root?: string): string;
export declare function ensureCorpus(options?: {
  lines?: number;
  seed?: number;
  root?: string;
  force?: boolean;
  log?: (message: string) => void;
}): Promise<{ dir: string; stamp: CorpusStamp; generated: boolean }>;
export declare function shieldFromProjectTools(root: string): Promise<void>;
