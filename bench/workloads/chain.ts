/**
 * chain40: 40 noop steps chained with `next`. Wall time from execute to workflow.end, the per-step
 * overhead, and that per-step time as a multiple of one SELECT 1 round trip.
 */
import { median, p95, round } from "../stats.ts";
import { runToEnd } from "../system.ts";
import { chainPlaybook } from "./playbooks.ts";
import { repeat, statusCounts, type Workload } from "./types.ts";

export const CHAIN_STEPS = 40;

export const chain40: Workload = {
  name: "chain40",
  async run(system, ctx) {
    const playbook = await system.register(chainPlaybook(CHAIN_STEPS));
    const runs = await repeat(ctx.runs, () => runToEnd(system, playbook));
    const timings = await system.timings(runs.map((r) => r.id));
    const wall = runs.map((r) => r.ms);
    const db = runs.map((r) => timings.get(r.id)?.db_ms ?? Number.NaN);
    const perStep = median(wall) / CHAIN_STEPS;
    const rt = ctx.baselines.roundtrip_ms;
    return {
      runs: runs.length,
      steps: CHAIN_STEPS,
      median_ms: round(median(wall)),
      p95_ms: round(p95(wall)),
      db_median_ms: round(median(db)),
      db_p95_ms: round(p95(db)),
      per_step_ms: round(perStep),
      db_per_step_ms: round(median(db) / CHAIN_STEPS),
      steps_per_s: round((CHAIN_STEPS / median(wall)) * 1000),
      ...(rt !== undefined && {
        baseline: { what: "SELECT 1 round trip", median_ms: round(rt, 3) },
        ratio: round(perStep / rt, 1),
      }),
      statuses: statusCounts(runs.map((r) => r.status)),
      target: system.mode === "server" ? "per_step_ms <= 5 (all 40 < 200 ms)" : "median_ms < 400 (embedded)",
    };
  },
};
