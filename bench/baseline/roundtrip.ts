/**
 * The floor under every step: one SELECT 1 round trip, and one durable commit (a single-row INSERT in
 * its own transaction: a round trip plus a WAL flush). Server mode measures over postgres.js against the
 * run's database; embedded mode through the system's own query path (PGlite).
 */
import type { JsonObject } from "../../src/dsl/types.ts";
import { median, p95, round } from "../stats.ts";

type Query = (sql: string) => Promise<unknown>;

async function timeEach(calls: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(200, calls); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

export async function measureRoundtrip(query: Query, quick: boolean, what: string): Promise<JsonObject> {
  const calls = quick ? 300 : 2000;
  const select = await timeEach(calls, () => query("SELECT 1"));
  await query(
    "CREATE TABLE IF NOT EXISTS bench_commit (id serial PRIMARY KEY, at timestamptz DEFAULT now())",
  );
  const commit = await timeEach(Math.floor(calls / 4), () =>
    query("INSERT INTO bench_commit DEFAULT VALUES"),
  );
  await query("DROP TABLE bench_commit");
  return {
    runs: calls,
    what,
    median_ms: round(median(select), 3),
    p95_ms: round(p95(select), 3),
    commit_median_ms: round(median(commit), 3),
    commit_p95_ms: round(p95(commit), 3),
  };
}
