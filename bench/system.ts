/**
 * What a workload needs from the system under test, the same in both modes: register a playbook, start
 * executions, learn when they end, and read figures from the database. bench/modes/ implements it.
 */
import type { JsonObject } from "../src/dsl/types.ts";

export type Mode = "embedded" | "server";

export interface ExecutionTiming {
  status: string;
  /** ended_at - created_at from the database: excludes client round trips and polling jitter. */
  db_ms: number;
}

export interface BenchSystem {
  readonly mode: Mode;
  /** Registers a playbook (once per workload) and returns its catalog path and version. */
  register(yaml: string): Promise<{ path: string; version: number }>;
  /** Starts an execution and resolves with its id as soon as the execute call returned. */
  start(playbook: { path: string; version: number }, payload?: JsonObject): Promise<string>;
  /** Resolves with the final status once the execution ended (registers the wait before it can end). */
  waitForEnd(executionId: string): Promise<string>;
  /**
   * Cancels the execution if it is still running after `ms` (the time-box of a workload that overran its
   * budget); returns a function that disarms it. Embedded mode checks the deadline on each commit, since
   * no timer fires while an embedded run keeps the event loop in microtasks.
   */
  cancelAfter(executionId: string, ms: number): () => void;
  /** Database-side figures of ended executions. */
  timings(executionIds: readonly string[]): Promise<Map<string, ExecutionTiming>>;
  /** A read-only query on the system's database (state sizes, counts). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Process ids of the server and workers (server mode), to read their peak memory. */
  readonly pids: { server?: number; workers: number[] };
  /** Worker settings, printed beside the results. */
  readonly setup: JsonObject;
  close(): Promise<void>;
}

/** Starts an execution and waits for its end; returns wall milliseconds measured around both. */
export async function runToEnd(
  system: BenchSystem,
  playbook: { path: string; version: number },
  payload?: JsonObject,
): Promise<{ id: string; ms: number; status: string }> {
  const started = performance.now();
  const id = await system.start(playbook, payload);
  const status = await system.waitForEnd(id);
  return { id, ms: performance.now() - started, status };
}

export const TIMINGS_SQL = `SELECT id, status,
  EXTRACT(EPOCH FROM (ended_at - created_at)) * 1000 AS db_ms
  FROM execution WHERE id = ANY($1::text[])`;

export function toTimings(
  rows: Array<{ id: string; status: string; db_ms: number | string | null }>,
): Map<string, ExecutionTiming> {
  return new Map(rows.map((r) => [r.id, { status: r.status, db_ms: Number(r.db_ms ?? Number.NaN) }]));
}
