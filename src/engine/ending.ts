/**
 * How an execution ends: a failed step run fails it (cancelling everything still queued), workflow.cancel
 * cancels it, and it completes once no step run is active.
 */
import type { JsonObject } from "../dsl/types.ts";
import type { Draft } from "./draft.ts";
import type { EngineErrorInfo, StepRunState } from "./state.ts";

/** Milliseconds from the run's start to the current event (both database timestamps). */
export function durationMs(d: Draft, run: StepRunState): number {
  return Math.max(0, Date.parse(d.now) - Date.parse(run.started_at));
}

/** A failed step run fails the execution at once (its step.exit rules are not evaluated). */
export function failRun(d: Draft, runId: string, error: EngineErrorInfo): void {
  if (!d.running) return;
  const run = d.state.runs[runId];
  const info: EngineErrorInfo = { ...error };
  if (run !== undefined) {
    info.step = run.step;
    info.step_run_id = runId;
    const payload = {
      status: "failed",
      error: info as unknown as JsonObject,
      duration_ms: durationMs(d, run),
    };
    d.emit("step.done", payload, run.step, runId);
  }
  failExecution(d, info, runId);
}

export function failExecution(d: Draft, error: EngineErrorInfo, failedRunId?: string): void {
  endExecution(d, "failed", error, failedRunId);
}

/** Ends a running execution as failed or cancelled: other active runs are reported cancelled. */
export function endExecution(
  d: Draft,
  status: "failed" | "cancelled",
  error: EngineErrorInfo,
  failedRunId?: string,
): void {
  if (!d.running) return;
  for (const [id, other] of Object.entries(d.state.runs)) {
    if (id === failedRunId) continue;
    d.emit("step.done", { status: "cancelled", duration_ms: durationMs(d, other) }, other.step, id);
  }
  d.clearAll();
  d.state.status = status;
  d.state.error = error;
  d.emit("workflow.end", { status, result: null, error: error as unknown as JsonObject });
}

/** Completed when no step run is active (and so no command is pending). */
export function checkTermination(d: Draft): void {
  if (!d.running || Object.keys(d.state.runs).length > 0) return;
  const { results, last_completed } = d.state;
  const result =
    "end" in results ? results.end! : last_completed !== undefined ? (results[last_completed] ?? null) : null;
  d.state.status = "completed";
  d.state.result = result;
  d.emit("workflow.end", { status: "completed", result, error: null });
}
