/**
 * The reaper's statements (the loop itself belongs to the server). A lease whose expiry passed means
 * its worker died or stalled: the command is re-queued while it has claims left, and taken out of the
 * queue once they are spent so the server can report a failed call (error.kind "worker_lost").
 */

import { COMMAND_COLUMNS, type CommandRow, type StoredCommand, toCommandRow } from "./commands.ts";
import type { Db } from "./db.ts";

export const DEFAULT_REAP_BATCH = 500;

/**
 * Re-queues expired leases that have claims left, immediately claimable. The lease token is cleared, so
 * the old worker can no longer complete the command. Returns the re-queued ids with their last owner.
 */
export async function requeueExpiredLeases(
  db: Db,
  options: { limit?: number } = {},
): Promise<Array<{ command_id: string; lease_owner: string | null; claims: number }>> {
  return db.query(
    `WITH expired AS (
       SELECT command_id, lease_owner FROM command
       WHERE status = 'leased' AND lease_expires_at < now() AND claims < max_claims
       ORDER BY lease_expires_at
       LIMIT $1
       FOR UPDATE SKIP LOCKED
     ), requeued AS (
       UPDATE command c
       SET status = 'queued', lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
       FROM expired WHERE c.command_id = expired.command_id
       RETURNING c.command_id, expired.lease_owner, c.claims
     )
     SELECT command_id, lease_owner, claims FROM requeued ORDER BY command_id`,
    [options.limit ?? DEFAULT_REAP_BATCH],
  );
}

/**
 * Removes expired leases whose claims are spent and returns them (as they were, lease owner included).
 * Call it inside the transaction that also records the failed call.done for each returned command: the
 * delete and the failure then commit together, and a crash in between loses neither.
 */
export async function takeExhaustedCommands(
  tx: Db,
  options: { limit?: number; executionId?: string } = {},
): Promise<CommandRow[]> {
  const rows = await tx.query<StoredCommand>(
    `WITH exhausted AS (
       SELECT command_id FROM command
       WHERE status = 'leased' AND lease_expires_at < now() AND claims >= max_claims
         AND ($2::text IS NULL OR execution_id = $2)
       ORDER BY lease_expires_at
       LIMIT $1
       FOR UPDATE SKIP LOCKED
     ), taken AS (
       DELETE FROM command c USING exhausted WHERE c.command_id = exhausted.command_id
       RETURNING c.*
     )
     SELECT ${COMMAND_COLUMNS} FROM taken ORDER BY lease_expires_at, command_id`,
    [options.limit ?? DEFAULT_REAP_BATCH, options.executionId ?? null],
  );
  return rows.map(toCommandRow);
}

/**
 * Executions that have commands whose claims are spent and whose last lease expired (read without locks:
 * the server then locks each execution before taking its commands, in the same order as event handling).
 */
export async function executionsWithExhaustedCommands(db: Db, limit = DEFAULT_REAP_BATCH): Promise<string[]> {
  const rows = await db.query<{ execution_id: string }>(
    `SELECT DISTINCT execution_id FROM command
     WHERE status = 'leased' AND lease_expires_at < now() AND claims >= max_claims
     LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.execution_id);
}
