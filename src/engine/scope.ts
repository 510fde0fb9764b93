/**
 * Scopes for template evaluation (DSL.md §5). A scope is a plain object of top-level names that references
 * the state's values (ctx, workload, results) without copying them.
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import type { ExecutionState, LoopState } from "./state.ts";

export type Scope = { [name: string]: JsonValue | undefined };

/** Step results under their names, then the context names (which a step may not shadow). */
export function baseScope(state: ExecutionState, args: JsonObject): Scope {
  const scope: Scope = Object.assign({}, state.results);
  scope.workload = state.workload;
  scope.ctx = state.ctx;
  scope.vars = state.ctx;
  scope.args = args;
  scope.execution_id = state.execution_id;
  return scope;
}

/** Re-points `ctx`/`vars` after an action wrote ctx (the draft replaced the object). */
export function refreshCtx(scope: Scope, state: ExecutionState): void {
  scope.ctx = state.ctx;
  scope.vars = state.ctx;
}

/** Adds the loop item under the iterator's name and Jinja's `loop` object (index is 1-based). */
export function addLoopItem(scope: Scope, loop: LoopState, iterator: string, index: number): void {
  const length = loop.items.length;
  scope[iterator] = loop.items[index] ?? null;
  scope.loop = { index: index + 1, index0: index, first: index === 0, last: index === length - 1, length };
}

export function eventValue(
  name: string,
  step: string,
  attempt: number | null,
  payload: JsonObject,
): JsonObject {
  return { name, step, attempt, payload };
}
