/** Liveness, readiness and Prometheus metrics. */
import type { FastifyInstance } from "fastify";
import { countExecutionsByStatus, queueStats } from "../../store/index.ts";
import { renderGauge } from "../metrics.ts";
import type { Orchestrator } from "../orchestrator.ts";

export function healthRoutes(app: FastifyInstance, orchestrator: Orchestrator): void {
  const db = orchestrator.db;

  app.get("/api/v2/health", async (_request, reply) => {
    try {
      await db.query("SELECT 1");
      return { status: "ok", database: db.driver };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return reply.status(503).send({ error: { code: "E_DB_UNAVAILABLE", message } });
    }
  });

  app.get("/metrics", async (_request, reply) => {
    const [queue, executions] = await Promise.all([queueStats(db), countExecutionsByStatus(db)]);
    const text = [
      renderGauge(
        "noetl_executions",
        "Executions by status.",
        executions.map((r) => [{ status: r.status }, r.count]),
      ),
      renderGauge("noetl_queue_commands", "Commands in the queue, by state.", [
        [{ state: "queued" }, queue.queued],
        [{ state: "ready" }, queue.ready],
        [{ state: "leased" }, queue.leased],
        [{ state: "expired" }, queue.expired],
      ]),
      renderGauge("noetl_queue_oldest_ready_seconds", "Age of the oldest runnable command.", [
        [{}, queue.oldest_ready_ms / 1000],
      ]),
      orchestrator.metrics.render(),
    ].join("\n");
    return reply.type("text/plain; version=0.0.4").send(`${text}\n`);
  });
}
