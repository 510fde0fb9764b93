/**
 * A deterministic stand-in for the server + workers around the pure engine. It keeps the queue of issued
 * commands, and "runs" a command by posting what a worker posts (step.enter, call.done, step.exit) with an
 * outcome from a scripted responder. Time is simulated: each event advances the clock by 1 ms, and taking a
 * command whose run_at is later jumps the clock there (so retry backoffs are visible and deterministic).
 */
import type { JsonObject, JsonValue, Playbook } from "../../src/dsl/types.ts";
import { createEngine, type Engine, type ExecutionState } from "../../src/engine/index.ts";
import type {
  CallError,
  CallOutcome,
  Command,
  HandleResult,
  InputEvent,
  OutputEvent,
} from "../../src/engine/types.ts";

export type Responder = (command: Command, harness: Harness) => CallOutcome;

export const ok = (response: JsonValue): CallOutcome => ({ response });
export const failure = (message: string, extra: JsonObject = {}): CallOutcome => ({
  error: { kind: "test", message, retryable: false, ...extra } as CallError,
});
/** Echoes the command's args, like the noop tool. */
export const echo: Responder = (command) => ok(command.args);

export interface HarnessOptions {
  executionId?: string;
  startTime?: string;
}

export class Harness {
  readonly engine: Engine;
  readonly executionId: string;
  state: ExecutionState | undefined;
  /** Issued, not yet taken, not cancelled. */
  queue: Command[] = [];
  /** Every command ever issued, in order. */
  readonly issued: Command[] = [];
  /** Every output event, in order. */
  readonly events: OutputEvent[] = [];
  /** Every input event sent, in order (the replay log). */
  readonly inputs: InputEvent[] = [];
  readonly cancelled: string[] = [];
  private clock: number;

  constructor(playbook: Playbook, options: HarnessOptions = {}) {
    this.engine = createEngine(playbook);
    this.executionId = options.executionId ?? "exec-1";
    this.clock = Date.parse(options.startTime ?? "2025-01-01T00:00:00.000Z");
  }

  get status(): string | undefined {
    return this.state?.status;
  }

  now(): string {
    return new Date(this.clock).toISOString();
  }

  /** Sends one event (execution_id and timestamp are filled in) and applies the result to the queue. */
  send(event: Omit<InputEvent, "execution_id" | "timestamp">): HandleResult<ExecutionState> {
    this.clock += 1;
    const full: InputEvent = { ...event, execution_id: this.executionId, timestamp: this.now() };
    this.inputs.push(full);
    return this.apply(this.engine.handle(this.state, full));
  }

  /**
   * Applies a handle() result as the server would: save state, enqueue commands, drop cancelled ones.
   * Every state is deep-frozen, so an engine that modified its input state would fail here (ESM is strict
   * mode: writing a frozen object throws, and the engine reports that as an internal error).
   */
  apply(result: HandleResult<ExecutionState>): HandleResult<ExecutionState> {
    const internal = result.events.find((e) => String(e.payload.message).startsWith("internal engine error"));
    if (internal !== undefined) throw new Error(String(internal.payload.message));
    this.state = deepFreeze(result.state);
    this.events.push(...result.events);
    this.issued.push(...result.commands);
    this.queue.push(...result.commands);
    if (result.cancel_commands.length > 0) {
      const gone = new Set(result.cancel_commands);
      this.cancelled.push(...result.cancel_commands);
      this.queue = this.queue.filter((c) => !gone.has(c.command_id));
    }
    return result;
  }

  start(payload: JsonObject = {}): HandleResult<ExecutionState> {
    return this.send({ name: "workflow.start", payload: { payload } });
  }

  /** Removes and returns the first queued command matching `where` (default: the oldest). */
  take(where: (c: Command) => boolean = () => true): Command {
    const index = this.queue.findIndex(where);
    if (index < 0) throw new Error("no matching queued command");
    const [command] = this.queue.splice(index, 1);
    if (command!.run_at !== undefined) this.clock = Math.max(this.clock, Date.parse(command!.run_at));
    return command!;
  }

  /** Posts what a worker posts for a finished command: step.enter, call.done, step.exit. */
  complete(command: Command, outcome: CallOutcome): void {
    const base = {
      step: command.step,
      step_run_id: command.step_run_id,
      command_id: command.command_id,
      attempt: command.attempt,
      worker_id: "w1",
    };
    this.send({ ...base, name: "step.enter", payload: {} });
    this.send({ ...base, name: "call.done", payload: outcome as unknown as JsonObject });
    const status = "error" in outcome ? "failed" : "completed";
    this.send({ ...base, name: "step.exit", payload: { status } });
  }

  /** Runs queued commands oldest first until the queue is empty or the execution ended. */
  runAll(responder: Responder = echo, limit = 10_000): ExecutionState {
    for (let i = 0; i < limit && this.queue.length > 0 && this.status === "running"; i++) {
      const command = this.take();
      this.complete(command, responder(command, this));
    }
    return this.state!;
  }

  eventsNamed(name: string): OutputEvent[] {
    return this.events.filter((e) => e.name === name);
  }
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
