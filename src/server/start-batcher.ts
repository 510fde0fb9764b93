/**
 * Group commit for execute requests. A request arriving while MAX_RUNNING start transactions are under way
 * waits, and the waiting ones then go together in the next transaction: one insert, one write statement
 * and one commit for many new executions instead of each paying its own. A lone request goes at once (at
 * the end of the current tick), so a single execute pays nothing. The same scheme as ReportBatcher, without
 * its per-execution ordering: every request here creates an execution of its own.
 */

import { BatchPump } from "./batch-pump.ts";

/** Starts a batch; answers each item with undefined (started) or the error that refused it alone. */
export type ApplyStarts<T> = (items: readonly T[]) => Promise<Array<Error | undefined>>;

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Start transactions under way at once (reports have their own two). */
const MAX_RUNNING = 2;

export class StartBatcher<T> {
  private waiting: Array<Waiting<T>> = [];
  private readonly pump: BatchPump;

  constructor(
    private readonly apply: ApplyStarts<T>,
    /** Bounds one transaction's work (and the latency of the requests in it). */
    private readonly maxBatch = 100,
    maxRunning = MAX_RUNNING,
  ) {
    this.pump = new BatchPump(maxRunning, () =>
      this.waiting.length === 0 ? undefined : this.run(this.waiting.splice(0, this.maxBatch)),
    );
  }

  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump.schedule();
    });
  }

  private async run(batch: Array<Waiting<T>>): Promise<void> {
    try {
      const results = await this.apply(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const error = results[i];
        if (error === undefined) w.resolve();
        else w.reject(error);
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const w of batch) w.reject(error);
    }
  }
}
