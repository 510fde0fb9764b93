/**
 * The PostgreSQL driver: a postgres.js pool. Statements are prepared once per connection and reused
 * (the SQL text is the cache key, so statement functions keep their SQL constant).
 */
import postgres from "postgres";
import {
  OID,
  parseByteaHex,
  parseInt8,
  parseTimestamp,
  serializeJson,
  serializeTimestamp,
} from "./codecs.ts";
import type { Db } from "./db.ts";
import { connectionLost, StoreError } from "./errors.ts";

type Sql = postgres.Sql | postgres.ReservedSql;
type Params = postgres.ParameterOrJSON<never>[];

const identity = (text: string): string => text;
const serializeDate = (x: unknown): string => (x instanceof Date ? x.toISOString().slice(0, 10) : String(x));

/** Overrides postgres.js's defaults so values map exactly as on PGlite (codecs.ts). */
const types = {
  bigint: { to: OID.int8, from: [OID.int8], serialize: (x: bigint) => x.toString(), parse: parseInt8 },
  json: { to: OID.json, from: [OID.json, OID.jsonb], serialize: serializeJson, parse: JSON.parse },
  bytea: {
    to: OID.bytea,
    from: [OID.bytea],
    serialize: (x: Uint8Array) => `\\x${Buffer.from(x).toString("hex")}`,
    parse: parseByteaHex,
  },
  date: {
    to: OID.timestamptz,
    from: [OID.timestamptz],
    serialize: serializeTimestamp,
    parse: parseTimestamp,
  },
  timestamp: { to: OID.timestamp, from: [OID.timestamp], serialize: serializeTimestamp, parse: utcTimestamp },
  dateOnly: { to: OID.date, from: [OID.date], serialize: serializeDate, parse: identity },
};

function utcTimestamp(text: string): string {
  return parseTimestamp(text, true);
}

/**
 * postgres.js 3.4.9 can leave a statement unsettled forever when its connection is terminated at the wrong
 * moment. A chaos run that terminated every session of the database (pg_terminate_backend) left a worker's
 * claim and the server's transactions pending for good: the worker never claimed again, the server never
 * answered, and neither could stop. Every statement NoETL sends takes milliseconds, so one still pending
 * after `stallMs` is failed as a lost connection (E_DB_STALLED): the caller recovers as from any lost
 * connection (a worker claims again, a report is retried), and the connection is not handed out again.
 */
const DEFAULT_STALL_MS = 30_000;

function settleWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreError("E_DB_STALLED", `a statement did not settle within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, stalled]).finally(() => clearTimeout(timer));
}

interface Lifecycle {
  closed: boolean;
  stallMs: number;
}

export async function openPostgres(
  url: string,
  max: number,
  synchronousCommit = true,
  stallMs = DEFAULT_STALL_MS,
): Promise<Db> {
  const sql = postgres(url, {
    max,
    prepare: true,
    types,
    onnotice: () => {},
    transform: { undefined: null },
    // Generic plans: NoETL runs a small set of statements thousands of times, and planning each run again
    // (a custom plan, PostgreSQL's choice for most of them) cost more than running it: an empty claim took
    // 189 µs against 110 µs with the generic plan. Statements whose best plan depends on which filters are
    // given are written per combination instead (listExecutions).
    connection: {
      TimeZone: "UTC",
      DateStyle: "ISO, MDY",
      application_name: "noetl",
      plan_cache_mode: "force_generic_plan",
      ...(!synchronousCommit && { synchronous_commit: "off" }),
    },
  });
  try {
    await sql.unsafe("SELECT 1", [], { prepare: false });
  } catch (err) {
    await sql.end({ timeout: 0 });
    throw err;
  }
  return new PostgresDb(sql, sql, { closed: false, stallMs });
}

/** Waits for all of them; the reasons of those that failed, in order. */
async function rejections(promises: ReadonlyArray<Promise<unknown>>): Promise<unknown[]> {
  const settled = await Promise.allSettled(promises);
  return settled.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
}

class PostgresDb implements Db {
  readonly driver = "postgres";

  constructor(
    private readonly pool: postgres.Sql,
    private readonly sql: Sql,
    private readonly lifecycle: Lifecycle,
    private readonly inTransaction = false,
  ) {}

  async query<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.lifecycle.closed) throw new StoreError("E_DB_CLOSED", "the database was closed");
    // Every parameter goes out as type 0 ("unknown"): the server infers it from the SQL, as PGlite does,
    // and the value is serialized for that type. Left to postgres.js, a JS boolean would be declared
    // `bool` and `$1::jsonb` would fail, and each new mix of declared types would prepare the statement again.
    const args = params.map((value) => this.pool.typed(value === undefined ? null : value, 0));
    // simple: false keeps one-statement semantics (as PGlite) even when there are no parameters.
    const rows = await settleWithin(
      this.sql.unsafe(text, args as Params, { prepare: true, simple: false } as never),
      this.lifecycle.stallMs,
    );
    // A plain array: postgres.js's Result subclass carries extra fields that differ from PGlite's.
    return Array.from(rows) as T[];
  }

  /**
   * A transaction on a reserved connection, so that nothing waits for a round trip of its own: BEGIN goes out
   * in one write with fn's first statements, and COMMIT right behind the writes fn deferred. (postgres.js's
   * begin() awaits BEGIN, then the last writes, then COMMIT: two round trips more per transaction.)
   */
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    if (this.lifecycle.closed) throw new StoreError("E_DB_CLOSED", "the database was closed");
    const conn = await settleWithin(this.pool.reserve(), this.lifecycle.stallMs);
    const tx = new PostgresDb(this.pool, conn, this.lifecycle, true);
    let lost = false;
    try {
      const begin = settleWithin(conn.unsafe("BEGIN").execute(), this.lifecycle.stallMs);
      // Its failure is read below; until then it must not count as an unhandled rejection.
      begin.catch(() => undefined);
      let result: T;
      try {
        result = await fn(tx);
      } catch (err) {
        const failures = await rejections([begin, ...tx.deferred]);
        lost = [err, ...failures].some(connectionLost);
        if (!lost)
          await settleWithin(conn.unsafe("ROLLBACK").execute(), this.lifecycle.stallMs).catch(
            () => undefined,
          );
        throw err;
      }
      const commit = settleWithin(conn.unsafe("COMMIT").execute(), this.lifecycle.stallMs);
      const failures = await rejections([begin, ...tx.deferred, commit]);
      lost = failures.some(connectionLost);
      // The first failure is the cause; the statements after it failed only because the transaction had.
      if (failures.length > 0) throw failures[0];
      const tag = (await commit).command;
      if (tag !== "COMMIT") throw new StoreError("E_DB_ROLLED_BACK", `COMMIT answered ${tag}`);
      return result;
    } finally {
      // A connection that closed is back in the pool's closed queue already (it reconnects on demand);
      // releasing it too would hand the dead socket to the next query (postgres.js 3.4.9, issue #1199).
      if (!lost) conn.release();
    }
  }

  /** Statements sent in this transaction whose answers COMMIT does not wait for (see Db.defer). */
  private readonly deferred: Array<Promise<unknown>> = [];

  defer(write: Promise<unknown>): void {
    if (!this.inTransaction) throw new StoreError("E_DB_NO_TRANSACTION", "defer() outside a transaction");
    write.catch(() => undefined);
    this.deferred.push(write);
  }

  async exec(script: string): Promise<void> {
    // Scripts (migrations, the queue's VACUUM) may take longer than one statement: a wider bound.
    await settleWithin(this.sql.unsafe(script).simple(), 5 * this.lifecycle.stallMs);
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    // postgres.js listens on one dedicated connection, outside the pool and any transaction.
    const request = await this.pool.listen(channel, onNotify);
    return () => request.unlisten();
  }

  async notify(channel: string, payload = ""): Promise<void> {
    await this.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  async close(): Promise<void> {
    if (this.inTransaction || this.lifecycle.closed) return;
    this.lifecycle.closed = true;
    // end() waits for every connection to finish; one whose statement never settles never does (postgres.js
    // 3.4.9, issue #1097): after its own 5 s it destroys the rest, and after 6 s this stops waiting.
    await settleWithin(this.pool.end({ timeout: 5 }), 6_000).catch(() => undefined);
  }
}
