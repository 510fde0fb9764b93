/**
 * Embedded mode under the same lens: EmbeddedRuntime's wiring rebuilt here (it has no logic of its own:
 * orchestrator + worker + LocalReporter + reaper on one PGlite) so that the orchestrator's and the
 * worker's statements can be traced apart, and a CPU profile taken in this process around chain40.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import type { JsonObject } from "../../src/dsl/types.ts";
import { silentLogger } from "../../src/logger.ts";
import { LocalReporter } from "../../src/runtime/local-reporter.ts";
import { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { Reaper } from "../../src/server/reaper.ts";
import { migrate, openDb } from "../../src/store/index.ts";
import { defaultTools } from "../../src/tools/index.ts";
import { Worker } from "../../src/worker/worker.ts";
import { median, round } from "../stats.ts";
import { chainPlaybook } from "../workloads/playbooks.ts";
import { roundTrips, statementCounts } from "./analyse.ts";
import { summariseProfile } from "./cpuprofile.ts";
import { Trace, tracedDb } from "./trace.ts";

const CHAIN = 40;

export async function profileEmbedded(executions: number, dir: string): Promise<JsonObject> {
  const dataDir = await mkdtemp(join(tmpdir(), "noetl-bench-embedded-"));
  const config = loadConfig(process.env, { dataDir });
  const raw = await openDb({ dataDir });
  await migrate(raw);
  const server = new Trace("server");
  const worker1 = new Trace("w1");
  const log = silentLogger();
  const orchestrator = new Orchestrator(
    tracedDb(raw, server),
    new PlaybookCatalog(tracedDb(raw, server)),
    log,
  );
  const tools = defaultTools();
  const worker = new Worker({
    db: tracedDb(raw, worker1),
    tools,
    reporter: new LocalReporter(orchestrator),
    id: "w1",
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    shutdownGraceMs: config.shutdownGraceMs,
    log,
  });
  const reaper = new Reaper(orchestrator, config.pollMs, log);
  const waiters = new Map<string, () => void>();
  orchestrator.onCommit((c) => {
    if (c.commands > 0) worker.wake();
    if (c.ended !== undefined) waiters.get(c.execution_id)?.();
  });
  await worker.start();
  reaper.start();
  const session = new Session();
  try {
    const playbook = await orchestrator.catalog.register(chainPlaybook(CHAIN));
    const once = async () => {
      const id = crypto.randomUUID();
      const ended = new Promise<void>((resolve) => waiters.set(id, resolve));
      const started = performance.now();
      await orchestrator.execute({ path: playbook.path, version: playbook.version, execution_id: id });
      await ended;
      waiters.delete(id);
      return performance.now() - started;
    };
    for (let i = 0; i < 3; i++) await once();
    server.take();
    worker1.take();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 250 });
    await session.post("Profiler.start");
    const times: number[] = [];
    for (let i = 0; i < executions; i++) times.push(await once());
    const { profile } = await session.post("Profiler.stop");
    const file = join(dir, "chain40-embedded.cpuprofile");
    await writeFile(file, JSON.stringify(profile));
    const spans = [...server.take(), ...worker1.take()];
    const steps = executions * CHAIN;
    return {
      workload: "profile_chain40",
      mode: "embedded (wiring of EmbeddedRuntime, traced)",
      steps,
      per_step_ms: round(median(times) / CHAIN),
      round_trips: roundTrips(spans, steps),
      statements: statementCounts(spans, steps),
      cpu: { file, ...(await summariseProfile(file)) },
    };
  } finally {
    session.disconnect();
    await reaper.stop();
    await worker.stop(1000);
    await tools.close();
    await raw.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
