/**
 * Group commit for execute requests. A request arriving while MAX_RUNNING start transactions are under way
 * waits, and the waiting ones then go together in the next transaction: one insert, one write statement
 * and one commit for many new executions instead of each paying its own. A lone request goes at once (at
 * the end of the current tick), so a single execute pays nothing. The same scheme as ReportBatcher, without
 * its per-execution ordering: every request here creates an execution of its own.
 */

import { BatchPump } from "./batch-pump.ts";

/** Starts a batch; answers each item with its result or the error that refused it alone. */
export type ApplyStarts<T, R> = (items: readonly T[]) => Promise<Array<R | Error>>;

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

/** Start transactions under way at once (reports have their own two). */
const MAX_RUNNING = 2;

export class StartBatcher<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private readonly pump: BatchPump;

  constructor(
    private readonly apply: ApplyStarts<T, R>,
    /** Bounds one transaction's work (and the latency of the requests in it). */
    private readonly maxBatch = 100,
    maxRunning = MAX_RUNNING,
  ) {
    this.pump = new BatchPump(maxRunning, () =>
      this.waiting.length === 0 ? undefined : this.run(this.waiting.splice(0, this.maxBatch)),
    );
  }

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump.schedule();
    });
  }

  private async run(batch: Array<Waiting<T, R>>): Promise<void> {
    try {
      const results = await this.apply(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const result = results[i];
        if (result instanceof Error) w.reject(result);
        else if (result === undefined && results.length <= i) w.reject(new Error(`no result for start ${i}`));
        else w.resolve(result as R);
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const w of batch) w.reject(error);
    }
  }
}
