/**
 * What flows in and out of the pure engine. Shared by the engine, the store, the server and the workers.
 *
 * Glossary
 * - execution: one run of a playbook, identified by `execution_id`; its engine state is one JSON value.
 * - step run: one activation of a step (a step named by two transitions runs twice); id `step_run_id`.
 * - call: one invocation of a step run's tool (per page, per retry, per loop item).
 * - command: the unit of work in the queue: one call (or one sink write) for a worker to execute.
 * - event: a fact appended to the execution's log: from a worker, from the API, or from the engine.
 * - lease: a worker's time-limited claim on a command; events of a lost lease are refused.
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";

/** Events the engine consumes. Workers post step.enter, call.done and step.exit for every command. */
export const INPUT_EVENT_NAMES = [
  "workflow.start",
  "step.enter",
  "call.done",
  "step.exit",
  "workflow.cancel",
] as const;
export type InputEventName = (typeof INPUT_EVENT_NAMES)[number];

export interface InputEvent {
  name: InputEventName;
  execution_id: string;
  /** ISO-8601 time taken from the database clock when the event was accepted: the engine's only clock. */
  timestamp: string;
  step?: string;
  step_run_id?: string;
  command_id?: string;
  attempt?: number;
  worker_id?: string;
  /**
   * workflow.start: `{payload}` (the execution request's payload, deep-merged over the workload).
   * step.enter: `{}`. call.done: `{response}` on success or `{error}` on failure.
   * step.exit: `{status, result?}`. workflow.cancel: `{reason?}`.
   */
  payload: JsonObject;
}

/** Events the engine itself produces; the server appends them to the log beside the input event. */
export interface OutputEvent {
  /** `loop.done`, `step.done` (a step run finished: {status, result, error?}), `workflow.end`, `warning`, ... */
  name: string;
  step?: string;
  step_run_id?: string;
  payload: JsonObject;
}

/** A unit of work for a worker. Its tool config is fully rendered by the engine, except python `code`. */
export interface Command {
  /** Deterministic within the execution (derived from engine counters), unique across executions. */
  command_id: string;
  execution_id: string;
  step: string;
  step_run_id: string;
  /** `call` for the step's own tool, `sink` for a sink action's write. */
  purpose: "call" | "sink";
  kind: string;
  /** The rendered tool config, including `kind`. */
  tool: JsonObject;
  /** The rendered inputs: tool args ⊕ step run args (⊕ call overrides' args). */
  args: JsonObject;
  /** 1 for the first call, +1 per retry of the same call. */
  attempt: number;
  /** Index of the call within its step run: 0, 1, 2, ... (pagination re-invocations count up). */
  call_index: number;
  /** Set for loop steps: the item's index in the loop list. */
  loop_index?: number;
  /** ISO-8601 earliest start (retry backoff: event timestamp + delay); absent means now. */
  run_at?: string;
}

export type ExecutionStatus = "running" | "completed" | "failed" | "cancelled";

/** The outcome of a call as reported by a worker in call.done. */
export type CallOutcome = { response: JsonValue } | { error: CallError };

export interface CallError {
  kind: string;
  message: string;
  retryable: boolean;
  [key: string]: JsonValue;
}

/** The result of handling one event. */
export interface HandleResult<S> {
  state: S;
  events: OutputEvent[];
  commands: Command[];
  /** Commands of this execution that must no longer run (the execution ended, or a loop failed). */
  cancel_commands: string[];
}
