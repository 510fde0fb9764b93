/**
 * Everything an orchestration transaction writes after the engine ran, for any number of executions, in
 * ONE statement: append the events, drop cancelled commands, queue the new ones, move each execution's
 * head (and status, and a checkpoint when given), and NOTIFY the workers. One statement instead of five
 * per execution is one message to send and one plan to run: on the machines NoETL is measured on, each
 * statement's round of socket writes and wake-ups costs more than the work in it.
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import type { Command } from "../engine/types.ts";
import {
  commandRecords,
  INSERT_COMMANDS,
  type InsertLease,
  QUEUE_CHANNEL,
  type QueueOptions,
} from "./commands.ts";
import type { Db } from "./db.ts";
import { EVENT_INPUT, eventRecords, INSERT_EVENTS, type NewEvent } from "./events.ts";
import type { ExecutionStatus } from "./executions.ts";

/** One execution's writes. */
export interface Transition<S = JsonValue> {
  executionId: string;
  /** Appended in order; one whose idempotency key is stored already is skipped. */
  events: readonly NewEvent[];
  /** Commands of this execution to remove, queued or leased ("all": every one). */
  cancel?: readonly string[] | "all";
  /** Commands to queue; one with a lease goes in leased to that worker (see InsertLease). */
  commands: ReadonlyArray<Command & QueueOptions & { lease?: InsertLease }>;
  status: ExecutionStatus;
  result: JsonValue | null;
  error: JsonValue | null;
  /** Sets ended_at (once). */
  ended: boolean;
  /** Engine inputs among the events: they lengthen the journal unless `checkpoint` is given. */
  journalEvents: number;
  /** A new checkpoint: the state as of the new head. The journal starts again from it. */
  checkpoint?: S;
}

/**
 * The conditions of an optimistic write (no lock taken before it): the statement writes nothing unless the
 * execution is still running at `head` and the report's lease still holds, which it checks under the row
 * lock it takes itself, and completes the command in the same statement.
 */
export interface TransitionGuard {
  /** The head_event_id the caller's state is current for. */
  head: number;
  /** The reported command and its lease token. */
  lease: { commandId: string; leaseToken: string };
  /**
   * The engine's clock for this transition, stored as its events' created_at (a replay sees the same). It
   * must lie within CLOCK_TOLERANCE of the database's now(), or nothing is written.
   */
  clock: string;
}

/**
 * How far a guarded write's clock may be from the database's now(). Ahead by more (the server's clock
 * stepped, its estimate went stale) would date events in the future and delay a retry's run_at; behind by
 * more (an event loop stalled for a second) would date them in the past. Either way the write falls back to
 * the locked path, which dates events with now() and measures the clock again.
 */
export const CLOCK_TOLERANCE = { aheadMs: 50, behindMs: 1000 };

export interface WrittenTransitions {
  /** Each execution's head_event_id afterwards: the last of its events stored so far in the transaction. */
  heads: Map<string, number>;
  /** The database's now() for the statement (its transaction's start); undefined when nothing was written. */
  now: string | undefined;
}

/**
 * Writes the transitions (each execution at most once; locked by the caller) and returns each execution's
 * head_event_id afterwards: the last of its events stored so far in this transaction, by any statement.
 * `wake` is the NOTIFY payload for QUEUE_CHANNEL, sent only when a command is queued for any worker to claim.
 * With a `guard` (one transition, nothing locked by the caller), no heads means its conditions failed and
 * nothing was written.
 */
