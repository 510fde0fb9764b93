/**
 * The command queue, server side: inserting the engine's commands, cancelling them, and counting them.
 * Only the server writes commands, inside its orchestration transaction. Workers use claim.ts.
 */
import type { JsonObject } from "../dsl/types.ts";
import type { Command } from "../engine/types.ts";
import type { Db } from "./db.ts";

/** NOTIFY channel that wakes workers when commands were queued (a hint only: workers also poll). */
export const QUEUE_CHANNEL = "noetl_commands";
export const DEFAULT_MAX_CLAIMS = 3;

/** Queue placement a command may carry beside the engine's fields. */
export interface QueueOptions {
  /** Lower runs first. Default 0. */
  priority?: number;
  /** How many claims (runs) the command gets before the reaper fails it. Default 3. */
  max_claims?: number;
}

export type CommandStatus = "queued" | "leased" | "succeeded" | "failed" | "cancelled";

/** A command as stored in the queue. */
export interface CommandRow extends Command {
  status: CommandStatus;
  run_at: string;
  priority: number;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: string | null;
  claims: number;
  max_claims: number;
  created_at: string;
}

export const COMMAND_COLUMNS = `command_id, execution_id, step, step_run_id, purpose, kind, tool, args, attempt, call_index,
  loop_index, status, run_at, priority, lease_owner, lease_token, lease_expires_at, claims, max_claims, created_at`;

/** A command row exactly as the database returns it. */
export type StoredCommand = Omit<CommandRow, "loop_index"> & { loop_index: number | null };

/** Row → CommandRow: a NULL loop_index becomes an absent field, as in the engine's Command. */
export function toCommandRow(row: StoredCommand): CommandRow {
  const { loop_index, ...rest } = row;
  return loop_index === null || loop_index === undefined ? rest : { ...rest, loop_index };
}

/**
 * A command leased at insert to the worker that offered a slot for it (the push model: the server answers
 * that worker's report with it, and no claim is needed). `token` is the lease token; `ms` the lease's length.
 */
export interface InsertLease {
  owner: string;
  token: string;
  ms: number;
}

/** Commands as the JSON records INSERT_COMMANDS expands. */
export function commandRecords(
  commands: ReadonlyArray<Command & QueueOptions & { lease?: InsertLease }>,
): JsonObject[] {
  return commands.map((c) => ({
    command_id: c.command_id,
    execution_id: c.execution_id,
    step: c.step,
    step_run_id: c.step_run_id,
    purpose: c.purpose,
    kind: c.kind,
    tool: c.tool,
    args: c.args,
    attempt: c.attempt,
    call_index: c.call_index,
    loop_index: c.loop_index ?? null,
    run_at: c.run_at ?? null,
    priority: c.priority ?? 0,
    max_claims: c.max_claims ?? DEFAULT_MAX_CLAIMS,
    lease_owner: c.lease?.owner ?? null,
    lease_token: c.lease?.token ?? null,
    lease_ms: c.lease?.ms ?? null,
  }));
}

/**
 * Queues the command records of parameter `param`; an absent run_at means now. A record with a lease owner
 * goes in leased to it already, its claim counted.
 */
export const INSERT_COMMANDS = (
  param: string,
  where = "",
) => `INSERT INTO command (command_id, execution_id, step,
    step_run_id, purpose, kind, tool, args, attempt, call_index, loop_index, run_at, priority, max_claims,
    status, lease_owner, lease_token, lease_expires_at, claims)
  SELECT command_id, execution_id, step, step_run_id, purpose, kind, tool, COALESCE(args, '{}'), attempt,
    call_index, loop_index, COALESCE(run_at, now()), priority, max_claims,
    CASE WHEN lease_owner IS NULL THEN 'queued' ELSE 'leased' END, lease_owner, lease_token::uuid,
    now() + lease_ms * interval '1 millisecond', CASE WHEN lease_owner IS NULL THEN 0 ELSE 1 END
  FROM jsonb_to_recordset(${param}::jsonb) AS x(command_id text, execution_id text, step text, step_run_id text,
    purpose text, kind text, tool jsonb, args jsonb, attempt int, call_index int, loop_index int,
    run_at timestamptz, priority int, max_claims int, lease_owner text, lease_token text, lease_ms float8)
  ${where}`;

