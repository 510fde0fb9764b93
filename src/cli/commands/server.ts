/** `noetl server start`: the HTTP API, the orchestrator and the reaper, on PostgreSQL. */
import type { Command } from "commander";
import { type Config, loadConfig } from "../../config.ts";
import { openCredentialKey } from "../../credentials/index.ts";
import { createLogger } from "../../logger.ts";
import { migrate, openDb } from "../../store/index.ts";
import { requirePostgres } from "../need-postgres.ts";
import { onShutdown } from "../signals.ts";

export function registerServer(program: Command): void {
  const server = program.command("server").description("the NoETL server (HTTP API + orchestrator)");
  server
    .command("start")
    .description("start the server: applies migrations, serves the API, reaps lost leases")
    .option("--port <port>", "port to listen on (default 8000, or NOETL_PORT)")
    .option("--host <host>", "address to bind (default 0.0.0.0, or NOETL_HOST)")
    .option("--db <url>", "PostgreSQL url (or NOETL_DATABASE_URL)")
    .action(async (flags: { port?: string; host?: string; db?: string }) => {
      const config = loadConfig(process.env, flags);
      await startServer(config);
    });
}

export async function startServer(config: Readonly<Config>): Promise<void> {
  // Loaded here rather than at the top: the CLI's other commands need not load fastify (~120 ms).
  const [{ buildServer }, { Reaper }] = await Promise.all([
    import("../../server/app.ts"),
    import("../../server/reaper.ts"),
  ]);
  const log = createLogger({ level: config.logLevel, name: "noetl-server" });
  const db = await openDb({ url: requirePostgres(config, "server") });
  const credentialKey = await openCredentialKey(config, { create: true });
  const { app, orchestrator } = buildServer({ db, log, credentialKey });
  try {
    await migrate(db);
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // The open pool would keep the process alive: it printed EADDRINUSE and then hung instead of exiting 1.
    await app.close();
    await db.close();
    throw err;
  }
  const reaper = new Reaper(orchestrator, config.pollMs, log);
  reaper.start();
  log.info({ port: config.port }, "noetl server listening");
  onShutdown(log, async () => {
    await app.close();
    await reaper.stop();
    await orchestrator.idle();
    await db.close();
  });
}
