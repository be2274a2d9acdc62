import type { ts } from 'ts-morph';
import { importedModules } from '../analysis/imports.js';
import type { DependencyVersion, Manifest } from '../analysis/file-context.js';
import type { FileContext, Model } from '../models/model.js';
import type { Location, Region } from '../types.js';
import type { ProjectFacts } from './project-facts.js';

/** What a parsed file asks of the program that parsed it (`SourceProgram` in program.ts). */
export interface FileProgram {
  readonly facts: ProjectFacts;
  readonly models: Model[];
  readonly identityKeys: ReadonlySet<string>;
  get(absPath: string): ParsedFile | undefined;
  resolveImport(from: ParsedFile, specifier: string): ParsedFile | undefined;
}

/**
 * One parsed source file and everything a rule may ask about it. Rules receive this as `ctx.file`
 * (typed as the `FileContext` interface); the models and the cross-file program hang off it so a rule
 * never reads files itself.
 */
export class ParsedFile implements FileContext {
  private importedModuleSet?: Set<string>;
  private enabledModels?: Model[];

  constructor(
    readonly absPath: string,
    /** POSIX path relative to the source root. */
    readonly path: string,
    readonly text: string,
    readonly sourceFile: ts.SourceFile,
    readonly program: FileProgram,
  ) {}

  get isJavaScript(): boolean {
    return /\.(c|m)?jsx?$/.test(this.absPath);
  }

  get importedModules(): Set<string> {
    this.importedModuleSet ??= importedModules(this.sourceFile);
    return this.importedModuleSet;
  }

  /** Models enabled for this file: its package.json depends on the package, or the file imports it. */
  get models(): Model[] {
    this.enabledModels ??= this.program.models.filter((model) =>
      model.packages.some((name) => this.importedModules.has(name) || this.program.facts.dependsOn(this.absPath, name)),
    );
    return this.enabledModels;
  }

  hasModel(id: string): boolean {
    return this.models.some((model) => model.id === id);
  }

  get identityKeys(): ReadonlySet<string> {
    return this.program.identityKeys;
  }

  versionOf(packageName: string): DependencyVersion {
    return this.program.facts.versionOf(this.absPath, packageName);
  }

  get manifest(): Manifest | undefined {
    return this.program.facts.manifestFor(this.absPath);
  }

  /** The file a relative import specifier of this file names, parsed lazily; undefined for packages. */
  resolveImport(specifier: string): ParsedFile | undefined {
    return this.program.resolveImport(this, specifier);
  }

  region(start: number, end: number): Region {
    const startPos = this.sourceFile.getLineAndCharacterOfPosition(start);
    const endPos = this.sourceFile.getLineAndCharacterOfPosition(Math.max(start, end));
    return {
      startLine: startPos.line + 1,
      startColumn: startPos.character + 1,
      endLine: endPos.line + 1,
      endColumn: endPos.character + 1,
    };
  }

  locationOf(node: ts.Node): Location {
    return { path: this.path, region: this.region(node.getStart(this.sourceFile), node.getEnd()) };
  }

  /** Source text of a node, without leading trivia. */
  textOf(node: ts.Node): string {
    return this.text.slice(node.getStart(this.sourceFile), node.getEnd());
  }

  lineOf(node: ts.Node): number {
    return this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile)).line + 1;
  }
}
