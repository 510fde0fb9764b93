/**
 * The server vacuums the queue table itself, after every VACUUM_EVERY_COMMANDS commands it finished.
 * Autovacuum wakes once a minute per database at most and may be off altogether (PGlite has none), while a
 * wide loop leaves tens of thousands of dead command rows behind in that minute, which every claim then
 * walks past. The table holds only the live backlog, so a vacuum of it takes milliseconds.
 */
import type { Logger } from "../logger.ts";
import { type Db, vacuumQueue } from "../store/index.ts";

export const VACUUM_EVERY_COMMANDS = 5000;

export class QueueVacuum {
  private finished = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly every = VACUUM_EVERY_COMMANDS,
  ) {}

  /** Counts finished commands; starts a vacuum in the background once enough have finished. */
  commandsFinished(count: number): void {
    this.finished += count;
    if (this.finished < this.every || this.running !== undefined) return;
    this.finished = 0;
    const started = performance.now();
    this.running = vacuumQueue(this.db)
      .then(() => this.log.debug({ ms: Math.round(performance.now() - started) }, "queue table vacuumed"))
      .catch((err: unknown) => this.log.warn({ err }, "queue table vacuum failed"))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Resolves when no vacuum is running (before closing the database). */
  async idle(): Promise<void> {
    await this.running;
  }
}
