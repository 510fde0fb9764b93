/** `noetl worker start`: a background worker; claims from PostgreSQL, reports to the server over HTTP. */
import { hostname } from "node:os";
import type { Command } from "commander";
import { type Config, loadConfig } from "../../config.ts";
import { createCredentialResolver, openCredentialKey } from "../../credentials/index.ts";
import { createLogger } from "../../logger.ts";
import { openDb } from "../../store/index.ts";
import { requirePostgres } from "../need-postgres.ts";
import { onShutdown } from "../signals.ts";

interface WorkerFlags {
  v2?: boolean;
  db?: string;
  serverUrl?: string;
  concurrency?: string;
  id?: string;
}

export function registerWorker(program: Command): void {
  const worker = program.command("worker").description("background workers that run commands");
  worker
    .command("start")
    .description("start a worker: claims commands, runs tools, posts events to the server")
    .option("--v2", "accepted for the original command line; v2 is the only version")
    .option("--db <url>", "PostgreSQL url (or NOETL_DATABASE_URL)")
    .option("--server-url <url>", "server to report to (default http://localhost:8000, or NOETL_SERVER_URL)")
    .option("--concurrency <n>", "commands run at once (default 8)")
    .option("--id <name>", "worker id (default host-pid)")
    .action(async (flags: WorkerFlags) => {
      await startWorker(loadConfig(process.env, flags));
    });
}

export async function startWorker(config: Readonly<Config>): Promise<void> {
  // Loaded here rather than at the top: the CLI's other commands need not load the tools and undici.
  const [{ defaultTools }, { HttpReporter }, { Worker }] = await Promise.all([
    import("../../tools/index.ts"),
    import("../../worker/http-reporter.ts"),
    import("../../worker/worker.ts"),
  ]);
  const id = config.workerId ?? `${hostname()}-${process.pid}`;
  const log = createLogger({ level: config.logLevel, name: `noetl-worker ${id}` });
  // A worker writes only leases. A claim lost in a database crash is a lease that expired: the command is
  // claimed again, as after any lost lease. So its commits need not wait for the WAL flush (one per claim,
  // on every step's critical path); the server's transactions, which accept events, always do.
  const db = await openDb({ url: requirePostgres(config, "worker"), max: 4, synchronousCommit: false });
  const tools = defaultTools(config.pythonPath ? { pythonPath: config.pythonPath } : {});
  const reporter = new HttpReporter({ serverUrl: config.serverUrl });
  const credentials = createCredentialResolver(db, await openCredentialKey(config, { create: false }));
  const worker = new Worker({
    db,
    tools,
    credentials,
    reporter,
    id,
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    shutdownGraceMs: config.shutdownGraceMs,
    log,
  });
  await worker.start();
  log.info({ concurrency: config.concurrency, server: config.serverUrl }, "noetl worker started");
  onShutdown(log, async () => {
    await worker.stop();
    await tools.close();
    await reporter.close();
    await db.close();
  });
}
