/**
 * The profile harness's worker: what `noetl worker start` does (same connection settings, batched reports
 * with slot offers), on a traced Db, with the noop tool and the HTTP reporter traced too. The parent asks for the spans over IPC ({trace: true}) and gets them back.
 * Usage: tsx bench/profile/harness-worker.ts <db url> <server url> <id>   (spawned with an IPC channel)
 */
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { openDb } from "../../src/store/index.ts";
import { defaultTools, noopTool } from "../../src/tools/index.ts";
import { HttpReporter } from "../../src/worker/http-reporter.ts";
import type { EventReporter } from "../../src/worker/report.ts";
import { Worker } from "../../src/worker/worker.ts";
import { clock, Trace, tracedDb } from "./trace.ts";

const [url, serverUrl, id] = process.argv.slice(2);
if (url === undefined || serverUrl === undefined || id === undefined) {
  throw new Error("usage: harness-worker.ts <db url> <server url> <id>");
}
const config = loadConfig(process.env, { db: url, serverUrl, id });
const log = createLogger({ level: config.logLevel, name: `noetl-worker ${id}` });
const trace = new Trace(id);
const db = tracedDb(await openDb({ url, max: 4, synchronousCommit: false }), trace);
const tools = defaultTools().register({
  ...noopTool,
  async execute(toolConfig, args, ctx) {
    const start = clock();
    const outcome = await noopTool.execute(toolConfig, args, ctx);
    trace.add({ kind: "tool", label: ctx.command_id, start, end: clock() });
    return outcome;
  },
});
const http = new HttpReporter({ serverUrl });
// Both entry points, as the worker uses them: batched reports carry the slot offer (the push model).
const reporter: EventReporter = {
  async report(events) {
    const start = clock();
    const status = await http.report(events);
    trace.add({ kind: "report", label: events[0]?.command_id ?? "", start, end: clock() });
    return status;
  },
  async reportMany(reports, offer) {
    const start = clock();
    // The span ends when the answer is in: settling the offer dispatches pushed commands at once.
    let answered: number | undefined;
    const traced = offer && {
      ...offer,
      settle: (commands: Parameters<typeof offer.settle>[0]) => {
        answered = clock();
        offer.settle(commands);
      },
    };
    const outcomes = await http.reportMany(reports, traced);
    const end = answered ?? clock();
    for (const events of reports)
      trace.add({ kind: "report", label: events[0]?.command_id ?? "", start, end });
    return outcomes;
  },
};
const worker = new Worker({
  db,
  tools,
  reporter,
  id,
  concurrency: config.concurrency,
  leaseMs: config.leaseMs,
  pollMs: config.pollMs,
  shutdownGraceMs: config.shutdownGraceMs,
  log,
});
await worker.start();
log.info({ concurrency: config.concurrency }, "noetl worker started");
process.on("message", (message) => {
  if ((message as { trace?: boolean }).trace) process.send?.({ spans: trace.take() });
});
process.on("SIGTERM", () => {
  void worker
    .stop()
    .then(() => Promise.allSettled([tools.close(), http.close(), db.close()]))
    .finally(() => process.exit(0));
});
