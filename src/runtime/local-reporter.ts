/** Embedded mode: events go straight to the orchestrator by function call, with no HTTP in between. */
import { ApiError } from "../server/errors.ts";
import type { Orchestrator } from "../server/orchestrator.ts";
import {
  type EventReporter,
  ReportRejectedError,
  type ReportStatus,
  type WorkerEvent,
} from "../worker/report.ts";

export class LocalReporter implements EventReporter {
  constructor(private readonly orchestrator: Orchestrator) {}

  async report(events: WorkerEvent[]): Promise<ReportStatus> {
    // PGlite answers without real I/O, so a busy run is one long chain of promise callbacks in which timers
    // never fire (measured: a 10 ms interval ticked 0 times in a 210 ms chain40). Yielding to the event loop
    // once per report lets heartbeats, the reaper and signal handlers run.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      const acks = await this.orchestrator.accept(events);
      return acks.every((a) => a.status === "duplicate") ? "duplicate" : "accepted";
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 409) return "stale";
      // Refused for good, as the HTTP reporter would report a 4xx.
      if (err instanceof ApiError && err.statusCode < 500)
        throw new ReportRejectedError(err.statusCode, err.message);
      throw err;
    }
  }
}
