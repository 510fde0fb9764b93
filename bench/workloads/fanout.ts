/**
 * fanout10k: one parallel loop of 10,000 noop items, max_in_flight 500. Steps per second against
 * graphile-worker's jobs per second, and the peak memory (VmHWM) of the server and a worker during it.
 *
 * Time-boxed so a slow build still finishes the suite: a warm-up at a tenth of the size predicts a run,
 * which caps the measured runs to what fits in the budget (at least one); a run still going when the
 * budget is spent is cancelled and reported by the items it finished (`completed: false`).
 */
import { peakRssMb, resetPeakRss } from "../modes/spawn.ts";
import { median, p95, round } from "../stats.ts";
import type { BenchSystem } from "../system.ts";
import { fanoutPlaybook } from "./playbooks.ts";
import type { Workload } from "./types.ts";

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

interface FanoutRun {
  id: string;
  ms: number;
  status: string;
  itemsDone: number;
  /** Largest engine state seen while it ran (JSON text bytes, and as stored after TOAST compression). */
  statePeak: { text: number; stored: number };
  stateFinal: { text: number; stored: number };
}

const STATE_SIZE_SQL =
  "SELECT octet_length(state::text) AS text, pg_column_size(state) AS stored FROM execution WHERE id = $1";

async function stateSize(system: BenchSystem, id: string): Promise<{ text: number; stored: number }> {
  const [row] = await system.query<{ text: number | string | null; stored: number | string | null }>(
    STATE_SIZE_SQL,
    [id],
  );
  return { text: Number(row?.text ?? 0), stored: Number(row?.stored ?? 0) };
}

/** Samples the state size every 500 ms (server mode; embedded runs never yield to timers, see docs). */
function sampleState(system: BenchSystem, id: string): () => Promise<{ text: number; stored: number }> {
  const peak = { text: 0, stored: 0 };
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = stateSize(system, id).then((s) => {
      if (s.text > peak.text) Object.assign(peak, s);
    });
  }, 500);
  return async () => {
    clearInterval(timer);
    await pending.catch(() => undefined);
    return peak;
  };
}

async function timeBoxed(
  system: BenchSystem,
  playbook: { path: string; version: number },
  budgetMs: number,
): Promise<FanoutRun> {
  const started = performance.now();
  const id = await system.start(playbook);
  const disarm = system.cancelAfter(id, Math.max(0, budgetMs - (performance.now() - started)));
  const stopSampling = sampleState(system, id);
  const status = await system.waitForEnd(id);
  const ms = performance.now() - started;
  disarm();
  const statePeak = await stopSampling();
  const [row] = await system.query<{ done: string | number }>(
    "SELECT count(*) AS done FROM event WHERE execution_id = $1 AND name = 'call.done'",
    [id],
  );
  return {
    id,
    ms,
    status: status === "cancelled" ? "over budget (cancelled)" : status,
    itemsDone: Number(row?.done),
    statePeak,
    stateFinal: await stateSize(system, id),
  };
}

export const fanout10k: Workload = {
  name: "fanout10k",
  async run(system, ctx) {
    const items = ctx.quick ? 500 : 10_000;
    const playbook = await system.register(fanoutPlaybook(items, MAX_IN_FLIGHT));
    const pids = [serverPid(system), ...system.pids.workers];
    const warm = await timeBoxed(
      system,
      await system.register(fanoutPlaybook(items / 10, MAX_IN_FLIGHT)),
      ctx.budgetMs,
    );
    const predictedMs = warm.ms * 10;
    const planned = Math.max(1, Math.min(ctx.runs, Math.floor(ctx.budgetMs / predictedMs)));
    let serverPeak = 0;
    let workerPeak = 0;
    const runs: FanoutRun[] = [];
    let spent = 0;
    while (runs.length < planned && spent < ctx.budgetMs) {
      await Promise.all(pids.map(resetPeakRss));
      const run = await timeBoxed(system, playbook, ctx.budgetMs - spent);
      runs.push(run);
      spent += run.ms;
      const peak = await peaks(system);
      serverPeak = Math.max(serverPeak, peak.server);
      workerPeak = Math.max(workerPeak, peak.worker);
      if (run.itemsDone < items) break;
    }
    const peakText = Math.max(...runs.map((r) => r.statePeak.text));
    const rates = runs.map((r) => (r.itemsDone / r.ms) * 1000);
    const finished = runs.filter((r) => r.itemsDone === items);
    const wall = finished.map((r) => r.ms);
    const stepsPerS = median(rates);
    const jobs = ctx.baselines.graphile_jobs_per_s;
    return {
      runs: runs.length,
      ...(runs.length < ctx.runs && {
        runs_requested: ctx.runs,
        runs_capped: `budget ${ctx.budgetMs / 1000} s; the warm-up predicted ${round(predictedMs / 1000)} s per run`,
      }),
      items,
      max_in_flight: MAX_IN_FLIGHT,
      completed: finished.length === runs.length,
      items_done: runs.map((r) => r.itemsDone),
      median_ms: finished.length > 0 ? round(median(wall)) : null,
      p95_ms: finished.length > 0 ? round(p95(wall)) : null,
      elapsed_ms: runs.map((r) => round(r.ms)),
      steps_per_s: round(stepsPerS),
      per_step_ms: round(1000 / stepsPerS, 3),
      warmup: { items: items / 10, steps_per_s: round((warm.itemsDone / warm.ms) * 1000) },
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
      // null in embedded mode: the sampler's timer never fires while the run keeps the loop busy.
      state_peak_bytes:
        peakText > 0 ? { text: peakText, stored: Math.max(...runs.map((r) => r.statePeak.stored)) } : null,
      state_final_bytes: runs.at(-1)?.stateFinal ?? null,
      statuses: Object.fromEntries(runs.map((r, i) => [`run${i + 1}`, r.status])),
      target: "steps_per_s >= 2000 and ratio >= 0.3",
    };
  },
};
