/**
 * The append-only event log. A re-posted event (same idempotency key) is stored once.
 */
import type { JsonObject } from "../dsl/types.ts";
import type { Db } from "./db.ts";

export interface NewEvent {
  execution_id: string;
  name: string;
  payload: JsonObject;
  step?: string;
  step_run_id?: string;
  command_id?: string;
  attempt?: number;
  worker_id?: string;
  /** Events with the same key are stored once; undefined means always store. */
  idempotency_key?: string;
}

export interface EventRow {
  /** Increasing in append order: within one appendEvents call, ids follow the input order. */
  id: number;
  execution_id: string;
  step: string | null;
  step_run_id: string | null;
  command_id: string | null;
  name: string;
  payload: JsonObject;
  attempt: number | null;
  worker_id: string | null;
  /** Database time of the transaction that appended it. */
  created_at: string;
  idempotency_key: string | null;
}

const COLUMNS = `id, execution_id, step, step_run_id, command_id, name, payload, attempt, worker_id, created_at,
  idempotency_key`;

/** Events as the JSON records EVENT_INPUT expands (ord: their position in the input). */
export function eventRecords(events: readonly NewEvent[]): JsonObject[] {
  return events.map((e, ord) => ({
    ord,
    execution_id: e.execution_id,
    name: e.name,
    payload: e.payload,
    step: e.step ?? null,
    step_run_id: e.step_run_id ?? null,
    command_id: e.command_id ?? null,
    attempt: e.attempt ?? null,
    worker_id: e.worker_id ?? null,
    idempotency_key: e.idempotency_key ?? null,
  }));
}

/**
 * The event records of parameter `param` with their ids, drawn from the sequence in input order before the
 * insert, so each stored row is matched to its input exactly by id whatever order the database uses.
 */
export const EVENT_INPUT = (param: string) => `SELECT nextval('event_id_seq') AS id, x.*
  FROM jsonb_to_recordset(${param}::jsonb) AS x(ord int, execution_id text, name text, payload jsonb, step text,
    step_run_id text, command_id text, attempt int, worker_id text, idempotency_key text)`;

/**
 * Inserts the rows of EVENT_INPUT named `input`; an idempotency key seen before is skipped. `createdAt`: the
 * SQL for the events' time (default the transaction's `now()`).
 */
export const INSERT_EVENTS = (input: string, createdAt = "now()") => `INSERT INTO event (id, execution_id,
    step, step_run_id, command_id, name, payload, attempt, worker_id, idempotency_key, created_at)
  SELECT id, execution_id, step, step_run_id, command_id, name, COALESCE(payload, '{}'), attempt, worker_id,
    idempotency_key, ${createdAt}
  FROM ${input} ORDER BY ord
  ON CONFLICT (idempotency_key) DO NOTHING`;

/**
 * Appends events in one statement. Returns one entry per input, in input order: the stored row, or null
 * when an event with the same idempotency key already exists (or appears earlier in the same batch).
 */
export async function appendEvents(tx: Db, events: readonly NewEvent[]): Promise<Array<EventRow | null>> {
  if (events.length === 0) return [];
  const rows = await tx.query<EventRow & { ord: number }>(
    `WITH input AS (${EVENT_INPUT("$1")}), inserted AS (${INSERT_EVENTS("input")} RETURNING ${COLUMNS})
     SELECT input.ord, inserted.* FROM inserted JOIN input USING (id)`,
    [eventRecords(events)],
  );
  const result: Array<EventRow | null> = events.map(() => null);
  for (const { ord, ...row } of rows) result[ord] = row;
  return result;
}

/** The stored events with these idempotency keys (a re-posted request finds what it stored before). */
export async function eventsByIdempotencyKey(db: Db, keys: readonly string[]): Promise<EventRow[]> {
  if (keys.length === 0) return [];
  return db.query<EventRow>(
    `SELECT ${COLUMNS} FROM event WHERE idempotency_key = ANY($1::text[]) ORDER BY id`,
    [keys],
  );
}

/**
 * The journal of an execution's state: its events named `names` (the engine's inputs) with ids in
 * (afterId, upToId], in append order. The upper bound keeps a reader outside the row lock consistent with
 * the head it read.
 */
export async function journalEvents(
  db: Db,
  executionId: string,
  range: { afterId: number; upToId: number; names: readonly string[] },
): Promise<EventRow[]> {
  return db.query<EventRow>(
    `SELECT ${COLUMNS} FROM event
     WHERE execution_id = $1 AND id > $2 AND id <= $3 AND name = ANY($4::text[])
     ORDER BY id`,
    [executionId, range.afterId, range.upToId, range.names],
  );
}

export const DEFAULT_EVENT_PAGE = 1000;

/** An execution's events in append order, after `afterId` (exclusive) when given. */
export async function listEvents(
  db: Db,
  executionId: string,
  options: { afterId?: number; limit?: number } = {},
): Promise<EventRow[]> {
  return db.query<EventRow>(
    `SELECT ${COLUMNS} FROM event WHERE execution_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
    [executionId, options.afterId ?? 0, Math.max(options.limit ?? DEFAULT_EVENT_PAGE, 1)],
  );
}
