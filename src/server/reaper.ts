/**
 * Recovers work from lost workers: an expired lease goes back to the queue while the command has claims
 * left; once its claims are spent the engine sees a failed call (error.kind "worker_lost").
 * Every server runs one; they coordinate through row locks (SKIP LOCKED), so several replicas are safe.
 */
import type { Logger } from "../logger.ts";
import { QUEUE_CHANNEL, requeueExpiredLeases } from "../store/index.ts";
import type { Orchestrator } from "./orchestrator.ts";

export class Reaper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly orchestrator: Orchestrator,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** One pass: requeue what can run again, fail what cannot. */
  async runOnce(): Promise<{ requeued: number; failed: number }> {
    const db = this.orchestrator.db;
    const requeued = await requeueExpiredLeases(db);
    if (requeued.length > 0) {
      await db.notify(QUEUE_CHANNEL);
      this.log.warn({ commands: requeued.length }, "requeued commands whose lease expired");
    }
    const failed = await this.orchestrator.failExhausted();
    if (failed > 0) this.log.warn({ commands: failed }, "failed commands whose workers were lost too often");
    return { requeued: requeued.length, failed };
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.log.error({ err }, "reaper pass failed"))
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
