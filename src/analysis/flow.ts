import { ts } from '#typescript';
import { isFunctionLike } from './syntax.js';

/**
 * "Has event E happened on every path from the start of a function to this point?" over the structured
 * statements of one function body, without building a control-flow graph. Used for "is the session
 * rotated before this identity write", and for helper summaries ("is it rotated when the function
 * returns").
 *
 * What is modelled: sequence, if/else, early `return`/`throw` (a branch that leaves does not join),
 * `try`/`catch`/`finally` (the catch may be entered before anything in the try happened), `switch`,
 * `&&`/`||`/`??`/`?:` (an event on the right is only possible), and `await` (the event predicate
 * decides which awaited calls complete an event). Loops: an event inside a loop body is never assumed
 * to have happened after the loop (it may run zero times), and a target inside a loop that is not
 * dominated by an event before the loop is `unknown` — callers prefer no finding. Nested functions are
 * opaque: their bodies run at some other time.
 */
export type Dominance = 'all' | 'some' | 'none' | 'unknown';

/** Whether the event happens when this node is evaluated: surely, only on some paths, or not at all. */
export type EventPredicate = (node: ts.Node) => boolean;

interface State {
  /** Happened on every path reaching here. */
  must: boolean;
  /** Happened on some path reaching here. */
  may: boolean;
}

/** `null` stands for "no path reaches here" (after return/throw). */
type Flow = State | null;

const NONE: State = { must: false, may: false };

function join(a: Flow, b: Flow): Flow {
  if (!a) return b;
  if (!b) return a;
  return { must: a.must && b.must, may: a.may || b.may };
}

class Walker {
  found: Flow | undefined;
  unknown = false;
  /** States at `return` statements (with the returned expression evaluated), for exit states. */
  readonly exits: { state: State; node: ts.ReturnStatement }[] = [];
  private loopDepth = 0;

  constructor(
    private readonly happens: EventPredicate,
    private readonly target: ts.Node | undefined,
    /** For exit states: a returned expression that completes the event for an awaiting caller. */
    private readonly returnCompletes?: EventPredicate,
    private readonly options: PathOptions = {},
  ) {}

  private contains(node: ts.Node): boolean {
    return this.target !== undefined && node.pos <= this.target.pos && this.target.end <= node.end;
  }

  /** Applies the events of an expression (or simple statement) evaluated in order. */
  evaluate(node: ts.Node | undefined, state: State): State {
    if (!node) return state;
    const effect = this.effectOf(node);
    if (effect === 'must') return { must: true, may: true };
    if (effect === 'may') return { must: state.must, may: true };
    return state;
  }

  private effectOf(node: ts.Node): 'must' | 'may' | 'none' {
    if (isFunctionLike(node) || ts.isClassLike(node)) return 'none';
    if (this.happens(node)) return 'must';
    if (ts.isBinaryExpression(node)) {
      const operator = node.operatorToken.kind;
      if (
        operator === ts.SyntaxKind.AmpersandAmpersandToken ||
        operator === ts.SyntaxKind.BarBarToken ||
        operator === ts.SyntaxKind.QuestionQuestionToken
      ) {
        const left = this.effectOf(node.left);
        if (left === 'must') return 'must';
        const right = this.effectOf(node.right);
        return left === 'may' || right !== 'none' ? 'may' : 'none';
      }
    }
    if (ts.isConditionalExpression(node)) {
      const condition = this.effectOf(node.condition);
      if (condition === 'must') return 'must';
      const whenTrue = this.effectOf(node.whenTrue);
      const whenFalse = this.effectOf(node.whenFalse);
      if (whenTrue === 'must' && whenFalse === 'must') return 'must';
      return condition !== 'none' || whenTrue !== 'none' || whenFalse !== 'none' ? 'may' : 'none';
    }
    let result: 'must' | 'may' | 'none' = 'none';
    ts.forEachChild(node, (child) => {
      if (result === 'must') return;
      const effect = this.effectOf(child);
      if (effect === 'must' || (effect === 'may' && result === 'none')) result = effect;
    });
    return result;
  }

  /** Runs statements in order; returns the state on normal completion (`null` if none completes). */
  statements(list: readonly ts.Statement[], state: Flow): Flow {
    let current = state;
    for (const statement of list) {
      if (this.found !== undefined) return null;
      if (!current) {
        // Unreachable code: a target here is reached by no path.
        if (this.contains(statement)) this.found = null;
        return null;
      }
      current = this.statement(statement, current);
    }
    return current;
  }

