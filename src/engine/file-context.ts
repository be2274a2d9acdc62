import type { ts } from 'ts-morph';
import { importedModulesInText } from '../analysis/imports.js';
import type { DependencyVersion, Manifest } from '../analysis/file-context.js';
import type { FileContext, Model } from '../models/model.js';
import type { Location, Region } from '../types.js';
import type { ProjectFacts } from './project-facts.js';
import { mentionedKeywords } from './keywords.js';

/** What a parsed file asks of the program that parsed it (`SourceProgram` in program.ts). */
export interface FileProgram {
  readonly facts: ProjectFacts;
  readonly models: Model[];
  /** The distinct keywords of all models (lower-case). */
  readonly keywords: readonly string[];
  readonly identityKeys: ReadonlySet<string>;
  get(absPath: string): ParsedFile | undefined;
  resolveImport(from: ParsedFile, specifier: string): ParsedFile | undefined;
  importersOf(file: ParsedFile): ParsedFile[];
  resolveModulePath(fromAbsPath: string, specifier: string): string | undefined;
  textOf(absPath: string): string | undefined;
  parseTree(file: ParsedFile): ts.SourceFile;
}

/**
 * One parsed source file and everything a rule may ask about it. Rules receive this as `ctx.file`
 * (typed as the `FileContext` interface); the models and the cross-file program hang off it so a rule
 * never reads files itself.
 */
export class ParsedFile implements FileContext {
  private importedModuleSet?: Set<string>;
  private tree?: ts.SourceFile;
  private orderedModels?: Model[];
  private knownModelList?: Model[];

  constructor(
    readonly absPath: string,
    /** POSIX path relative to the source root. */
    readonly path: string,
    readonly text: string,
    /** Undefined for a file known to parse whose tree is built on first use. */
    tree: ts.SourceFile | undefined,
    readonly program: FileProgram,
  ) {
    this.tree = tree;
  }

  get sourceFile(): ts.SourceFile {
    this.tree ??= this.program.parseTree(this);
    return this.tree;
  }

  get isJavaScript(): boolean {
    return /\.(c|m)?jsx?$/.test(this.absPath);
  }

  get importedModules(): Set<string> {
    // A text scan: asking an importer what it imports must not build its tree.
    this.importedModuleSet ??= importedModulesInText(this.text);
    return this.importedModuleSet;
  }

  /**
   * Every model, as evidence: a model's hooks recognise API shapes (`req.session.regenerate`,
   * `passport.authenticate`, `client.send(new PutCommand(…))`) wherever they appear, so a session
   * manager that declares no session library, or a middleware file with no imports, is still analysed.
   * Models known to be in use come first (`knownModels`): where two models read the same shape
   * differently, the one the code names decides. Of the others, only those whose keywords the file
   * mentions are asked: by a model's contract, a file without its keywords holds nothing it
   * recognises, and skipping it keeps every node from being offered to every model.
   */
  get models(): Model[] {
    if (!this.orderedModels) {
      const known = new Set(this.knownModels);
      // One pass over the text finds every keyword of every model it mentions.
      const found = mentionedKeywords(this.text, this.program.keywords);
      const mentioned = this.program.models.filter(
        (model) => !known.has(model) && model.keywords.some((keyword) => found.has(keyword)),
      );
      this.orderedModels = [...this.knownModels, ...mentioned];
    }
    return this.orderedModels;
  }

  /**
   * Models known to be in use for this file, the ones that add certainty (versions, defaults,
   * statelessness): packages the file imports first, then packages its package.json declares, then
   * packages known to the files that import this one (a router module that receives `passport` as a
   * parameter, a middleware file with no imports of its own).
   */
  get knownModels(): Model[] {
    if (!this.knownModelList) {
      const imported = this.program.models.filter((model) => this.imports(model));
      const declared = this.program.models.filter((model) => !imported.includes(model) && this.declares(model));
      const seen = new Set([...imported, ...declared]);
      const inherited: Model[] = [];
      for (const importer of this.program.importersOf(this)) {
        for (const model of this.program.models) {
          if (seen.has(model) || !(importer.imports(model) || importer.declares(model))) continue;
          seen.add(model);
          inherited.push(model);
        }
      }
      this.knownModelList = [...imported, ...declared, ...inherited];
    }
    return this.knownModelList;
  }

  private imports(model: Model): boolean {
    return model.packages.some((name) => this.importedModules.has(name));
  }

  private declares(model: Model): boolean {
    return model.packages.some((name) => this.program.facts.dependsOn(this.absPath, name));
  }

  importedSource(specifier: string, fromAbsPath = this.absPath): { absPath: string; text: string } | undefined {
    const target = this.program.resolveModulePath(fromAbsPath, specifier);
    const text = target ? this.program.textOf(target) : undefined;
    return target && text !== undefined ? { absPath: target, text } : undefined;
  }

  /** Scanned files that import this one through a relative specifier (see SourceProgram.importersOf). */
  get importers(): FileContext[] {
    return this.program.importersOf(this);
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
