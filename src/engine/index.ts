/**
 * The pure, deterministic control-flow engine: (state, event) → (state', events, commands, cancellations).
 * No I/O, no clock (time comes from event.timestamp), no randomness; the input state is never modified.
 */
import type { JsonObject, Playbook, Step } from "../dsl/types.ts";
import { type CompiledPlaybook, Draft } from "./draft.ts";
import { checkTermination, failExecution } from "./ending.ts";
import { ErrorCode } from "./errors.ts";
import { onCallDone, onCancel, onEnter, onExit, onStart } from "./handlers.ts";
import { deepMerge, isObject } from "./merge.ts";
import type { ExecutionState } from "./state.ts";
import { type HandleResult, INPUT_EVENT_NAMES, type InputEvent, type OutputEvent } from "./types.ts";

export { ErrorCode } from "./errors.ts";
export { RETRY_DEFAULTS, retryDelaySeconds } from "./retry.ts";
export type { EngineErrorInfo, ExecutionState, LoopState, StepRunState } from "./state.ts";
export * from "./types.ts";

export interface Engine {
  /** Pure and deterministic: no I/O, no clock (time comes from event.timestamp), no randomness, never mutates `state`. */
  handle(state: ExecutionState | undefined, event: InputEvent): HandleResult<ExecutionState>;
  /**
   * The same result as calling handle() for each event in turn (outputs concatenated), for less: the batch
   * shares one copy-on-write draft, so the maps a batch touches are copied once, not once per event. The
   * server folds a worker's three events per command, and concurrent reports of one execution, this way.
   */
  handleAll(state: ExecutionState | undefined, events: readonly InputEvent[]): HandleResult<ExecutionState>;
}

const compiledPlaybooks = new WeakMap<Playbook, CompiledPlaybook>();

function compile(playbook: Playbook): CompiledPlaybook {
  let compiled = compiledPlaybooks.get(playbook);
  if (compiled === undefined) {
    const steps = new Map<string, Step>();
    for (const step of playbook.workflow) steps.set(step.step, step);
    compiled = { playbook, steps };
    compiledPlaybooks.set(playbook, compiled);
  }
  return compiled;
}

export function createEngine(playbook: Playbook): Engine {
  const compiled = compile(playbook);
  return {
    handle: (state, event) => handle(compiled, state, event),
    handleAll: (state, events) => handleAll(compiled, state, events),
  };
}

const EVENT_NAMES = new Set<string>(INPUT_EVENT_NAMES);

function warningOnly(
  state: ExecutionState,
  message: string,
  event?: InputEvent,
): HandleResult<ExecutionState> {
  const warning: OutputEvent = { name: "warning", payload: { message } };
  if (event?.step !== undefined) warning.step = event.step;
  if (event?.step_run_id !== undefined) warning.step_run_id = event.step_run_id;
  return { state, events: [warning], commands: [], cancel_commands: [] };
}

function initialState(executionId: string, workload: JsonObject): ExecutionState {
  return {
    execution_id: executionId,
    status: "running",
    workload,
    ctx: {},
    seq: 0,
    results: {},
    runs: {},
    commands: {},
  };
}

/** The state answered for an event that arrives with no state and is not workflow.start. */
function missingState(event: InputEvent): ExecutionState {
  const id = typeof event?.execution_id === "string" ? event.execution_id : "";
  const state = initialState(id, {});
  state.status = "failed";
  state.error = {
    code: "E_NOT_STARTED",
    message: `event '${String(event?.name)}' for an execution that never started`,
  };
  return state;
}

function handle(
  compiled: CompiledPlaybook,
  state: ExecutionState | undefined,
  event: InputEvent,
): HandleResult<ExecutionState> {
  const fallback = state ?? missingState(event);
  try {
    const problem = validateEvent(event);
    if (problem !== undefined) return warningOnly(fallback, problem, event);
    if (event.name === "workflow.start") {
      if (state !== undefined) return warningOnly(state, "duplicate workflow.start ignored", event);
      const payload = isObject(event.payload.payload) ? event.payload.payload : undefined;
      const base = initialState(event.execution_id, deepMerge(compiled.playbook.workload, payload));
      const d = new Draft(compiled, base, event.timestamp);
      onStart(d);
      return finish(d);
    }
    if (state === undefined && event.name === "workflow.cancel") {
      // A registered execution cancelled before its workflow.start: it ends cancelled, having run nothing.
      const d = new Draft(
        compiled,
        initialState(event.execution_id, compiled.playbook.workload),
        event.timestamp,
      );
      onCancel(d, event);
      return finish(d);
    }
    if (state === undefined) {
      return warningOnly(fallback, `${event.name} for an execution that never started ignored`, event);
    }
    // Events after the end are expected (workers finishing cancelled commands) and change nothing.
    if (state.status !== "running") return { state, events: [], commands: [], cancel_commands: [] };
    const d = new Draft(compiled, state, event.timestamp);
    dispatch(d, event);
    return finish(d);
  } catch (error) {
    // A bug must not take the server down with it. Ignoring the event would leave the execution waiting
    // forever for a call whose command is already gone, so a running execution fails, saying why.
    const message = error instanceof Error ? error.message : String(error);
    if (state === undefined || state.status !== "running") {
      return warningOnly(fallback, `internal engine error, event ignored: ${message}`, event);
    }
    try {
      const d = new Draft(compiled, state, event.timestamp);
      failExecution(d, {
        code: ErrorCode.internal,
        message: `internal engine error on ${event.name}: ${message}`,
      });
      return finish(d);
    } catch {
      return warningOnly(fallback, `internal engine error, event ignored: ${message}`, event);
    }
  }
}

