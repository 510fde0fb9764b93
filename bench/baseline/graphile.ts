/**
 * Queue baseline on the same database in the same run: graphile-worker 0.16 with the same number of
 * worker processes and the same concurrency as NoETL's workers, processing no-op jobs. Each run inserts
 * all jobs in one add_jobs() call (its NOTIFY wakes the workers) and ends when the job table is empty
 * (graphile deletes a job once it succeeded); jobs per second over that span.
 */
import { join } from "node:path";
import { runMigrations } from "graphile-worker";
import postgres from "postgres";
import type { JsonObject } from "../../src/dsl/types.ts";
import { type Child, REPO_ROOT, spawnTs } from "../modes/spawn.ts";
import { median, p95, round } from "../stats.ts";
import { repeat } from "../workloads/types.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureGraphile(opts: {
  dbUrl: string;
  processes: number;
  concurrency: number;
  runs: number;
  quick: boolean;
}): Promise<JsonObject & { jobs_per_s: number }> {
  const jobs = opts.quick ? 1000 : 10_000;
  await runMigrations({ connectionString: opts.dbUrl });
  const sql = postgres(opts.dbUrl, { max: 1, onnotice: () => {} });
  const children: Child[] = [];
  try {
    const entry = join(REPO_ROOT, "bench", "baseline", "graphile-process.ts");
    for (let i = 0; i < opts.processes; i++) {
      children.push(spawnTs(`graphile-${i + 1}`, entry, [opts.dbUrl, String(opts.concurrency)]));
    }
    await Promise.all(children.map((c) => c.waitForOutput("graphile ready")));
    const runs = await repeat(opts.runs, async () => {
      const started = performance.now();
      await sql.unsafe(
        `SELECT count(*) FROM graphile_worker.add_jobs((
           SELECT array_agg(ROW('noop', '{}'::json, NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec)
           FROM generate_series(1, $1::int)))`,
        [jobs],
      );
      const added = performance.now() - started;
      for (;;) {
        const [row] = await sql.unsafe<Array<{ left: boolean }>>(
          "SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS left",
        );
        if (!row?.left) break;
        await sleep(5);
      }
      return { ms: performance.now() - started, added };
    });
    const wall = runs.map((r) => r.ms);
    const jobsPerS = round((jobs / median(wall)) * 1000);
    return {
      runs: runs.length,
      jobs,
      worker_processes: opts.processes,
      concurrency: opts.concurrency,
      median_ms: round(median(wall)),
      p95_ms: round(p95(wall)),
      add_jobs_median_ms: round(median(runs.map((r) => r.added))),
      jobs_per_s: jobsPerS,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await sql.end({ timeout: 1 });
  }
}