  statement(statement: ts.Statement, state: State): Flow {
    const holdsTarget = this.contains(statement);
    if (ts.isBlock(statement)) return this.statements(statement.statements, state);
    if (ts.isIfStatement(statement)) {
      if (holdsTarget && this.contains(statement.expression)) return this.reach(state);
      const afterCondition = this.evaluate(statement.expression, state);
      // A branch in which the event is not needed (`if (!signedIn) return …`) counts as having it.
      const needless = this.options.needlessBranch?.(statement.expression);
      const DONE: State = { must: true, may: true };
      const thenFlow = this.statement(statement.thenStatement, needless === 'then' ? DONE : afterCondition);
      if (this.found !== undefined) return null;
      const elseEntry = needless === 'else' ? DONE : afterCondition;
      const elseFlow = statement.elseStatement ? this.statement(statement.elseStatement, elseEntry) : elseEntry;
      return join(thenFlow, elseFlow);
    }
    if (ts.isTryStatement(statement)) {
      const tryFlow = this.statements(statement.tryBlock.statements, state);
      if (this.found !== undefined) return null;
      // The catch can start before anything in the try happened.
      const catchEntry: State = { must: state.must, may: state.may || (tryFlow?.may ?? false) };
      const catchFlow =
        statement.catchClause && !this.options.skipCatch
          ? this.statements(statement.catchClause.block.statements, catchEntry)
          : null;
      if (this.found !== undefined) return null;
      const joined = statement.catchClause && !this.options.skipCatch ? join(tryFlow, catchFlow) : tryFlow;
      if (!statement.finallyBlock) return joined;
      const finallyEntry = join(joined, catchEntry) ?? catchEntry;
      const finallyFlow = this.statements(statement.finallyBlock.statements, finallyEntry);
      if (!joined || !finallyFlow) return null;
      return { must: joined.must || finallyFlow.must, may: joined.may || finallyFlow.may };
    }
    if (
      ts.isForStatement(statement) ||
      ts.isForOfStatement(statement) ||
      ts.isForInStatement(statement) ||
      ts.isWhileStatement(statement) ||
      ts.isDoStatement(statement)
    ) {
      const header = ts.isForStatement(statement)
        ? statement.initializer
        : ts.isDoStatement(statement)
          ? undefined
          : statement.expression;
      const entry = this.evaluate(header, state);
      this.loopDepth++;
      const bodyFlow = this.statement(statement.statement, entry);
      this.loopDepth--;
      if (this.found !== undefined) return null;
      // A do-while body runs at least once; other loops may run zero times.
      if (ts.isDoStatement(statement)) return bodyFlow ?? entry;
      return { must: entry.must, may: entry.may || (bodyFlow?.may ?? false) };
    }
    if (ts.isSwitchStatement(statement)) {
      if (holdsTarget && this.contains(statement.expression)) return this.reach(state);
      const entry = this.evaluate(statement.expression, state);
      let out: Flow = null;
      let fallthrough: Flow = null;
      let hasDefault = false;
      for (const clause of statement.caseBlock.clauses) {
        if (ts.isDefaultClause(clause)) hasDefault = true;
        const clauseEntry = join(entry, fallthrough) ?? entry;
        const clauseFlow = this.clause(clause.statements, clauseEntry);
        if (this.found !== undefined) return null;
        out = join(out, clauseFlow.broke);
        fallthrough = clauseFlow.fell;
      }
      out = join(out, fallthrough);
      return hasDefault ? out : join(out, entry);
    }
    if (ts.isLabeledStatement(statement)) return this.statement(statement.statement, state);
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      if (holdsTarget) this.unknown = true;
      return state;
    }
    if (holdsTarget) return this.reach(state);
    if (ts.isReturnStatement(statement)) {
      const after = this.evaluate(statement.expression, state);
      const completes = statement.expression && this.returnCompletes?.(statement.expression);
      this.exits.push({ state: completes ? { must: true, may: true } : after, node: statement });
      return null;
    }
    if (ts.isThrowStatement(statement)) return null;
    if (ts.isBreakStatement(statement) || ts.isContinueStatement(statement)) return this.evaluate(undefined, state);
    return this.evaluate(statement, state);
  }

  private clause(list: readonly ts.Statement[], state: State): { broke: Flow; fell: Flow } {
    let current: Flow = state;
    for (const statement of list) {
      if (!current || this.found !== undefined) return { broke: null, fell: null };
      if (ts.isBreakStatement(statement) && !statement.label) return { broke: current, fell: null };
      current = this.statement(statement, current);
    }
    return { broke: null, fell: current };
  }

  private reach(state: State): null {
    this.found = state;
    if (this.loopDepth > 0 && !state.must) this.unknown = true;
    return null;
  }
}

