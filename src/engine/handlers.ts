/** One function per input event name. Each works on a Draft and never throws for bad input. */
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import { callScope, fillLoop } from "./commands.ts";
import type { Draft } from "./draft.ts";
import { endExecution, failRun } from "./ending.ts";
import { ErrorCode } from "./errors.ts";
import { applyEnter, finalizeIfComplete, fire, guarded, startRun } from "./lifecycle.ts";
import { isObject } from "./merge.ts";
import { eventValue } from "./scope.ts";
import type { CommandEntry } from "./state.ts";
import type { InputEvent } from "./types.ts";

function lookupCommand(d: Draft, event: InputEvent): CommandEntry | undefined {
  const entry = event.command_id === undefined ? undefined : d.state.commands[event.command_id];
  if (entry === undefined) {
    d.warn(
      `${event.name} for unknown or finished command '${event.command_id ?? "(none)"}' ignored`,
      event.step,
      event.step_run_id,
    );
  }
  return entry;
}

export function onStart(d: Draft): void {
  startRun(d, "start", undefined);
}

export function onEnter(d: Draft, event: InputEvent): void {
  const entry = lookupCommand(d, event);
  if (entry === undefined || entry.purpose === "sink") return;
  const run = d.state.runs[entry.step_run_id];
  if (run === undefined || run.entered) return;
  guarded(d, entry.step_run_id, () => applyEnter(d, entry.step_run_id, entry.attempt));
}

export function onCallDone(d: Draft, event: InputEvent): void {
  const payload = event.payload;
  const failed = isObject(payload.error);
  if (!failed && !("response" in payload)) {
    d.warn("call.done without 'response' or 'error' ignored", event.step, event.step_run_id);
    return;
  }
  const entry = lookupCommand(d, event);
  if (entry === undefined) return;
  const runId = entry.step_run_id;
  const commandId = event.command_id!;
  if (d.state.runs[runId] === undefined) {
    d.removeCommand(commandId);
    return;
  }
  if (entry.purpose === "sink") {
    onSinkDone(d, commandId, entry, failed ? (payload.error as JsonObject) : undefined);
    return;
  }
  if (!d.state.runs[runId]!.entered) {
    // No step.enter arrived (e.g. the reaper reports a lost command): apply the enter rules first.
    guarded(d, runId, () => applyEnter(d, runId, entry.attempt));
    if (!d.running) return;
  }
  d.removeCommand(commandId);
  d.run(runId).pending -= 1;
  guarded(d, runId, () => handleCallOutcome(d, entry, payload, failed));
  if (d.running && entry.exit_seen) finalizeIfComplete(d, runId);
}

function handleCallOutcome(d: Draft, entry: CommandEntry, payload: JsonObject, failed: boolean): void {
  const runId = entry.step_run_id;
  const run = d.state.runs[runId]!;
  const response: JsonValue | undefined = failed ? undefined : (payload.response ?? null);
  const error = failed ? (payload.error as JsonObject) : undefined;
  const scope = callScope(d, runId, entry.loop_index, entry.overrides);
  scope.event = eventValue("call.done", run.step, entry.attempt, payload);
  if (failed) scope.error = error;
  else scope.response = response;

  const { matched, outcome } = fire(d, { event: "call.done", runId, command: entry }, scope);
  if (!d.running) return;
  const skipped = outcome?.skipped ?? false;
  const handled = matched && !(outcome?.retryExhausted ?? false);
  if (failed && !handled && !skipped) {
    const message = typeof error?.message === "string" ? error.message : "call failed";
    failRun(d, runId, {
      code: ErrorCode.callFailed,
      message: `Step '${run.step}' failed: ${message}`,
      call_error: error ?? null,
    });
    return;
  }
  if (!failed && !skipped) d.run(runId).response = response;
  if (outcome?.reinvoked) return;
  if (entry.loop_index === undefined || run.loop === undefined) return;
  const loop = d.loop(runId);
  loop.in_flight -= 1;
  const index = entry.loop_index;
  if (skipped) loop.skipped += 1;
  else if (failed) loop.failed += 1;
  else loop.succeeded += 1;
  loop.results[index] = outcome?.itemResult?.value ?? (skipped || failed ? null : (response ?? null));
  fillLoop(d, runId);
}

function onSinkDone(d: Draft, commandId: string, entry: CommandEntry, error: JsonObject | undefined): void {
  const runId = entry.step_run_id;
  d.removeCommand(commandId);
  d.run(runId).pending -= 1;
  if (error !== undefined) {
    const run = d.state.runs[runId]!;
    const message = typeof error.message === "string" ? error.message : "sink failed";
    failRun(d, runId, {
      code: ErrorCode.sinkFailed,
      message: `Step '${run.step}': sink failed: ${message}`,
      call_error: error,
    });
    return;
  }
  if (entry.exit_seen) finalizeIfComplete(d, runId);
}

export function onExit(d: Draft, event: InputEvent): void {
  const commandId = event.command_id;
  const inFlight = commandId === undefined ? undefined : d.state.commands[commandId];
  if (inFlight !== undefined) {
    // step.exit before this command's call.done (out-of-order delivery): finish when call.done arrives.
    d.updateCommand(commandId!, { ...inFlight, exit_seen: true });
    return;
  }
  const runId = event.step_run_id;
  if (runId === undefined || d.state.runs[runId] === undefined) {
    d.warn(`step.exit for unknown or finished step run '${runId ?? "(none)"}' ignored`, event.step, runId);
    return;
  }
  finalizeIfComplete(d, runId);
}

export function onCancel(d: Draft, event: InputEvent): void {
  const reason =
    typeof event.payload.reason === "string" && event.payload.reason !== "" ? event.payload.reason : "";
  const message = reason === "" ? "Execution cancelled" : `Execution cancelled: ${reason}`;
  endExecution(d, "cancelled", { code: ErrorCode.cancelled, message });
}