/**
 * Queues commands in one statement (a JSON array expanded by jsonb_to_recordset). A `run_at` in the
 * future delays the command; absent means now. Does not notify: the caller runs
 * `tx.notify(QUEUE_CHANNEL)` in the same transaction, so workers wake only once the commands are committed.
 * A command_id that is already queued fails the statement (and so the transaction).
 */
export async function insertCommands(
  tx: Db,
  commands: ReadonlyArray<Command & QueueOptions>,
): Promise<number> {
  if (commands.length === 0) return 0;
  const rows = await tx.query(`${INSERT_COMMANDS("$1")} RETURNING command_id`, [commandRecords(commands)]);
  return rows.length;
}

/**
 * Removes an execution's commands, queued or leased ("all", or the given ids). A worker still running a
 * removed command finds out when its heartbeat or completion is refused. Returns the removed ids.
 */
export async function cancelCommands(
  tx: Db,
  executionId: string,
  commandIds: readonly string[] | "all",
): Promise<string[]> {
  if (commandIds !== "all" && commandIds.length === 0) return [];
  const rows =
    commandIds === "all"
      ? await tx.query<{ command_id: string }>(
          "DELETE FROM command WHERE execution_id = $1 RETURNING command_id",
          [executionId],
        )
      : await tx.query<{ command_id: string }>(
          "DELETE FROM command WHERE execution_id = $1 AND command_id = ANY($2::text[]) RETURNING command_id",
          [executionId, commandIds],
        );
  return rows.map((r) => r.command_id);
}

/**
 * VACUUM of the queue table (outside any transaction). Every command leaves dead rows behind (its claim,
 * heartbeats and deletion), and a claim walks past them until a vacuum clears them: after four 10,000-item
 * loops, 200 concurrent executions took 2.0 s instead of 1.4 s. A table that is busy being vacuumed is
 * skipped rather than waited for.
 */
export async function vacuumQueue(db: Db): Promise<void> {
  await db.exec("VACUUM (SKIP_LOCKED) command");
}

/** One command as stored, or undefined once it finished (finished commands leave the table). */
export async function getCommand(db: Db, commandId: string): Promise<CommandRow | undefined> {
  const rows = await db.query<StoredCommand>(`SELECT ${COMMAND_COLUMNS} FROM command WHERE command_id = $1`, [
    commandId,
  ]);
  return rows[0] && toCommandRow(rows[0]);
}

export interface QueueStats {
  /** Waiting, including those whose run_at is still in the future. */
  queued: number;
  /** Waiting and claimable now. */
  ready: number;
  leased: number;
  /** Leased with an expired lease, waiting for the reaper. */
  expired: number;
  /** Age of the oldest claimable command in milliseconds (0 when none): how far workers lag behind. */
  oldest_ready_ms: number;
}

/** Queue depth for metrics: one pass over the (small) hot queue. */
export async function queueStats(db: Db): Promise<QueueStats> {
  const rows = await db.query<QueueStats>(
    `SELECT
       count(*) FILTER (WHERE status = 'queued')::int AS queued,
       count(*) FILTER (WHERE status = 'queued' AND run_at <= now())::int AS ready,
       count(*) FILTER (WHERE status = 'leased')::int AS leased,
       count(*) FILTER (WHERE status = 'leased' AND lease_expires_at < now())::int AS expired,
       COALESCE(floor(extract(epoch FROM now() - min(run_at) FILTER (WHERE status = 'queued' AND run_at <= now()))
         * 1000), 0)::float8 AS oldest_ready_ms
     FROM command`,
  );
  return rows[0]!;
}
