/** Stable error codes of the expression language. */
export type ExprErrorCode = "E_EXPR_SYNTAX" | "E_EXPR_EVAL" | "E_EXPR_BUDGET";

/**
 * The only error the expression language throws. `offset` is the character offset in the source text
 * (the whole template, not just the expression) when the problem has a place.
 */
export class ExprError extends Error {
  readonly code: ExprErrorCode;
  readonly offset?: number;

  constructor(code: ExprErrorCode, message: string, offset?: number) {
    super(message);
    this.name = "ExprError";
    this.code = code;
    if (offset !== undefined) this.offset = offset;
  }
}

export function syntaxError(message: string, offset: number): ExprError {
  return new ExprError("E_EXPR_SYNTAX", `${message} at ${offset}`, offset);
}

export function evalError(message: string): ExprError {
  return new ExprError("E_EXPR_EVAL", message);
}

export function budgetError(message: string): ExprError {
  return new ExprError("E_EXPR_BUDGET", message);
}

/** Levenshtein distance, for "did you mean" hints on unknown names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** ` (did you mean 'length'?)` when a known name is close enough, else "". */
export function didYouMean(name: string, known: Iterable<string>): string {
  let best = "";
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === "" ? "" : ` (did you mean '${best}'?)`;
}
