/**
 * The group-commit rhythm both batchers share (ReportBatcher, StartBatcher): a batch starts at the end of
 * the tick in which work was submitted, at most `maxRunning` run at once, and when one ends the work that
 * waited meanwhile starts together in the next.
 */
export class BatchPump {
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly maxRunning: number,
    /** Starts a batch of what is waiting; undefined when nothing can start. */
    private readonly startBatch: () => Promise<void> | undefined,
  ) {}

  /** Asks for batches to start once the current tick is over. */
  schedule(): void {
    if (this.scheduled || this.running >= this.maxRunning) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      while (this.running < this.maxRunning) {
        const batch = this.startBatch();
        if (batch === undefined) return;
        this.running++;
        void batch.finally(() => {
          this.running--;
          this.schedule();
        });
      }
    });
  }
}
