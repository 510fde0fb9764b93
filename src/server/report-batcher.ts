/**
 * Group commit for worker reports. An execution's reports are applied one transaction at a time (its row
 * lock serializes them anyway), and one transaction takes the waiting reports of many executions: while
 * MAX_RUNNING transactions are under way, reports that arrive wait and then go together in the next one.
 * A lone report goes at once (at the end of the current tick, so that the reports of one request travel
 * together), so a sequential chain pays nothing, while a parallel loop's reports share one state load and
 * one engine draft, and concurrent executions share one statement of each kind and one commit.
 */

import { BatchPump } from "./batch-pump.ts";
import type { IncomingEvent } from "./event-records.ts";
import type { EventAck, PushOffer } from "./orchestrator.ts";

/** One report's outcome inside a batch: its ack, or the error that refused it alone (e.g. a lost lease). */
export type ReportOutcome = { ack: EventAck } | { error: Error };

/**
 * Applies each execution's reports (in order) and answers each report; a throw refuses all of them.
 * `offers`: the push offers of the requests the reports came with.
 */
export type ApplyReports = (
  batch: ReadonlyMap<string, IncomingEvent[][]>,
  offers: readonly PushOffer[],
) => Promise<Map<string, ReportOutcome[]>>;

interface Waiting {
  report: IncomingEvent[];
  offer: PushOffer | undefined;
  resolve: (ack: EventAck) => void;
  reject: (error: Error) => void;
}

/** Transactions of reports under way at once: enough to keep both PostgreSQL and the server busy. */
const MAX_RUNNING = 2;

export class ReportBatcher {
  /** Reports not yet taken, per execution, in arrival order. */
  private readonly waiting = new Map<string, Waiting[]>();
  /** Executions with a transaction under way: their next reports wait for it. */
  private readonly busy = new Set<string>();
  private readonly pump: BatchPump;

  constructor(
    private readonly apply: ApplyReports,
    /** Bounds one transaction's work (and the request latency of the reports in it). */
    private readonly maxBatch = 256,
    maxRunning = MAX_RUNNING,
  ) {
    this.pump = new BatchPump(maxRunning, () => this.start());
  }

  submit(executionId: string, report: IncomingEvent[], offer?: PushOffer): Promise<EventAck> {
    return new Promise((resolve, reject) => {
      const waiting: Waiting = { report, offer, resolve, reject };
      const queue = this.waiting.get(executionId);
      if (queue) queue.push(waiting);
      else this.waiting.set(executionId, [waiting]);
      this.pump.schedule();
    });
  }

  /** Starts a transaction with what is waiting of executions not busy; undefined when there is none. */
  private start(): Promise<void> | undefined {
    const batch = new Map<string, Waiting[]>();
    let size = 0;
    for (const [executionId, queue] of this.waiting) {
      if (size >= this.maxBatch) break;
      if (this.busy.has(executionId)) continue;
      const taken = queue.splice(0, this.maxBatch - size);
      if (queue.length === 0) this.waiting.delete(executionId);
      batch.set(executionId, taken);
      size += taken.length;
    }
    if (batch.size === 0) return undefined;
    for (const executionId of batch.keys()) this.busy.add(executionId);
    return this.run(batch);
  }

  private async run(batch: Map<string, Waiting[]>): Promise<void> {
    const reports = new Map([...batch].map(([id, queue]) => [id, queue.map((w) => w.report)]));
    const offers = new Set<PushOffer>();
    for (const queue of batch.values()) for (const w of queue) if (w.offer) offers.add(w.offer);
    try {
      const outcomes = await this.apply(reports, [...offers]);
      for (const [executionId, queue] of batch) {
        const answers = outcomes.get(executionId);
        queue.forEach((w, i) => {
          const outcome = answers?.[i] ?? {
            error: new Error(`no outcome for report ${i} of ${executionId}`),
          };
          if ("ack" in outcome) w.resolve(outcome.ack);
          else w.reject(outcome.error);
        });
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const queue of batch.values()) for (const w of queue) w.reject(error);
    } finally {
      for (const executionId of batch.keys()) this.busy.delete(executionId);
    }
  }
}
