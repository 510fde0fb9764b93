/**
 * state: chain40 run 100 times (10 at a time), then the stored state size of every execution
 * (pg_column_size, i.e. as stored, after TOAST compression) against its event log. The engine's state
 * must stay small and must not grow with the number of events: the sizes should be equal across
 * executions, grow only with the number of steps (compare chain5), and stay far below the log's size.
 */
import type { JsonObject } from "../../src/dsl/types.ts";
import { median, p95, round } from "../stats.ts";
import { type BenchSystem, runToEnd } from "../system.ts";
import { CHAIN_STEPS } from "./chain.ts";
import { chainPlaybook } from "./playbooks.ts";
import { statusCounts, type Workload } from "./types.ts";

const PARALLEL = 10;

interface Sizes {
  id: string;
  state_bytes: number;
  state_text_bytes: number;
  events: number;
  event_bytes: number;
}

async function sizes(system: BenchSystem, ids: string[]): Promise<Sizes[]> {
  const rows = await system.query<Record<keyof Sizes, string | number>>(
    `SELECT e.id, pg_column_size(e.state) AS state_bytes, octet_length(e.state::text) AS state_text_bytes,
       (SELECT count(*) FROM event v WHERE v.execution_id = e.id) AS events,
       (SELECT COALESCE(sum(pg_column_size(v.payload)), 0) FROM event v WHERE v.execution_id = e.id) AS event_bytes
     FROM execution e WHERE e.id = ANY($1::text[])`,
    [ids],
  );
  return rows.map((r) => ({
    id: String(r.id),
    state_bytes: Number(r.state_bytes),
    state_text_bytes: Number(r.state_text_bytes),
    events: Number(r.events),
    event_bytes: Number(r.event_bytes),
  }));
}

async function runMany(system: BenchSystem, steps: number, count: number) {
  const playbook = await system.register(chainPlaybook(steps));
  const results: Array<{ id: string; ms: number; status: string }> = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      results.push(await runToEnd(system, playbook));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, lane));
  const wall = performance.now() - started;
  return {
    results,
    wall,
    sizes: await sizes(
      system,
      results.map((r) => r.id),
    ),
  };
}

function spread(values: number[]): JsonObject {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

export const state100: Workload = {
  name: "state100",
  async run(system, ctx) {
    const count = ctx.quick ? 10 : 100;
    const long = await runMany(system, CHAIN_STEPS, count);
    const short = await runMany(system, 5, 10);
    const stateLong = median(long.sizes.map((s) => s.state_bytes));
    const stateShort = median(short.sizes.map((s) => s.state_bytes));
    const eventsLong = median(long.sizes.map((s) => s.events));
    const eventsShort = median(short.sizes.map((s) => s.events));
    const wall = long.results.map((r) => r.ms);
    return {
      runs: count,
      parallel: PARALLEL,
      median_ms: round(median(wall)),
      p95_ms: round(p95(wall)),
      executions_per_s: round((count / long.wall) * 1000),
      steps_per_s: round(((count * CHAIN_STEPS) / long.wall) * 1000),
      state_bytes: spread(long.sizes.map((s) => s.state_bytes)),
      state_text_bytes: spread(long.sizes.map((s) => s.state_text_bytes)),
      events_per_execution: eventsLong,
      event_log_bytes: median(long.sizes.map((s) => s.event_bytes)),
      chain5_state_bytes: stateShort,
      chain5_events_per_execution: eventsShort,
      state_bytes_per_added_event: round((stateLong - stateShort) / (eventsLong - eventsShort), 1),
      statuses: statusCounts(long.results.map((r) => r.status)),
      target: "state_bytes min = max across executions; grows per step, not per event",
    };
  },
};
