import type { Logger } from "../logger.ts";

/**
 * SIGTERM/SIGINT: the first signal runs `graceful` and exits 0; a second one exits at once (whatever was
 * in flight is recovered from the database: leases expire and the reaper re-queues the commands).
 */
export function onShutdown(log: Logger, graceful: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, "stopping gracefully (send the signal again to exit at once)");
    graceful().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
