/**
 * Claims and leases. A worker claims commands (each claim counts toward max_claims and gets a fresh
 * lease token), keeps them alive with extendLeases, and gives them back with releaseCommands when it
 * stops. The server accepts a command's result only while the worker's token still holds the lease
 * (completeCommands). All expiry times come from the database clock.
 */

import type { Command } from "../engine/types.ts";
import type { Db } from "./db.ts";

/**
 * A claimed command: what a worker needs to run and report it. No timestamps: parsing three of them per row
 * was 6% of a worker's CPU in a fan-out of quick tools, and a worker's clock is the database's anyway.
 */
export interface ClaimedCommand extends Command {
  status: "leased";
  priority: number;
  lease_owner: string;
  lease_token: string;
  /** This claim's number: 1 for the first run, more after the reaper re-queued the command. */
  claims: number;
  max_claims: number;
  /** How long the command waited between becoming runnable (run_at) and this claim, by the database clock. */
  queued_ms: number;
}

type StoredClaim = Omit<ClaimedCommand, "loop_index"> & { loop_index: number | null };

const CLAIM_COLUMNS = `command_id, execution_id, step, step_run_id, purpose, kind, tool, args, attempt, call_index,
  loop_index, status, priority, lease_owner, lease_token, claims, max_claims`;

export interface ClaimOptions {
  workerId: string;
  /** At most this many commands. */
  limit: number;
  /** Lease length in milliseconds, from the database's now(). */
  leaseMs: number;
}

/**
 * The claim, in one statement and one round trip. The CTE walks the partial index on queued rows in
 * (priority, run_at) order, skipping rows another claimer has locked (FOR UPDATE SKIP LOCKED), so
 * concurrent claimers never wait on each other and never get the same row. The UPDATE leases what it
 * picked and counts the claim in the same statement, so a worker that dies right after claiming still
 * used one of the command's max_claims. Returned in claim order (priority, run_at).
 */
export async function claimCommands(db: Db, options: ClaimOptions): Promise<ClaimedCommand[]> {
  if (options.limit <= 0) return [];
  const rows = await db.query<StoredClaim>(
    `WITH picked AS (
       SELECT command_id FROM command
       WHERE status = 'queued' AND run_at <= now()
       ORDER BY priority, run_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     ), leased AS (
       UPDATE command c
       SET status = 'leased', lease_owner = $1, lease_token = gen_random_uuid(),
           lease_expires_at = now() + $3::float8 * interval '1 millisecond', claims = c.claims + 1
       FROM picked WHERE c.command_id = picked.command_id
       RETURNING c.*
     )
     SELECT ${CLAIM_COLUMNS}, (extract(epoch FROM now() - run_at) * 1000)::float8 AS queued_ms
     FROM leased ORDER BY priority, run_at, command_id`,
    [options.workerId, options.limit, options.leaseMs],
  );
  return rows.map(toClaimed);
}

/** As in the engine's Command, a command outside a loop has no loop_index (rather than null). */
function toClaimed(row: StoredClaim): ClaimedCommand {
  const claimed: ClaimedCommand = {
    command_id: row.command_id,
    execution_id: row.execution_id,
    step: row.step,
    step_run_id: row.step_run_id,
    purpose: row.purpose,
    kind: row.kind,
    tool: row.tool,
    args: row.args,
    attempt: row.attempt,
    call_index: row.call_index,
    status: row.status,
    priority: row.priority,
    lease_owner: row.lease_owner,
    lease_token: row.lease_token,
    claims: row.claims,
    max_claims: row.max_claims,
    queued_ms: row.queued_ms,
  };
  if (row.loop_index !== null) claimed.loop_index = row.loop_index;
  return claimed;
}

/**
 * Heartbeat: pushes the lease expiry of the commands this worker still holds to now() + leaseMs and
 * returns their ids. A missing id means the lease is gone (re-queued by the reaper and maybe claimed by
 * another worker, or the command was cancelled): the worker should abandon that command.
 */
export async function extendLeases(
  db: Db,
  options: { workerId: string; commandIds: readonly string[]; leaseMs: number },
): Promise<string[]> {
  if (options.commandIds.length === 0) return [];
  const rows = await db.query<{ command_id: string }>(
    `UPDATE command SET lease_expires_at = now() + $3::float8 * interval '1 millisecond'
     WHERE command_id = ANY($2::text[]) AND status = 'leased' AND lease_owner = $1
     RETURNING command_id`,
    [options.workerId, options.commandIds, options.leaseMs],
  );
  return rows.map((r) => r.command_id);
}

/**
 * Graceful shutdown: puts this worker's leased commands back in the queue, immediately claimable, and
 * gives the claim back (claims - 1) since the command never ran to an outcome. Returns the released ids.
 */
export async function releaseCommands(
  db: Db,
  options: { workerId: string; commandIds: readonly string[] },
): Promise<string[]> {
  if (options.commandIds.length === 0) return [];
  const rows = await db.query<{ command_id: string }>(
    `UPDATE command
     SET status = 'queued', lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
         claims = GREATEST(claims - 1, 0)
     WHERE command_id = ANY($2::text[]) AND status = 'leased' AND lease_owner = $1
     RETURNING command_id`,
    [options.workerId, options.commandIds],
  );
  return rows.map((r) => r.command_id);
}

/** A report's claim to have run a command: the execution it names, the command and its lease token. */
export interface HeldLease {
  executionId: string;
  commandId: string;
  leaseToken: string;
}

/**
 * Finishes commands whose reports arrived (the server applies concurrent reports in one transaction):
 * deletes each command whose lease is still held with the given token, for the execution the report
 * names, in one statement. A command re-queued, re-leased to someone else, cancelled or already completed
 * is left alone, and the server refuses the stale worker's events (409). A lease that expired but was not
 * yet reaped still counts as held: the work was done and nobody else has it. Returns the leases that were
 * held, as `leaseKey(commandId, leaseToken)`: a stale report and the current holder's may name the same
 * command in one batch, and only the holder's token counts.
 */
export async function completeCommands(tx: Db, leases: readonly HeldLease[]): Promise<Set<string>> {
  if (leases.length === 0) return new Set();
  // lease_token::text: a malformed token from a client is simply "not the holder", not a cast error.
  const rows = await tx.query<{ command_id: string; lease_token: string }>(
    `DELETE FROM command c
     USING unnest($1::text[], $2::text[], $3::text[]) AS l(command_id, lease_token, execution_id)
     WHERE c.command_id = l.command_id AND c.execution_id = l.execution_id AND c.status = 'leased'
       AND c.lease_token::text = l.lease_token
     RETURNING c.command_id, l.lease_token`,
    [leases.map((l) => l.commandId), leases.map((l) => l.leaseToken), leases.map((l) => l.executionId)],
  );
  return new Set(rows.map((r) => leaseKey(r.command_id, r.lease_token)));
}

export function leaseKey(commandId: string, leaseToken: string): string {
  return `${commandId}/${leaseToken}`;
}
