/**
 * Executions: one row per run, holding the engine's state as a checkpoint plus the position of the journal
 * (migration 0003). Event handling locks the row (lockExecution) so that server replicas handle one
 * execution's events one at a time.
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import type { ExecutionStatus as EngineStatus } from "../engine/types.ts";
import type { Db } from "./db.ts";

/** The engine's statuses, plus `pending`: registered for an id, waiting for its workflow.start. */
export type ExecutionStatus = EngineStatus | "pending";

export interface ExecutionRow<S = JsonValue> {
  id: string;
  playbook_path: string;
  playbook_version: number;
  status: ExecutionStatus;
  workload: JsonObject;
  /**
   * The engine's state as of event `state_event_id` (a checkpoint); null until the first checkpoint. The
   * current state is this plus the journal: the engine inputs among the events up to `head_event_id`.
   */
  state: S | null;
  state_event_id: number;
  /** The last event appended for this execution: the version of its current state. */
  head_event_id: number;
  /** Engine inputs appended since the checkpoint. */
  journal_events: number;
  result: JsonValue | null;
  error: JsonValue | null;
  parent_execution_id: string | null;
  /** For a child started by a `playbook` tool: the parent's command that waits for it. */
  parent_command_id: string | null;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

/** An execution without its state, workload and result: what lists return. */
export type ExecutionSummary = Omit<ExecutionRow, "state" | "workload" | "result">;

export interface NewExecution<S = JsonValue> {
  id: string;
  playbookPath: string;
  playbookVersion: number;
  workload: JsonObject;
  state?: S | null;
  status?: ExecutionStatus;
  parentExecutionId?: string | null;
  parentCommandId?: string | null;
}

const ROW = `id, playbook_path, playbook_version, status, workload, result, error, parent_execution_id,
  parent_command_id, created_at, updated_at, ended_at, state_event_id, head_event_id, journal_events, state`;
/** What event handling reads of a row it locks: no JSON (workload, result) to parse on every transaction. */
const LOCKED = `id, playbook_path, playbook_version, status, parent_execution_id, parent_command_id,
  head_event_id, journal_events`;
const SUMMARY = `id, playbook_path, playbook_version, status, error, parent_execution_id, parent_command_id,
  created_at, updated_at, ended_at`;

export async function insertExecution<S = JsonValue>(
  db: Db,
  input: NewExecution<S>,
): Promise<ExecutionRow<S>> {
  const rows = await db.query<ExecutionRow<S>>(
    `INSERT INTO execution (id, playbook_path, playbook_version, status, workload, state, parent_execution_id,
       parent_command_id)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)
     RETURNING ${ROW}`,
    [
      input.id,
      input.playbookPath,
      input.playbookVersion,
      input.status ?? "running",
      input.workload,
      input.state ?? null,
      input.parentExecutionId ?? null,
      input.parentCommandId ?? null,
    ],
  );
  return rows[0]!;
}

/**
 * A locked execution row, with the database's clock read in the same round trip. It leaves out the state
 * checkpoint, which can be large: the server usually holds the current state already (by head_event_id),
 * and reads the checkpoint (readCheckpoint) only when it does not.
 */
export type LockedExecution = Pick<
  ExecutionRow,
  | "id"
  | "playbook_path"
  | "playbook_version"
  | "status"
  | "parent_execution_id"
  | "parent_command_id"
  | "head_event_id"
  | "journal_events"
> & { locked_at: string };

/** SELECT … FOR UPDATE: call inside a transaction; other lockers wait until it ends. */
export async function lockExecution(tx: Db, id: string): Promise<LockedExecution | undefined> {
  const rows = await tx.query<LockedExecution>(
    `SELECT ${LOCKED}, now() AS locked_at FROM execution WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0];
}

/**
 * Inserts new executions in one statement and returns them as lockExecutions would: a row this transaction
 * inserted is invisible to everyone else until it commits, so it needs no lock. Fails as a whole (e.g. on
 * an id that exists).
 */
export async function insertLockedExecutions(
  tx: Db,
  inputs: readonly NewExecution[],
): Promise<LockedExecution[]> {
  const records = inputs.map((input) => ({
    id: input.id,
    playbook_path: input.playbookPath,
    playbook_version: input.playbookVersion,
    status: input.status ?? "running",
    workload: input.workload,
    parent_execution_id: input.parentExecutionId ?? null,
    parent_command_id: input.parentCommandId ?? null,
  }));
  return tx.query<LockedExecution>(
    `INSERT INTO execution (id, playbook_path, playbook_version, status, workload, parent_execution_id,
       parent_command_id)
     SELECT id, playbook_path, playbook_version, status, workload, parent_execution_id, parent_command_id
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, playbook_path text, playbook_version int, status text,
       workload jsonb, parent_execution_id text, parent_command_id text)
     RETURNING ${LOCKED}, now() AS locked_at`,
    [records],
  );
}

/**
 * lockExecution for several executions in one statement, locking them in id order (so two transactions
 * locking overlapping sets cannot deadlock on each other). Missing ids are absent from the map.
 */
export async function lockExecutions(tx: Db, ids: readonly string[]): Promise<Map<string, LockedExecution>> {
  const rows = await tx.query<LockedExecution>(
    `SELECT ${LOCKED}, now() AS locked_at FROM execution WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

export interface ExecutionUpdate<S = JsonValue> {
  status: ExecutionStatus;
  result?: JsonValue | null;
  error?: JsonValue | null;
  /** Sets ended_at (once; a later save keeps the first end time). */
  ended?: boolean;
  /** The last event now appended for the execution. Unchanged when absent. */
  headEventId?: number;
  /** Engine inputs appended by this transaction: they lengthen the journal unless `state` is given. */
  journalEvents?: number;
  /** A new checkpoint: the state as of the head event. The journal starts again from it. */
  state?: S;
}

/**
 * Saves the status and journal position, and a checkpoint when given; false when the execution does not
 * exist. (The orchestrator writes all of this together with its events and commands in one statement,
 * see transitions.ts; this plain update is what tests use to set an execution up.)
 */
export async function saveExecution<S = JsonValue>(
  tx: Db,
  id: string,
  update: ExecutionUpdate<S>,
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE execution x
     SET status = $2, result = $3::jsonb, error = $4::jsonb, updated_at = now(),
         ended_at = CASE WHEN $5::boolean THEN COALESCE(x.ended_at, now()) ELSE x.ended_at END,
         head_event_id = COALESCE($6::bigint, x.head_event_id),
         state = CASE WHEN $7::boolean THEN $8::jsonb ELSE x.state END,
         state_event_id = CASE WHEN $7::boolean THEN COALESCE($6::bigint, x.head_event_id) ELSE x.state_event_id END,
         journal_events = CASE WHEN $7::boolean THEN 0 ELSE x.journal_events + $9::int END
     WHERE x.id = $1
     RETURNING x.id`,
    [
      id,
      update.status,
      update.result ?? null,
      update.error ?? null,
      update.ended ?? false,
      update.headEventId ?? null,
      update.state !== undefined,
      update.state ?? null,
      update.journalEvents ?? 0,
    ],
  );
  return rows.length > 0;
}

/** The state checkpoint and the event it was taken at. */
export async function readCheckpoint<S = JsonValue>(
  db: Db,
  id: string,
): Promise<{ state: S | null; state_event_id: number } | undefined> {
  const rows = await db.query<{ state: S | null; state_event_id: number }>(
    "SELECT state, state_event_id FROM execution WHERE id = $1",
    [id],
  );
  return rows[0];
}

export async function getExecution<S = JsonValue>(db: Db, id: string): Promise<ExecutionRow<S> | undefined> {
  const rows = await db.query<ExecutionRow<S>>(`SELECT ${ROW} FROM execution WHERE id = $1`, [id]);
  return rows[0];
}

export interface ListExecutionsOptions {
  status?: ExecutionStatus;
  /** Playbook path. */
  playbook?: string;
  /** Child executions of this one. */
  parentExecutionId?: string;
  /** Default 50, at most 1000. */
  limit?: number;
  /** Rows to skip (simple paging); prefer `cursor`, which stays stable while executions are added. */
  offset?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;

/**
 * Newest first, ordered by (created_at, id). The cursor is the id of the last row returned: the next page
 * continues strictly after that row, so rows inserted meanwhile never shift pages.
 */
export async function listExecutions(
  db: Db,
  options: ListExecutionsOptions = {},
): Promise<{ items: ExecutionSummary[]; nextCursor?: string }> {
  const limit = Math.min(Math.max(options.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
  // Only the filters given are in the SQL: each combination is its own prepared statement, whose plan can
  // use the index for its filter (connections use generic plans, see db-postgres.ts).
  const params: unknown[] = [limit + 1, Math.max(options.offset ?? 0, 0)];
  const where: string[] = [];
  const filter = (value: string | undefined, condition: (param: string) => string) => {
    if (value === undefined) return;
    params.push(value);
    where.push(condition(`$${params.length}::text`));
  };
  filter(options.status, (p) => `e.status = ${p}`);
  filter(options.playbook, (p) => `e.playbook_path = ${p}`);
  filter(options.parentExecutionId, (p) => `e.parent_execution_id = ${p}`);
  filter(
    options.cursor,
    (p) => `(e.created_at, e.id) < (SELECT c.created_at, c.id FROM execution c WHERE c.id = ${p})`,
  );
  const rows = await db.query<ExecutionSummary>(
    `SELECT ${SUMMARY} FROM execution e
     ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY e.created_at DESC, e.id DESC
     LIMIT $1 OFFSET $2`,
    params,
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return rows.length > limit && last !== undefined ? { items, nextCursor: last.id } : { items };
}

/** Running children of an execution (started by its `playbook` tool calls), to cancel with it. */
export async function runningChildren(db: Db, parentId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    "SELECT id FROM execution WHERE parent_execution_id = $1 AND status = 'running' ORDER BY created_at, id",
    [parentId],
  );
  return rows.map((r) => r.id);
}

/** An execution's status alone (cheap: no state), undefined when there is no such execution. */
export async function executionStatus(db: Db, id: string): Promise<ExecutionStatus | undefined> {
  const rows = await db.query<{ status: ExecutionStatus }>("SELECT status FROM execution WHERE id = $1", [
    id,
  ]);
  return rows[0]?.status;
}

/** How many executions are in each status (for metrics). */
export async function countExecutionsByStatus(
  db: Db,
): Promise<Array<{ status: ExecutionStatus; count: number }>> {
  return db.query("SELECT status, count(*)::int AS count FROM execution GROUP BY status ORDER BY status");
}
