import { budgetError } from "./errors.ts";
import { LIMITS } from "./limits.ts";
import type { Dict } from "./values.ts";

/** Names visible to expressions: plain JSON values, names are the top-level keys. */
export type Scope = Readonly<Record<string, unknown>>;

/** Per-evaluation state, threaded through every compiled node. */
export interface EvalState {
  readonly scope: Scope;
  /** Names bound inside the template (`{% for %}`, `{% set %}`); a null-prototype object, or null. */
  locals: Dict | null;
  /** Work done so far: AST nodes evaluated plus items processed by filters and loops. */
  steps: number;
}

export function newState(scope: Scope): EvalState {
  return { scope, locals: null, steps: 0 };
}

/** Counts `n` units of work; past `LIMITS.maxSteps` the evaluation stops with E_EXPR_BUDGET. */
export function charge(st: EvalState, n: number): void {
  st.steps += n;
  if (st.steps > LIMITS.maxSteps) {
    throw budgetError(`evaluation exceeded the step budget of ${LIMITS.maxSteps}`);
  }
}

/** Fails before building a string longer than the size budget. */
export function checkStringLength(length: number): void {
  if (length > LIMITS.maxStringLength) {
    throw budgetError(`string of ${length} characters exceeds the limit of ${LIMITS.maxStringLength}`);
  }
}

/** Fails before building a list longer than the size budget. */
export function checkListLength(length: number): void {
  if (length > LIMITS.maxListLength) {
    throw budgetError(`list of ${length} items exceeds the limit of ${LIMITS.maxListLength}`);
  }
}
