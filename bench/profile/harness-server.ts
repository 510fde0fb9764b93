/**
 * The profile harness's server: what `noetl server start` does (migrate, buildServer, reaper, listen), on a
 * traced Db, plus timing hooks on every request and `GET /bench/trace` that returns and clears the spans.
 * Usage: tsx bench/profile/harness-server.ts <db url> <port>
 */
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { buildServer } from "../../src/server/app.ts";
import { Reaper } from "../../src/server/reaper.ts";
import { migrate, openDb } from "../../src/store/index.ts";
import { clock, Trace, tracedDb } from "./trace.ts";

const [url, port] = process.argv.slice(2);
if (url === undefined || port === undefined) throw new Error("usage: harness-server.ts <db url> <port>");

const config = loadConfig(process.env, { db: url, port });
const log = createLogger({ level: config.logLevel, name: "noetl-server" });
const trace = new Trace("server");
const db = tracedDb(await openDb({ url }), trace);
await migrate(db);
trace.take();
const { app, orchestrator } = buildServer({ db, log });
const started = new WeakMap<object, number>();
app.addHook("onRequest", async (request) => {
  started.set(request, clock());
});
app.addHook("onResponse", async (request) => {
  const start = started.get(request);
  if (start !== undefined && request.url.startsWith("/api/")) {
    trace.add({ kind: "http", label: `${request.method} ${request.routeOptions.url}`, start, end: clock() });
  }
});
app.get("/bench/trace", async () => ({ spans: trace.take() }));
const reaper = new Reaper(orchestrator, config.pollMs, log);
await app.listen({ port: config.port, host: "127.0.0.1" });
reaper.start();
log.info({ port: config.port }, "noetl server listening");
process.on("SIGTERM", () => {
  void Promise.allSettled([app.close(), reaper.stop()]).then(() => db.close().finally(() => process.exit(0)));
});
