/**
 * Step runs of an execution, derived from its event log: the engine records `step.start` when it starts a
 * step run and `step.done` when the run finishes, so timings need no table of their own.
 */
import type { JsonValue } from "../dsl/types.ts";
import type { Db } from "./db.ts";

export interface StepRunRow {
  step: string;
  step_run_id: string;
  /** completed | failed | cancelled, or running while no step.done was recorded. */
  status: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  /** Calls reported by workers (pages, retries and loop items each count). */
  calls: number;
  error: JsonValue | null;
}

export async function listStepRuns(db: Db, executionId: string): Promise<StepRunRow[]> {
  return db.query<StepRunRow>(
    `SELECT step, step_run_id,
       COALESCE((array_agg(payload->>'status' ORDER BY id DESC) FILTER (WHERE name = 'step.done'))[1], 'running')
         AS status,
       COALESCE(min(created_at) FILTER (WHERE name = 'step.start'), min(created_at)) AS started_at,
       max(created_at) FILTER (WHERE name = 'step.done') AS ended_at,
       (extract(epoch FROM max(created_at) FILTER (WHERE name = 'step.done')
         - COALESCE(min(created_at) FILTER (WHERE name = 'step.start'), min(created_at))) * 1000)::float8
         AS duration_ms,
       (count(*) FILTER (WHERE name = 'call.done'))::int AS calls,
       (array_agg(payload->'error' ORDER BY id DESC) FILTER (WHERE name = 'step.done'))[1] AS error
     FROM event
     WHERE execution_id = $1 AND step_run_id IS NOT NULL AND step IS NOT NULL
     GROUP BY step, step_run_id
     ORDER BY min(id)`,
    [executionId],
  );
}
