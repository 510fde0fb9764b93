/**
 * One graphile-worker process for the queue baseline: a no-op task, `concurrency` jobs at once, default
 * poll interval (new jobs arrive by LISTEN/NOTIFY). Prints "graphile ready" once running; stops on SIGTERM.
 * Run by bench/baseline/graphile.ts: `tsx bench/baseline/graphile-process.ts <db url> <concurrency>`.
 */
import { Logger, run } from "graphile-worker";

const [url, concurrency] = process.argv.slice(2);
if (url === undefined) throw new Error("usage: graphile-process.ts <db url> <concurrency>");

const runner = await run({
  connectionString: url,
  concurrency: Number(concurrency ?? 8),
  noHandleSignals: true,
  logger: new Logger(() => () => {}),
  taskList: { noop: async () => {} },
});
process.stdout.write("graphile ready\n");
process.on("SIGTERM", () => {
  runner.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
