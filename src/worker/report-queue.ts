/**
 * Sends a worker's reports, several per request when they queue up (Nagle-style). A report leaves at once
 * while fewer than `maxRequests` requests are in flight; reports finished meanwhile wait and leave together
 * as soon as one returns. A sequential workflow (one report at a time) therefore never waits, while a
 * fan-out's reports share requests instead of each paying an HTTP round trip, a server handler and a socket
 * write on both sides (the costliest single item in the profiles: docs/performance.md).
 */
import type { EventReporter, ReportStatus, SlotOffer, WorkerEvent } from "./report.ts";

interface Waiting {
  events: WorkerEvent[];
  resolve: (status: ReportStatus) => void;
  reject: (error: Error) => void;
}

export interface ReportQueueOptions {
  /** Requests in flight at once. */
  maxRequests?: number;
  /** Reports per request (the server takes up to 1,000 events: 333 reports). */
  maxBatch?: number;
  /** Free slots to offer with a request of `reports` reports (the push model); the reporter settles it. */
  offer?: (reports: number) => SlotOffer | undefined;
}

export class ReportQueue {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly maxRequests: number;
  private readonly maxBatch: number;

  constructor(
    private readonly reporter: EventReporter,
    private readonly options: ReportQueueOptions = {},
  ) {
    this.maxRequests = options.maxRequests ?? 4;
    this.maxBatch = options.maxBatch ?? 100;
  }

  /** Resolves with the report's status once the server answered it; rejects as EventReporter.report does. */
  send(events: WorkerEvent[]): Promise<ReportStatus> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxRequests && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.post(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async post(batch: Waiting[]): Promise<void> {
    const reportMany = this.reporter.reportMany?.bind(this.reporter);
    if (reportMany === undefined) {
      await Promise.all(batch.map((w) => this.reporter.report(w.events).then(w.resolve, w.reject)));
      return;
    }
    const offer = this.options.offer?.(batch.length);
    try {
      const outcomes = await reportMany(
        batch.map((w) => w.events),
        offer,
      );
      batch.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined) w.reject(new Error("the server answered fewer reports than it was sent"));
        else if (outcome instanceof Error) w.reject(outcome);
        else w.resolve(outcome);
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const w of batch) w.reject(error);
    }
  }
}
