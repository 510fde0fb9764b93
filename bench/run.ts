/**
 * `npm run bench`: every workload in both modes, one JSON line per (workload, mode) on stdout, progress on
 * stderr. Server mode runs on a fresh PostgreSQL database (dropped at the end) with the queue baselines
 * measured beside it; embedded mode on PGlite in a temporary data directory. Nothing is asserted: targets
 * are printed next to the figures. Options: see options.ts (`npm run bench -- --help`).
 */
import { spawn } from "node:child_process";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { JsonObject } from "../src/dsl/types.ts";
import { measureGraphile } from "./baseline/graphile.ts";
import { measureRoundtrip } from "./baseline/roundtrip.ts";
import { createBenchDatabase, postgresAvailable } from "./modes/database.ts";
import { startEmbedded } from "./modes/embedded.ts";
import { startServerMode, WORKER_PROCESSES } from "./modes/server.ts";
import { REPO_ROOT } from "./modes/spawn.ts";
import { type BenchOptions, parseOptions, type WorkloadName } from "./options.ts";
import { emit, progress } from "./output.ts";
import { revision } from "./revision.ts";
import { round } from "./stats.ts";
import type { BenchSystem, Mode } from "./system.ts";
import { chain40 } from "./workloads/chain.ts";
import { concurrent200 } from "./workloads/concurrent.ts";
import { fanout10k } from "./workloads/fanout.ts";
import { fibo40 } from "./workloads/fibo.ts";
import { state100 } from "./workloads/state.ts";
import type { Baselines, Workload, WorkloadContext } from "./workloads/types.ts";

const SYSTEM_WORKLOADS: Workload[] = [chain40, fibo40, fanout10k, concurrent200, state100];

const machine: JsonObject = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? "unknown",
  node: process.version,
  revision: revision(),
};

/** Stops whatever a run started when the bench is interrupted (Ctrl-C). */
const cleanups = new Set<() => Promise<void>>();
process.once("SIGINT", () => {
  progress("interrupted: stopping processes and dropping the database");
  Promise.allSettled([...cleanups].map((fn) => fn())).finally(() => process.exit(130));
});

function line(workload: string, mode: Mode | "in-process", fields: JsonObject, opts: BenchOptions): void {
  // The 1-minute load average beside each figure: these machines are shared, and load inflates latency.
  const load = round(loadavg()[0] ?? 0, 1);
  emit({ workload, mode, ...fields, ...(opts.quick && { quick: true }), ...machine, loadavg_1m: load });
}

async function runWorkloads(system: BenchSystem, opts: BenchOptions, baselines: Baselines): Promise<void> {
  const ctx: WorkloadContext = { runs: opts.runs, quick: opts.quick, budgetMs: opts.budgetMs, baselines };
  for (const workload of SYSTEM_WORKLOADS) {
    if (!opts.only.has(workload.name as WorkloadName)) continue;
    progress(`${workload.name} (${system.mode})`);
    const started = performance.now();
    try {
      const fields = await workload.run(system, ctx);
      line(workload.name, system.mode, { ...fields, setup: system.setup }, opts);
    } catch (err) {
      line(workload.name, system.mode, { error: err instanceof Error ? err.message : String(err) }, opts);
    }
    progress(`${workload.name} (${system.mode}) took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

const wants = (opts: BenchOptions, ...names: WorkloadName[]) => names.some((n) => opts.only.has(n));

async function serverMode(opts: BenchOptions, baselines: Baselines): Promise<void> {
  if (!(await postgresAvailable())) {
    line("all", "server", { skipped: "PostgreSQL not reachable (NOETL_BENCH_ADMIN_URL)" }, opts);
    return;
  }
  const database = await createBenchDatabase();
  cleanups.add(database.drop);
  progress(`server mode on database ${database.name}`);
  try {
    if (wants(opts, "roundtrip", "chain40")) {
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      try {
        const rt = await measureRoundtrip(
          (q) => sql.unsafe(q, [], { prepare: true }),
          opts.quick,
          "postgres.js",
        );
        baselines.roundtrip_ms = rt.median_ms as number;
        line("roundtrip", "server", rt, opts);
      } finally {
        await sql.end({ timeout: 1 });
      }
    }
    if (wants(opts, "graphile", "fanout10k")) {
      progress(`graphile-worker baseline: 1 warm-up + ${opts.runs} runs`);
      const concurrency = Number(process.env.NOETL_WORKER_CONCURRENCY ?? 8);
      const g = await measureGraphile({
        dbUrl: database.url,
        processes: WORKER_PROCESSES,
        concurrency,
        ...opts,
      });
      baselines.graphile_jobs_per_s = g.jobs_per_s;
      line("graphile", "server", g, opts);
    }
    if (SYSTEM_WORKLOADS.some((w) => opts.only.has(w.name as WorkloadName))) {
      const system = await startServerMode({ dbUrl: database.url });
      cleanups.add(system.close);
      try {
        await runWorkloads(system, opts, baselines);
      } finally {
        await system.close();
        cleanups.delete(system.close);
      }
    }
  } finally {
    await database.drop();
    cleanups.delete(database.drop);
  }
}

async function embeddedMode(opts: BenchOptions, baselines: Baselines): Promise<void> {
  const system = await startEmbedded();
  cleanups.add(system.close);
  // The graphile figure (PostgreSQL) stays as the fanout baseline; the round trip is PGlite's own.
  const own: Baselines = { ...baselines };
  delete own.roundtrip_ms;
  try {
    if (wants(opts, "roundtrip", "chain40")) {
      const rt = await measureRoundtrip((q) => system.query(q), opts.quick, "pglite (Db adapter)");
      own.roundtrip_ms = rt.median_ms as number;
      line("roundtrip", "embedded", rt, opts);
    }
    await runWorkloads(system, opts, own);
  } finally {
    await system.close();
    cleanups.delete(system.close);
  }
}

/** bench/expr.ts in its own process (it measures the interpreter alone), its line passed through. */
async function exprBench(opts: BenchOptions): Promise<void> {
  progress("expr: expression evaluation");
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bench", "expr.ts")], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  await new Promise((resolve) => child.on("close", resolve));
  try {
    const fields = JSON.parse(out.trim()) as JsonObject;
    emit({ ...fields, ...machine, loadavg_1m: round(loadavg()[0] ?? 0, 1) });
  } catch {
    line("expr_eval", "in-process", { error: `unexpected output: ${out.slice(0, 300)}` }, opts);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = performance.now();
  progress(`${machine.cores} cores (${machine.cpu}), node ${machine.node}; modes: ${opts.modes.join(", ")}`);
  const baselines: Baselines = {};
  for (const mode of opts.modes) {
    if (mode === "server") await serverMode(opts, baselines);
    else await embeddedMode(opts, baselines);
  }
  if (opts.only.has("expr")) await exprBench(opts);
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((err: unknown) => {
  progress(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
