/**
 * Runs one call's statements on one reserved connection:
 * - several statements run in one transaction (`BEGIN; SET LOCAL statement_timeout`, ..., `COMMIT`), so a
 *   failing statement rolls back the ones before it; a single statement, or a script with transaction
 *   control or statements that cannot run in a transaction block, runs as written;
 * - `timeout` is both the server's statement_timeout and a deadline for the whole call (waiting for a
 *   connection included), after which the running statement is cancelled;
 * - afterwards the session is reset (`DISCARD ALL`: temp tables, SET, prepared statements, advisory locks)
 *   so the next call on this pooled connection starts clean.
 */
import type { JsonValue } from "../../dsl/types.ts";
import type { CallError } from "../../engine/types.ts";
import { paramsFor } from "../sql/params.ts";
import { type SqlResponse, type StatementOutcome, sqlResponse } from "../sql/result.ts";
import type { SqlStatement } from "../sql/split.ts";
import { postgresOutsideTransaction, runMode } from "../sql/transaction.ts";
import { Deadline, Stopped } from "./deadline.ts";
import { isSessionGone, postgresFailure } from "./failures.ts";
import type { PoolEntry } from "./pools.ts";
import { outcomeOf, type PgConnection, resolveColumnTypes } from "./statement.ts";

export interface ScriptRun {
  statements: SqlStatement[];
  params: JsonValue | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

export type ScriptResult = {
  outcome: { ok: true; response: SqlResponse } | { ok: false; error: CallError };
  /** The session died during the call (the pool should be retired). */
  sessionLost: boolean;
};

export async function runScript(pool: PoolEntry, run: ScriptRun): Promise<ScriptResult> {
  const deadline = new Deadline(run.timeoutMs, run.signal);
  const reserving = pool.sql.reserve();
  let conn: PgConnection;
  try {
    conn = (await deadline.race(reserving)) as unknown as PgConnection;
  } catch (err) {
    void reserving.then(
      (late) => late.release(),
      () => {},
    );
    await deadline.settled();
    if (deadline.reason) return { outcome: { ok: false, error: deadline.error(null) }, sessionLost: false };
    return {
      outcome: { ok: false, error: postgresFailure(err, null, pool.secrets) },
      sessionLost: isSessionGone(err),
    };
  }
  let alive = true;
  let outcome: ScriptResult["outcome"];
  try {
    outcome = { ok: true, response: await runStatements(conn, pool, run, deadline) };
  } catch (failure) {
    const { err, index } =
      failure instanceof StatementFailure ? failure : new StatementFailure(failure, null);
    alive = !isSessionGone(err);
    // The server's statement_timeout and our deadline are the same length: whichever fires first wins.
    if (deadline.reason || isStatementTimeout(err)) outcome = { ok: false, error: deadline.error(index) };
    else outcome = { ok: false, error: postgresFailure(err, index, pool.secrets) };
  }
  await deadline.settled();
  // Nothing more is sent on a lost session, nor is it released: postgres.js could write to its closed
  // socket from a timer (an uncaught crash). The caller retires the whole pool instead.
  if (alive && (await resetSession(conn))) {
    conn.release();
    return { outcome, sessionLost: false };
  }
  return { outcome, sessionLost: true };
}

/** What runStatements throws: the driver's error and the statement it belongs to (null: the prelude). */
class StatementFailure extends Error {
  constructor(
    readonly err: unknown,
    readonly index: number | null,
  ) {
    super("statement failed");
  }
}

async function runStatements(
  conn: PgConnection,
  pool: PoolEntry,
  run: ScriptRun,
  deadline: Deadline,
): Promise<SqlResponse> {
  const mode = runMode(run.statements, postgresOutsideTransaction);
  let index: number | null = null;
  try {
    const ms = Math.max(1, Math.round(run.timeoutMs));
    const prelude =
      mode === "transaction" ? `BEGIN; SET LOCAL statement_timeout = ${ms}` : `SET statement_timeout = ${ms}`;
    await exec(conn, deadline, prelude);
    const outcomes: StatementOutcome[] = [];
    for (const [i, statement] of run.statements.entries()) {
      index = i;
      const params = bindable(conn, statement, paramsFor(statement, run.params, "dollar"));
      outcomes.push(outcomeOf(await exec(conn, deadline, statement.text, params)));
    }
    if (mode === "transaction") await exec(conn, deadline, "COMMIT");
    const response = sqlResponse(outcomes);
    await resolveColumnTypes(conn, response.columns, response.rows, pool.typeNames);
    return response;
  } catch (err) {
    throw new StatementFailure(err, index);
  }
}

/** 57014 is also a cancel by pg_cancel_backend(), which is not a timeout. */
function isStatementTimeout(err: unknown): boolean {
  return (
    err instanceof Error && "code" in err && err.code === "57014" && /statement timeout/.test(err.message)
  );
}

/** A `$n` the statement skips (`$2` without `$1`) is bound as a typed NULL, or PostgreSQL cannot prepare it. */
function bindable(
  conn: PgConnection,
  statement: SqlStatement,
  values: JsonValue[] | undefined,
): unknown[] | undefined {
  if (values === undefined) return undefined;
  return values.map((value, i) =>
    statement.dollarParams.includes(i + 1) ? value : conn.typed(null, TEXT_OID),
  );
}

const TEXT_OID = 25;

async function exec(
  conn: PgConnection,
  deadline: Deadline,
  text: string,
  params?: unknown[],
): Promise<Awaited<ReturnType<PgConnection["unsafe"]>>> {
  if (deadline.reason) throw new Stopped();
  const query = conn.unsafe(text, params as never[] | undefined);
  deadline.current = query;
  try {
    return await query;
  } finally {
    deadline.current = undefined;
  }
}

/**
 * Leaves the connection as a new session; false when the session turned out to be gone. DISCARD ALL fails
 * inside a transaction block (an open BEGIN, or a transaction a statement broke), so then it rolls back first.
 */
async function resetSession(conn: PgConnection): Promise<boolean> {
  try {
    await conn.unsafe("DISCARD ALL");
    return true;
  } catch (err) {
    if (isSessionGone(err)) return false;
  }
  try {
    await conn.unsafe("ROLLBACK");
    await conn.unsafe("DISCARD ALL");
    return true;
  } catch (err) {
    return !isSessionGone(err);
  }
}
