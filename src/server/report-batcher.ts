/**
 * Group commit for worker reports. Reports of one execution are applied one transaction at a time (the
 * execution's row lock serializes them anyway); while one transaction runs, the reports that arrive meanwhile
 * wait and are then applied together in the next. A lone report goes at once, so a sequential chain pays
 * nothing, while a parallel loop's reports share one state load, one engine draft and one state save.
 */

import type { IncomingEvent } from "./event-records.ts";
import type { EventAck } from "./orchestrator.ts";

/** One report's outcome inside a batch: its ack, or the error that refused it alone (e.g. a lost lease). */
export type ReportOutcome = { ack: EventAck } | { error: Error };

export type ApplyReports = (executionId: string, reports: IncomingEvent[][]) => Promise<ReportOutcome[]>;

interface Waiting {
  report: IncomingEvent[];
  resolve: (ack: EventAck) => void;
  reject: (error: Error) => void;
}

export class ReportBatcher {
  private readonly queues = new Map<string, Waiting[]>();

  constructor(
    private readonly apply: ApplyReports,
    /** Bounds one transaction's work (and the request latency of the reports in it). */
    private readonly maxBatch = 256,
  ) {}

  submit(executionId: string, report: IncomingEvent[]): Promise<EventAck> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(executionId);
      if (queue) {
        queue.push({ report, resolve, reject });
        return;
      }
      this.queues.set(executionId, [{ report, resolve, reject }]);
      void this.drain(executionId);
    });
  }

  private async drain(executionId: string): Promise<void> {
    const queue = this.queues.get(executionId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        const outcomes = await this.apply(
          executionId,
          batch.map((w) => w.report),
        );
        batch.forEach((w, i) => {
          const outcome = outcomes[i]!;
          if ("ack" in outcome) w.resolve(outcome.ack);
          else w.reject(outcome.error);
        });
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const w of batch) w.reject(error);
      }
    }
    this.queues.delete(executionId);
  }
}