export async function commitTransitions(
  tx: Db,
  transitions: readonly Transition[],
  wake = "",
  guard?: TransitionGuard,
): Promise<WrittenTransitions> {
  if (transitions.length === 0) return { heads: new Map(), now: undefined };
  if (guard !== undefined && transitions.length !== 1) {
    throw new Error("commitTransitions: a guard covers exactly one transition");
  }
  // One UPDATE row per execution: a second transition of the same one would be silently dropped by it.
  if (new Set(transitions.map((t) => t.executionId)).size < transitions.length) {
    throw new Error("commitTransitions: an execution appears twice; write its transitions one at a time");
  }
  const events = transitions.flatMap((t) => t.events);
  const commands = transitions.flatMap((t) => t.commands);
  const cancel = transitions.flatMap((t) =>
    t.cancel === undefined || t.cancel.length === 0
      ? []
      : [{ execution_id: t.executionId, every: t.cancel === "all", ids: t.cancel === "all" ? [] : t.cancel }],
  );
  const updates = transitions.map(
    (t): JsonObject => ({
      id: t.executionId,
      status: t.status,
      result: t.result,
      error: t.error,
      ended: t.ended,
      journal_events: t.journalEvents,
      checkpoint: t.checkpoint !== undefined,
      state: (t.checkpoint ?? null) as JsonValue,
    }),
  );
  // Sibling statements of one WITH share a snapshot: `head` counts this statement's events through
  // `appended`, and those of earlier statements of the transaction through the event table.
  const head = `GREATEST(x.head_event_id,
      (SELECT max(a.id) FROM appended a WHERE a.execution_id = x.id),
      (SELECT max(v.id) FROM event v WHERE v.execution_id = x.id AND v.id > x.head_event_id))`;
  // Unguarded, every part runs; guarded, each part runs only if `done` completed the reported command,
  // which it does only while `ok` holds the running execution at the expected head.
  const gate = guard === undefined ? "" : "EXISTS (SELECT 1 FROM done)";
  const and = (condition: string) => (gate === "" ? condition : `${condition} AND ${gate}`);
  const guardCtes =
    guard === undefined
      ? ""
      : `ok AS (
       SELECT id FROM execution WHERE id = $6 AND head_event_id = $7 AND status = 'running'
         AND $10::timestamptz BETWEEN now() - interval '${CLOCK_TOLERANCE.behindMs} milliseconds'
           AND now() + interval '${CLOCK_TOLERANCE.aheadMs} milliseconds'
       FOR UPDATE
     ),
     done AS (
       DELETE FROM command WHERE command_id = $8 AND execution_id = $6 AND status = 'leased'
         AND lease_token::text = $9 AND EXISTS (SELECT 1 FROM ok)
       RETURNING command_id
     ),
     `;
  const params: unknown[] = [eventRecords(events), commandRecords(commands), cancel, updates, wake];
  if (guard !== undefined) {
    params.push(
      transitions[0]!.executionId,
      guard.head,
      guard.lease.commandId,
      guard.lease.leaseToken,
      guard.clock,
    );
  }
  const rows = await tx.query<{ id: string; head_event_id: number; now: string }>(
    `WITH ${guardCtes}input AS (${EVENT_INPUT("$1")}${gate === "" ? "" : ` WHERE ${gate}`}),
     appended AS (${INSERT_EVENTS("input", guard === undefined ? "now()" : "$10::timestamptz")}
       RETURNING id, execution_id),
     cancelled AS (
       DELETE FROM command c USING jsonb_to_recordset($3::jsonb) AS d(execution_id text, every boolean, ids text[])
       WHERE ${and("c.execution_id = d.execution_id AND (d.every OR c.command_id = ANY(d.ids))")}
     ),
     queued AS (${INSERT_COMMANDS("$2", gate === "" ? "" : `WHERE ${gate}`)} RETURNING lease_owner),
     woken AS (
       SELECT pg_notify('${QUEUE_CHANNEL}', $5::text)
       FROM (SELECT 1 FROM queued WHERE lease_owner IS NULL LIMIT 1) q
     ),
     saved AS (
       UPDATE execution x
       SET status = u.status, result = u.result, error = u.error, updated_at = now(),
           ended_at = CASE WHEN u.ended THEN COALESCE(x.ended_at, now()) ELSE x.ended_at END,
           head_event_id = ${head},
           state = CASE WHEN u.checkpoint THEN u.state ELSE x.state END,
           state_event_id = CASE WHEN u.checkpoint THEN ${head} ELSE x.state_event_id END,
           journal_events = CASE WHEN u.checkpoint THEN 0 ELSE x.journal_events + u.journal_events END
       FROM jsonb_to_recordset($4::jsonb) AS u(id text, status text, result jsonb, error jsonb, ended boolean,
         journal_events int, checkpoint boolean, state jsonb)
       WHERE ${and("x.id = u.id")}
       RETURNING x.id, x.head_event_id
     )
     SELECT id, head_event_id, now() AS now, (SELECT count(*) FROM woken) AS notified FROM saved`,
    params,
  );
  return { heads: new Map(rows.map((r) => [r.id, r.head_event_id])), now: rows[0]?.now };
}
