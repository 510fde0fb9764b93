/**
 * concurrent200: 200 executions of a 5-step playbook started at once. Executions per second over the
 * whole batch, and p50/p99 latency of each execution from its execute call to its end.
 */
import { median, p95, percentile, round } from "../stats.ts";
import { runToEnd } from "../system.ts";
import { chainPlaybook } from "./playbooks.ts";
import { repeat, statusCounts, type Workload } from "./types.ts";

const STEPS = 5;

export const concurrent200: Workload = {
  name: "concurrent200",
  async run(system, ctx) {
    const executions = ctx.quick ? 50 : 200;
    const playbook = await system.register(chainPlaybook(STEPS, "chain5"));
    const batches = await repeat(ctx.runs, async () => {
      const started = performance.now();
      const each = await Promise.all(Array.from({ length: executions }, () => runToEnd(system, playbook)));
      const wall = performance.now() - started;
      const timings = await system.timings(each.map((r) => r.id));
      const latency = each.map((r) => r.ms);
      const db = each.map((r) => timings.get(r.id)?.db_ms ?? Number.NaN);
      return {
        wall,
        p50: median(latency),
        p99: percentile(latency, 99),
        dbP50: median(db),
        dbP99: percentile(db, 99),
        statuses: each.map((r) => r.status),
      };
    });
    const wall = batches.map((b) => b.wall);
    const statuses = batches.flatMap((b) => b.statuses);
    return {
      runs: batches.length,
      executions,
      steps_per_execution: STEPS,
      median_ms: round(median(wall)),
      p95_ms: round(p95(wall)),
      executions_per_s: round((executions / median(wall)) * 1000),
      steps_per_s: round(((executions * STEPS) / median(wall)) * 1000),
      latency_p50_ms: round(median(batches.map((b) => b.p50))),
      latency_p99_ms: round(median(batches.map((b) => b.p99))),
      latency_p99_worst_ms: round(Math.max(...batches.map((b) => b.p99))),
      db_latency_p50_ms: round(median(batches.map((b) => b.dbP50))),
      db_latency_p99_ms: round(median(batches.map((b) => b.dbP99))),
      statuses: statusCounts(statuses),
      target: "all complete, latency_p99_ms < 2000",
    };
  },
};
