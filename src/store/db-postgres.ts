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
import { StoreError } from "./errors.ts";

type Sql = postgres.Sql | postgres.TransactionSql;
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

export async function openPostgres(url: string, max: number): Promise<Db> {
  const sql = postgres(url, {
    max,
    prepare: true,
    types,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { TimeZone: "UTC", DateStyle: "ISO, MDY", application_name: "noetl" },
  });
  try {
    await sql.unsafe("SELECT 1", [], { prepare: false });
  } catch (err) {
    await sql.end({ timeout: 0 });
    throw err;
  }
  return new PostgresDb(sql, sql, { closed: false });
}

class PostgresDb implements Db {
  readonly driver = "postgres";

  constructor(
    private readonly pool: postgres.Sql,
    private readonly sql: Sql,
    private readonly lifecycle: { closed: boolean },
    private readonly inTransaction = false,
  ) {}

  async query<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.lifecycle.closed) throw new StoreError("E_DB_CLOSED", "the database was closed");
    // Every parameter goes out as type 0 ("unknown"): the server infers it from the SQL, as PGlite does,
    // and the value is serialized for that type. Left to postgres.js, a JS boolean would be declared
    // `bool` and `$1::jsonb` would fail, and each new mix of declared types would prepare the statement again.
    const args = params.map((value) => this.pool.typed(value === undefined ? null : value, 0));
    // simple: false keeps one-statement semantics (as PGlite) even when there are no parameters.
    const rows = await this.sql.unsafe(text, args as Params, { prepare: true, simple: false } as never);
    // A plain array: postgres.js's Result subclass carries extra fields that differ from PGlite's.
    return Array.from(rows) as T[];
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    if (this.lifecycle.closed) throw new StoreError("E_DB_CLOSED", "the database was closed");
    const result = await this.pool.begin((tx) => fn(new PostgresDb(this.pool, tx, this.lifecycle, true)));
    return result as T;
  }

  async exec(script: string): Promise<void> {
    await this.sql.unsafe(script).simple();
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
    await this.pool.end({ timeout: 5 });
  }
}
