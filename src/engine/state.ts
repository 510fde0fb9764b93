/**
 * The engine's persistent state for one execution. It is one JSON value, stored as JSONB after every event
 * and reloaded for the next, so it stays small: counters, ctx, the latest result per step, the active step
 * runs and the in-flight commands. Nothing in it grows with the number of events (a loop keeps its items and
 * one result slot per item until the loop finishes).
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import type { ExecutionStatus } from "./types.ts";

/** Why an execution (or a step run) failed; `code` is stable, `message` is for people. */
export interface EngineErrorInfo {
  code: string;
  message: string;
  step?: string;
  step_run_id?: string;
  /** The worker's error for an unhandled failed call. */
  call_error?: JsonValue;
}

export interface ExecutionState {
  execution_id: string;
  status: ExecutionStatus;
  /** Set when the execution completed: the `end` step's result if it ran, else the last completed step's. */
  result?: JsonValue;
  error?: EngineErrorInfo;
  /** The playbook's workload with the execution payload deep-merged over it. */
  workload: JsonObject;
  /** Execution-scoped variables (`ctx`, alias `vars`). */
  ctx: JsonObject;
  /** Source of every step_run_id and command_id; only ever increases. */
  seq: number;
  /** Result of each step's latest completed run, by step name. */
  results: JsonObject;
  /** Name of the step whose run completed last (the execution's result when no `end` step ran). */
  last_completed?: string;
  /** Active step runs by step_run_id. */
  runs: { [step_run_id: string]: StepRunState };
  /** Commands issued and not yet reported by call.done, by command_id. */
  commands: { [command_id: string]: CommandEntry };
}

export interface StepRunState {
  step: string;
  /** Timestamp of the event that started the run (for step.done's duration_ms). */
  started_at: string;
  /** Rendered inputs of the run: static step args ⊕ transition args. */
  args: JsonObject;
  /** step.enter rules were applied. */
  entered: boolean;
  /** "exiting": loop.done/step.exit rules ran and the run waits only for its sinks. */
  phase: "running" | "exiting";
  /** Commands of this run in flight (calls and sinks). */
  pending: number;
  /** `call` re-invocations so far (bounded by the step's max_calls). */
  calls: number;
  /** The last successful call's response. */
  response?: JsonValue;
  /** Set by a `result` action outside a loop item. */
  result?: { value: JsonValue };
  /** Transitions fired by rules (`next`, `call: {step}`), args already rendered, in firing order. */
  transitions: TransitionRecord[];
  /** At least one rule fired a transition (then the structural `next` is not used). */
  routed: boolean;
  loop?: LoopState;
}

export interface TransitionRecord {
  step: string;
  args?: JsonObject;
}

export interface LoopState {
  items: JsonValue[];
  /** Index of the next item to issue. */
  next: number;
  /** Items issued and not finished. */
  in_flight: number;
  /** One slot per item: its result (null for failed or skipped items). */
  results: JsonValue[];
  succeeded: number;
  failed: number;
  skipped: number;
}

export interface CommandEntry {
  step_run_id: string;
  purpose: "call" | "sink";
  call_index: number;
  attempt: number;
  loop_index?: number;
  /** Rendered `call` overrides this call was built with (kept to re-issue it on retry or continue it). */
  overrides?: JsonObject;
  /** step.exit arrived before call.done (out-of-order delivery): complete the run at call.done. */
  exit_seen?: boolean;
}
