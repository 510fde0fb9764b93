/**
 * fanout10k: one parallel loop of 10,000 noop items, max_in_flight 500. Steps per second against
 * graphile-worker's jobs per second, and the peak memory (VmHWM) of the server and a worker during it.
 */
import { peakRssMb, resetPeakRss } from "../modes/spawn.ts";
import { median, p95, round } from "../stats.ts";
import { type BenchSystem, runToEnd } from "../system.ts";
import { fanoutPlaybook } from "./playbooks.ts";
import { statusCounts, type Workload } from "./types.ts";

const MAX_IN_FLIGHT = 500;

/** In embedded mode the bench process itself is the server and the worker. */
function serverPid(system: BenchSystem): number {
  return system.pids.server ?? process.pid;
}

async function peaks(system: BenchSystem): Promise<{ server: number; worker: number }> {
  const server = await peakRssMb(serverPid(system));
  const workers = await Promise.all(system.pids.workers.map(peakRssMb));
  return { server, worker: workers.length === 0 ? Number.NaN : Math.max(...workers) };
}

export const fanout10k: Workload = {
  name: "fanout10k",
  async run(system, ctx) {
    const items = ctx.quick ? 500 : 10_000;
    const playbook = await system.register(fanoutPlaybook(items, MAX_IN_FLIGHT));
    const pids = [serverPid(system), ...system.pids.workers];
    let serverPeak = 0;
    let workerPeak = 0;
    // The warm-up is a tenth of the size; its rate predicts a full run, which caps the measured runs to
    // what fits in the time budget (at least one), so a slow build still finishes the suite.
    const warm = await system.register(fanoutPlaybook(items / 10, MAX_IN_FLIGHT));
    const warmRun = await runToEnd(system, warm);
    const predictedMs = warmRun.ms * 10;
    const planned = Math.max(1, Math.min(ctx.runs, Math.floor(ctx.budgetMs / predictedMs)));
    const runs = [];
    for (let i = 0; i < planned; i++) {
      await Promise.all(pids.map(resetPeakRss));
      runs.push(await runToEnd(system, playbook));
      const peak = await peaks(system);
      serverPeak = Math.max(serverPeak, peak.server);
      workerPeak = Math.max(workerPeak, peak.worker);
    }
    const timings = await system.timings(runs.map((r) => r.id));
    const wall = runs.map((r) => r.ms);
    const db = runs.map((r) => timings.get(r.id)?.db_ms ?? Number.NaN);
    const stepsPerS = (items / median(wall)) * 1000;
    const jobs = ctx.baselines.graphile_jobs_per_s;
    return {
      runs: runs.length,
      ...(runs.length < ctx.runs && {
        runs_requested: ctx.runs,
        runs_capped: `a run takes ~${round(predictedMs / 1000)} s; budget ${ctx.budgetMs / 1000} s`,
      }),
      items,
      max_in_flight: MAX_IN_FLIGHT,
      median_ms: round(median(wall)),
      p95_ms: round(p95(wall)),
      db_median_ms: round(median(db)),
      steps_per_s: round(stepsPerS),
      per_step_ms: round(median(wall) / items, 3),
      ...(jobs !== undefined && {
        baseline: {
          what: "graphile-worker no-op jobs/s, same database and worker processes",
          jobs_per_s: jobs,
        },
        ratio: round(stepsPerS / jobs),
      }),
      // Embedded mode has no child processes: the bench process itself holds server and worker.
      ...(system.mode === "server"
        ? { server_peak_rss_mb: round(serverPeak, 1), worker_peak_rss_mb: round(workerPeak, 1) }
        : { process_peak_rss_mb: round(serverPeak, 1) }),
      statuses: statusCounts(runs.map((r) => r.status)),
      target: "steps_per_s >= 2000 and ratio >= 0.3",
    };
  },
};
