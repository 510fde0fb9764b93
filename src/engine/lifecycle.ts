/**
 * A step run's life: start (args, loop items, first commands), step.enter rules, completion
 * (loop.done and step.exit rules, vars, result, transitions) and failure.
 */
import type { JsonObject, JsonValue, Step } from "../dsl/types.ts";
import { type ActionOutcome, runActions, type Trigger } from "./actions.ts";
import { fillLoop, issueCall } from "./commands.ts";
import type { Draft } from "./draft.ts";
import { durationMs, failExecution, failRun } from "./ending.ts";
import { ErrorCode, StepFailure } from "./errors.ts";
import { deepMerge, isObject } from "./merge.ts";
import { firstMatch } from "./rules.ts";
import { baseScope, eventValue, type Scope } from "./scope.ts";
import type { EngineErrorInfo, StepRunState, TransitionRecord } from "./state.ts";
import { renderValue } from "./templates.ts";

/** Runs `body`; a StepFailure it throws fails the run (and so the execution). */
export function guarded(d: Draft, runId: string, body: () => void): void {
  try {
    body();
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    const info: EngineErrorInfo = { code: error.code, message: error.message };
    if (error.callError !== undefined) info.call_error = error.callError;
    failRun(d, runId, info);
  }
}

/** Starts a run of `stepName` with transition args (already rendered). */
export function startRun(d: Draft, stepName: string, transitionArgs: JsonObject | undefined): void {
  const step = d.step(stepName);
  if (step === undefined) {
    failExecution(d, {
      code: ErrorCode.unknownStep,
      message: `Step '${stepName}' does not exist`,
      step: stepName,
    });
    return;
  }
  const runId = `${stepName}:${d.nextSeq()}`;
  const run: StepRunState = {
    step: stepName,
    started_at: d.now,
    args: transitionArgs ?? {},
    entered: false,
    phase: "running",
    pending: 0,
    calls: 0,
    transitions: [],
    routed: false,
  };
  d.addRun(runId, run);
  guarded(d, runId, () => {
    if (step.args !== undefined) {
      const scope = baseScope(d.state, transitionArgs ?? {});
      const rendered = renderValue(step.args, scope, stepName, "args");
      d.run(runId).args = deepMerge(isObject(rendered) ? rendered : {}, transitionArgs);
    }
    d.emit("step.start", { args: d.state.runs[runId]!.args }, stepName, runId);
    if (step.loop === undefined) {
      issueCall(d, runId, { call_index: 0, attempt: 1 });
      return;
    }
    const items = loopItems(d, runId, step);
    d.run(runId).loop = {
      items,
      next: 0,
      in_flight: 0,
      results: items.map(() => null),
      succeeded: 0,
      failed: 0,
      skipped: 0,
    };
    if (items.length > 0) {
      fillLoop(d, runId);
      return;
    }
    // An empty loop has no command, so no worker reports step.enter: apply its rules here, then finish.
    applyEnter(d, runId);
    if (d.running && d.state.runs[runId] !== undefined) finalize(d, runId);
  });
}

function loopItems(d: Draft, runId: string, step: Step): JsonValue[] {
  const scope = baseScope(d.state, d.state.runs[runId]!.args);
  const source = step.loop!.in;
  const items = renderValue(source, scope, step.step, "loop.in");
  if (!Array.isArray(items)) {
    const got = items === null ? "null" : typeof items;
    throw new StepFailure(
      ErrorCode.loopNotList,
      `Step '${step.step}': loop.in must render to a list, got ${got}`,
    );
  }
  return items;
}

/** Applies the step.enter rules of a run, once. */
export function applyEnter(d: Draft, runId: string, attempt = 1): void {
  d.run(runId).entered = true;
  const run = d.state.runs[runId]!;
  const scope = baseScope(d.state, run.args);
  scope.event = eventValue("step.enter", run.step, attempt, { args: run.args });
  fire(d, { event: "step.enter", runId }, scope);
}