function bodyStatements(fn: ts.FunctionLikeDeclaration): readonly ts.Statement[] | undefined {
  if (!fn.body) return undefined;
  if (ts.isBlock(fn.body)) return fn.body.statements;
  return undefined;
}

/**
 * Whether `happens` holds on every path from the start of `fn` to `target` (a node inside `fn` but not
 * inside a nested function). `entry` is true when the event already happened before `fn` started.
 */
export function dominance(
  fn: ts.FunctionLikeDeclaration,
  target: ts.Node,
  happens: EventPredicate,
  entry = false,
): Dominance {
  const start: State = entry ? { must: true, may: true } : NONE;
  const walker = new Walker(happens, target);
  const statements = bodyStatements(fn);
  if (statements) {
    walker.statements(statements, start);
  } else if (fn.body) {
    // Concise arrow body: an expression evaluated in order.
    walker.found = walker.evaluate(undefined, start);
    const effectBefore = precedingEffect(fn.body as ts.Expression, target, happens);
    if (effectBefore) walker.found = { must: true, may: true };
  }
  if (walker.unknown) return 'unknown';
  const at = walker.found;
  if (at === undefined) return 'unknown';
  if (at === null) return 'all'; // unreachable
  if (at.must) return 'all';
  if (at.may) return 'some';
  return 'none';
}

/** In a concise body `a(), b(target)`: whether an event node ends before the target starts. */
function precedingEffect(body: ts.Expression, target: ts.Node, happens: EventPredicate): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || node.pos >= target.pos || isFunctionLike(node)) return;
    if (node.end <= target.pos && happens(node)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/**
 * Whether the event has happened on every path by the time `fn` returns normally (for helper summaries
 * such as "rotates the session it receives"). `returnCompletes` accepts a returned expression that
 * completes the event for a caller that awaits the result (`return req.session.regenerate()`).
 */
export function happensOnExit(
  fn: ts.FunctionLikeDeclaration,
  happens: EventPredicate,
  returnCompletes?: EventPredicate,
): boolean {
  const walker = new Walker(happens, undefined, returnCompletes);
  const statements = bodyStatements(fn);
  if (!statements) {
    if (!fn.body) return false;
    const body = fn.body as ts.Expression;
    return walker.evaluate(body, NONE).must || (returnCompletes?.(body) ?? false);
  }
  const fallOff = walker.statements(statements, NONE);
  let exit: Flow = fallOff;
  for (const { state } of walker.exits) exit = join(exit, state);
  return exit?.must ?? false;
}

export interface PathOptions {
  /**
   * The branch of an `if` with this condition in which the event is not needed, so it counts as
   * having happened there (`if (!req.session.userId) return …`: nobody is signed in, nothing to end).
   */
  needlessBranch?: (condition: ts.Expression) => 'then' | 'else' | undefined;
  /** Leave out paths through `catch` clauses (error paths: the request failed, it did not complete). */
  skipCatch?: boolean;
}

/**
 * The ways out of `fn` that some path reaches without the event: `return` statements, and the body
 * itself when control can fall off its end. Empty when every exit has the event on every path (or
 * `fn` has a concise body that has it). Throws are not exits (nothing completes normally there).
 */
export function exitsWithout(
  fn: ts.FunctionLikeDeclaration,
  happens: EventPredicate,
  options: PathOptions = {},
): ts.Node[] {
  const walker = new Walker(happens, undefined, undefined, options);
  const statements = bodyStatements(fn);
  if (!statements) return fn.body && !walker.evaluate(fn.body, NONE).must ? [fn.body] : [];
  const fallOff = walker.statements(statements, NONE);
  const missing: ts.Node[] = walker.exits.filter((exit) => !exit.state.must).map((exit) => exit.node);
  if (fallOff && !fallOff.must && fn.body) missing.push(fn.body);
  return missing;
}
