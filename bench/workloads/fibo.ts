/** fibo40: a sequential loop over 40 items, each a python step computing naive recursive fib(10). */
import { median, p95, round } from "../stats.ts";
import { runToEnd } from "../system.ts";
import { fiboPlaybook } from "./playbooks.ts";
import { repeat, statusCounts, type Workload } from "./types.ts";

const ITEMS = 40;

export const fibo40: Workload = {
  name: "fibo40",
  async run(system, ctx) {
    const playbook = await system.register(fiboPlaybook(ITEMS));
    const runs = await repeat(ctx.runs, () => runToEnd(system, playbook));
    const timings = await system.timings(runs.map((r) => r.id));
    const wall = runs.map((r) => r.ms);
    const db = runs.map((r) => timings.get(r.id)?.db_ms ?? Number.NaN);
    return {
      runs: runs.length,
      items: ITEMS,
      median_ms: round(median(wall)),
      p95_ms: round(p95(wall)),
      db_median_ms: round(median(db)),
      per_step_ms: round(median(wall) / ITEMS),
      steps_per_s: round((ITEMS / median(wall)) * 1000),
      baseline: { what: "Hatchet fibo40 (published)", median_ms: 1220 },
      ratio: round(median(wall) / 1220),
      statuses: statusCounts(runs.map((r) => r.status)),
      target: "median_ms < 800",
    };
  },
};
