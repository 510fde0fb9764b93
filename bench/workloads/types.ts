/** A workload: a playbook (or a set of executions) and how to measure it, runnable in either mode. */
import type { JsonObject } from "../../src/dsl/types.ts";
import type { BenchSystem } from "../system.ts";

/** Figures measured beside the workloads in the same run, used for the `baseline`/`ratio` fields. */
export interface Baselines {
  /** SELECT 1 round trip (postgres.js in server mode, PGlite in embedded mode), median ms. */
  roundtrip_ms?: number;
  /** graphile-worker jobs per second on the same database (server mode). */
  graphile_jobs_per_s?: number;
}

export interface WorkloadContext {
  /** Measured repetitions (after one warm-up). */
  runs: number;
  quick: boolean;
  /** Time a workload may spend on measured runs when one run is slow (it still does at least one). */
  budgetMs: number;
  baselines: Baselines;
}

export interface Workload {
  name: string;
  /** Fields of the result line beside workload/mode (runs, median_ms, p95_ms, ...). */
  run(system: BenchSystem, ctx: WorkloadContext): Promise<JsonObject>;
}

/** One warm-up (not measured) then `runs` measured repetitions of `once`. */
export async function repeat<T>(runs: number, once: (index: number) => Promise<T>): Promise<T[]> {
  await once(-1);
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(await once(i));
  return results;
}

/** How many executions ended in each status: printed, never asserted. */
export function statusCounts(statuses: readonly string[]): JsonObject {
  const counts: JsonObject = {};
  for (const s of statuses) counts[s] = ((counts[s] as number | undefined) ?? 0) + 1;
  return counts;
}
