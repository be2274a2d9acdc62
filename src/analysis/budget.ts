/**
 * The per-file time budget, shared by the engine's walk and the analyses that can do a lot of work
 * for one node (taint queries, flow summaries). JavaScript cannot interrupt a synchronous analysis, so
 * long-running loops check in cooperatively; the engine turns the exception into a `time-budget`
 * notification and moves on to the next file.
 */
export class TimeBudgetExceeded extends Error {}

let deadline = Number.POSITIVE_INFINITY;

export function setDeadline(at: number): void {
  deadline = at;
}

export function checkDeadline(): void {
  if (performance.now() > deadline) throw new TimeBudgetExceeded('per-file time budget exceeded');
}