/** Evaluates the run's rules for one event and applies the fired rule. Throws StepFailure. */
export function fire(
  d: Draft,
  trigger: Trigger,
  scope: Scope,
): { matched: boolean; outcome?: ActionOutcome } {
  const run = d.state.runs[trigger.runId]!;
  const step = d.step(run.step)!;
  const match = firstMatch(d, trigger.runId, step, scope, trigger.event);
  if (match === undefined) return { matched: false };
  const outcome = runActions(d, trigger, match.rule.then, scope);
  if (outcome.fail !== undefined) {
    failRun(d, trigger.runId, { code: ErrorCode.failAction, message: outcome.fail });
  }
  return { matched: true, outcome };
}

export function isComplete(run: StepRunState): boolean {
  if (run.pending > 0) return false;
  return run.loop === undefined || run.loop.next >= run.loop.items.length;
}

/** Finishes the run when nothing of it is pending any more. */
export function finalizeIfComplete(d: Draft, runId: string): void {
  const run = d.state.runs[runId];
  if (run !== undefined && isComplete(run)) guarded(d, runId, () => finalize(d, runId));
}

/** The run's result: the `result` action's value, else the loop's item results, else the last response. */
export function runResult(run: StepRunState): JsonValue {
  if (run.result !== undefined) return run.result.value;
  if (run.loop !== undefined) return run.loop.results;
  return run.response ?? null;
}

function finalize(d: Draft, runId: string): void {
  let run = d.state.runs[runId]!;
  if (run.phase === "running") {
    if (run.loop !== undefined) {
      const loop = run.loop;
      const stats = {
        total: loop.items.length,
        succeeded: loop.succeeded,
        failed: loop.failed,
        skipped: loop.skipped,
      };
      const payload = { results: loop.results, stats };
      d.emit("loop.done", payload, run.step, runId);
      const scope = exitScope(d, runId, loop.results);
      scope.event = eventValue("loop.done", run.step, null, payload);
      fire(d, { event: "loop.done", runId }, scope);
      if (!d.running) return;
    }
    run = d.state.runs[runId]!;
    const result = runResult(run);
    const scope = exitScope(d, runId, result);
    scope.event = eventValue("step.exit", run.step, null, { status: "completed", result });
    fire(d, { event: "step.exit", runId }, scope);
    if (!d.running) return;
    d.run(runId).phase = "exiting";
    if (d.state.runs[runId]!.pending > 0) return; // sinks fired by these rules finish first
  }
  complete(d, runId);
}

function exitScope(d: Draft, runId: string, result: JsonValue): Scope {
  const run = d.state.runs[runId]!;
  const scope = baseScope(d.state, run.args);
  scope.result = result;
  scope.response = run.response;
  return scope;
}

/** Once the run is complete, its step's name already refers to this run's result. */
function completedScope(d: Draft, runId: string, result: JsonValue): Scope {
  const scope = exitScope(d, runId, result);
  scope[d.state.runs[runId]!.step] = result;
  return scope;
}

/** vars, stored result, step.done, then the transitions (rule-fired ones, else the structural next). */
function complete(d: Draft, runId: string): void {
  const run = d.state.runs[runId]!;
  const step = d.step(run.step)!;
  const result = runResult(run);
  if (step.vars !== undefined) {
    const scope = completedScope(d, runId, result);
    const rendered = renderValue(step.vars, scope, step.step, "vars");
    if (isObject(rendered)) for (const [key, value] of Object.entries(rendered)) d.setCtx(key, value);
  }
  let transitions: TransitionRecord[] = run.transitions;
  if (!run.routed && step.next !== undefined) {
    const scope = completedScope(d, runId, result);
    transitions = step.next.map((t) => {
      if (t.args === undefined) return { step: t.step };
      const args = renderValue(t.args, scope, step.step, `next '${t.step}' args`);
      return isObject(args) ? { step: t.step, args } : { step: t.step };
    });
  }
  d.setStepResult(step.step, result);
  d.removeRun(runId);
  d.emit("step.done", { status: "completed", result, duration_ms: durationMs(d, run) }, step.step, runId);
  for (const transition of transitions) {
    if (!d.running) return;
    startRun(d, transition.step, transition.args);
  }
}
