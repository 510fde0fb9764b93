/**
 * Embedded mode: one process, PGlite in a fresh data directory on disk (what `noetl run` uses), the
 * orchestrator and a worker wired by EmbeddedRuntime. Completion comes from EmbeddedRuntime.waitFor.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import type { JsonObject } from "../../src/dsl/types.ts";
import { EmbeddedRuntime } from "../../src/runtime/embedded.ts";
import { type BenchSystem, TIMINGS_SQL, toTimings } from "../system.ts";

export async function startEmbedded(): Promise<BenchSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), "noetl-bench-"));
  const config = loadConfig(process.env, { dataDir });
  const runtime = await EmbeddedRuntime.start(config);
  const { orchestrator, db } = runtime;
  return {
    mode: "embedded",
    pids: { workers: [] },
    setup: { db: "pglite (data dir on disk)", worker_concurrency: config.concurrency },
    async register(yaml) {
      const loaded = await orchestrator.catalog.register(yaml);
      return { path: loaded.path, version: loaded.version };
    },
    async start(playbook, payload: JsonObject = {}) {
      const executionId = randomUUID();
      await orchestrator.execute({ ...playbook, payload, execution_id: executionId });
      return executionId;
    },
    waitForEnd: (executionId) => runtime.waitFor(executionId),
    cancelAfter(executionId, ms) {
      const deadline = performance.now() + ms;
      let fired = false;
      const off = orchestrator.onCommit((c) => {
        if (fired || c.ended !== undefined || performance.now() < deadline) return;
        fired = true;
        off();
        void orchestrator.cancel(executionId, "benchmark time budget").catch(() => undefined);
      });
      return off;
    },
    async timings(ids) {
      return toTimings(await db.query(TIMINGS_SQL, [ids]));
    },
    query: (sql, params) => db.query(sql, params),
    async close() {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
