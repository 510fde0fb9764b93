/**
 * Pure conversions between the API's events, the engine's events and stored event rows, and the
 * idempotency keys that make re-posted events harmless.
 */
import type { JsonObject } from "../dsl/types.ts";
import type { InputEvent, InputEventName, OutputEvent } from "../engine/types.ts";
import type { NewEvent } from "../store/index.ts";

/** An event as posted to the API: by a client (workflow.start) or by a worker (with its lease token). */
export interface IncomingEvent {
  execution_id: string;
  name: InputEventName;
  payload?: JsonObject;
  step?: string;
  step_run_id?: string;
  command_id?: string;
  attempt?: number;
  worker_id?: string;
  lease_token?: string;
  idempotency_key?: string;
}

/** Events a worker posts for one command; they must carry the command's lease token. */
export const WORKER_EVENTS = new Set<string>(["step.enter", "call.done", "step.exit"]);

export function idempotencyKey(e: IncomingEvent): string | undefined {
  if (e.idempotency_key !== undefined) return e.idempotency_key;
  if (e.command_id !== undefined && e.lease_token !== undefined)
    return `${e.command_id}/${e.lease_token}/${e.name}`;
  if (e.name === "workflow.start") return `${e.execution_id}/workflow.start`;
  return undefined;
}

/** Consecutive events of one execution, command and lease form one group (one report). */
export function groupByCommand(events: IncomingEvent[]): IncomingEvent[][] {
  const groups: IncomingEvent[][] = [];
  for (const e of events) {
    const group = groups.at(-1);
    const first = group?.[0];
    const same = first?.execution_id === e.execution_id && first.command_id !== undefined;
    // The lease token too: one worker may report two runs of the same command (it claimed it again).
    if (group && same && first.command_id === e.command_id && first.lease_token === e.lease_token)
      group.push(e);
    else groups.push([e]);
  }
  return groups;
}

export function toInputEvent(e: IncomingEvent, timestamp: string): InputEvent {
  const input: InputEvent = {
    name: e.name,
    execution_id: e.execution_id,
    timestamp,
    payload: e.payload ?? {},
  };
  if (e.step !== undefined) input.step = e.step;
  if (e.step_run_id !== undefined) input.step_run_id = e.step_run_id;
  if (e.command_id !== undefined) input.command_id = e.command_id;
  if (e.attempt !== undefined) input.attempt = e.attempt;
  if (e.worker_id !== undefined) input.worker_id = e.worker_id;
  return input;
}

/** The stored form of a posted event: the lease token is a credential of the worker and is not kept. */
export function toStored(e: IncomingEvent): NewEvent {
  const { lease_token: _token, idempotency_key: _key, ...rest } = e;
  const stored: NewEvent = { ...rest, payload: e.payload ?? {} };
  const key = idempotencyKey(e);
  if (key !== undefined) stored.idempotency_key = key;
  return stored;
}

export function fromEngine(executionId: string, e: OutputEvent): NewEvent {
  const stored: NewEvent = { execution_id: executionId, name: e.name, payload: e.payload };
  if (e.step !== undefined) stored.step = e.step;
  if (e.step_run_id !== undefined) stored.step_run_id = e.step_run_id;
  return stored;
}
