/**
 * What a worker tells the server about one command: step.enter, call.done and step.exit, posted together
 * (one report per command; reports that queue up share a request, see report-queue.ts). The lease token
 * proves the worker still holds the command.
 */
import type { JsonObject } from "../dsl/types.ts";
import { storable } from "../engine/storable.ts";
import type { CallError, Command } from "../engine/types.ts";
import type { ToolOutcome } from "../tools/types.ts";

export type WorkerEventName = "step.enter" | "call.done" | "step.exit";

export interface WorkerEvent {
  name: WorkerEventName;
  execution_id: string;
  step: string;
  step_run_id: string;
  command_id: string;
  attempt: number;
  worker_id: string;
  lease_token: string;
  payload: JsonObject;
}

/**
 * The server refused the events for good (a 4xx other than 409: too large, unstorable, invalid). Retrying
 * the same events cannot help; the worker reports the call as failed instead (see Worker).
 */
export class ReportRejectedError extends Error {
  readonly code = "E_REPORT_REJECTED";
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`server refused the events (${status}): ${body.slice(0, 500)}`);
  }
}

/** accepted: the server applied the events; duplicate: it had them already; stale: the lease was lost. */
export type ReportStatus = "accepted" | "duplicate" | "stale";

/** One report's outcome in a batch: its status, or why the server refused it for good. */
export type BatchOutcome = ReportStatus | ReportRejectedError;

/** Where a worker sends its events: the server over HTTP, or the orchestrator in-process (embedded mode). */
export interface EventReporter {
  /** One command's events. Rejects with ReportRejectedError when refused for good. */
  report(events: WorkerEvent[]): Promise<ReportStatus>;
  /**
   * Several commands' events at once, one outcome per report in order. Rejects only when the reports could
   * not be delivered at all (the server unreachable until the reporter gave up).
   */
  reportMany?(reports: WorkerEvent[][], offer?: SlotOffer): Promise<BatchOutcome[]>;
}

/**
 * Free slots a worker offers with a report request (the push model, ARCHITECTURE.md): the server may lease
 * it commands those reports made runnable, in the same transaction, and answer with them.
 */
export interface SlotOffer {
  worker_id: string;
  slots: number;
  lease_ms: number;
  /**
   * Called once by a reporter that passes the offer on, when the request is over, with the commands leased
   * to this worker (none if it failed). A reporter that ignores offers never calls it: nothing was reserved.
   */
  settle(commands: LeasedCommand[]): void;
}

export interface LeasedCommand extends Command {
  lease_token: string;
  /** Time spent queued before the claim (reported on step.enter for the claim-latency metric). */
  queued_ms?: number;
}

/** The three events of one finished command, in the order the engine folds them. */
export function commandEvents(command: LeasedCommand, workerId: string, outcome: ToolOutcome): WorkerEvent[] {
  const base = {
    execution_id: command.execution_id,
    step: command.step,
    step_run_id: command.step_run_id,
    command_id: command.command_id,
    attempt: command.attempt,
    worker_id: workerId,
    lease_token: command.lease_token,
  };
  const output: JsonObject = {};
  if (outcome.stdout) output.stdout = outcome.stdout;
  if (outcome.stderr) output.stderr = outcome.stderr;
  const done: JsonObject = outcome.ok
    ? { response: outcome.response, ...output }
    : { error: outcome.error as CallError & JsonObject, ...output };
  const exit: JsonObject = outcome.ok
    ? { status: "completed", result: outcome.response }
    : { status: "failed", error: outcome.error as CallError & JsonObject };
  return [
    {
      ...base,
      name: "step.enter",
      payload: command.queued_ms === undefined ? {} : { queued_ms: command.queued_ms },
    },
    { ...base, name: "call.done", payload: storable(done) },
    { ...base, name: "step.exit", payload: storable(exit) },
  ];
}