function handleAll(
  compiled: CompiledPlaybook,
  state: ExecutionState | undefined,
  events: readonly InputEvent[],
): HandleResult<ExecutionState> {
  if (events.length === 1) return handle(compiled, state, events[0]!);
  try {
    return foldInOneDraft(compiled, state, events);
  } catch {
    // An internal error: replay event by event from the untouched input, where it becomes a warning.
    return fold(compiled, state, events);
  }
}

function fold(
  compiled: CompiledPlaybook,
  state: ExecutionState | undefined,
  events: readonly InputEvent[],
): HandleResult<ExecutionState> {
  const out = emptyResult(state);
  for (const event of events) append(out, handle(compiled, out.state, event));
  return out as HandleResult<ExecutionState>;
}

/** Events the shared draft can take: the others (start, invalid, no state yet) go through handle(). */
function draftable(state: ExecutionState | undefined, event: InputEvent): state is ExecutionState {
  return state !== undefined && event.name !== "workflow.start" && validateEvent(event) === undefined;
}

function foldInOneDraft(
  compiled: CompiledPlaybook,
  state: ExecutionState | undefined,
  events: readonly InputEvent[],
): HandleResult<ExecutionState> {
  const out = emptyResult(state);
  let d: Draft | undefined;
  const flush = () => {
    if (d === undefined) return;
    append(out, { state: d.result(), events: d.events, commands: d.commands, cancel_commands: d.cancel });
    d = undefined;
  };
  for (const event of events) {
    const live = d?.state ?? out.state;
    if (!draftable(live, event)) {
      flush();
      append(out, handle(compiled, out.state, event));
      continue;
    }
    if (live.status !== "running") continue; // as handle(): events after the end change nothing
    if (d !== undefined && d.now !== event.timestamp) flush();
    d ??= new Draft(compiled, out.state!, event.timestamp);
    dispatch(d, event);
    checkTermination(d);
  }
  flush();
  return out as HandleResult<ExecutionState>;
}

function emptyResult(state: ExecutionState | undefined): HandleResult<ExecutionState | undefined> {
  return { state, events: [], commands: [], cancel_commands: [] };
}

function append(out: HandleResult<ExecutionState | undefined>, r: HandleResult<ExecutionState>): void {
  out.state = r.state;
  out.events.push(...r.events);
  out.commands.push(...r.commands);
  out.cancel_commands.push(...r.cancel_commands);
}

function dispatch(d: Draft, event: InputEvent): void {
  switch (event.name) {
    case "step.enter":
      onEnter(d, event);
      break;
    case "call.done":
      onCallDone(d, event);
      break;
    case "step.exit":
      onExit(d, event);
      break;
    case "workflow.cancel":
      onCancel(d, event);
      break;
  }
}

function finish(d: Draft): HandleResult<ExecutionState> {
  checkTermination(d);
  return { state: d.result(), events: d.events, commands: d.commands, cancel_commands: d.cancel };
}

function validateEvent(event: InputEvent): string | undefined {
  if (typeof event !== "object" || event === null) return "event is not an object";
  if (!EVENT_NAMES.has(event.name)) return `unknown event name '${String(event.name)}' ignored`;
  if (typeof event.timestamp !== "string" || Number.isNaN(Date.parse(event.timestamp))) {
    return `${event.name} without a valid timestamp ignored`;
  }
  if (!isObject(event.payload)) return `${event.name} without an object payload ignored`;
  if (event.name !== "workflow.start" && event.name !== "workflow.cancel" && event.command_id === undefined) {
    return `${event.name} without command_id ignored`;
  }
  return undefined;
}
