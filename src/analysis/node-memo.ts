/**
 * Answers about syntax nodes, computed once per node and kept per file: the rules ask the same
 * questions about the same nodes (the login rule, the logout rule and the flow analysis all ask whether
 * a call rotates). Each file owns a plain map of its answers, so when the program drops a file's tree
 * its answers go with it at once, instead of one weak entry per node that every garbage collection has
 * to trace (a weak map per question held hundreds of thousands of entries on a 3M-line tree).
 *
 * `file` must be the file the node belongs to, as every caller passes it.
 */
export function memoPerFile<N extends object, F extends object, T>(
  compute: (node: N, file: F) => T,
): (node: N, file: F) => T {
  const answersByFile = new WeakMap<F, Map<N, T | typeof NO_ANSWER>>();
  // One file is analysed at a time and asks thousands of questions in a row: its map is found once.
  // (This keeps the last file asked alive until another is: one tree, not a growing set.)
  let lastFile: F | undefined;
  let lastAnswers: Map<N, T | typeof NO_ANSWER> | undefined;
  return (node, file) => {
    let answers = file === lastFile ? lastAnswers : undefined;
    if (!answers) {
      answers = answersByFile.get(file);
      if (!answers) {
        answers = new Map();
        answersByFile.set(file, answers);
      }
      lastFile = file;
      lastAnswers = answers;
    }
    // The answer itself is stored (no wrapper object per node), with a marker for "no answer", the
    // common case, so each question is one lookup.
    const known = answers.get(node);
    if (known !== undefined) return (known === NO_ANSWER ? undefined : known) as T;
    const answer = compute(node, file);
    answers.set(node, answer === undefined ? NO_ANSWER : answer);
    return answer;
  };
}

const NO_ANSWER: unique symbol = Symbol('no answer');

/**
 * A verdict cached under two keys, the first held weakly (a syntax node, a key set): computed once per
 * pair, for questions asked again and again about the same few things.
 */
export function cachedVerdict<A extends object, B, T>(
  cache: WeakMap<A, Map<B, T>>,
  first: A,
  second: B,
  compute: () => T,
): T {
  let verdicts = cache.get(first);
  if (!verdicts) {
    verdicts = new Map();
    cache.set(first, verdicts);
  }
  let verdict = verdicts.get(second);
  if (verdict === undefined) {
    verdict = compute();
    verdicts.set(second, verdict);
  }
  return verdict;
}
