/**
 * The one database interface the rest of NoETL uses, over two drivers that run the same SQL:
 * postgres.js (a pool, for `postgres://` urls) and PGlite (embedded, single connection).
 * Value mapping is identical on both; see codecs.ts.
 */
import { join } from "node:path";
import { StoreError } from "./errors.ts";

export interface Db {
  readonly driver: "postgres" | "pglite";
  /** One statement with bind parameters ($1, $2, …). JSONB parameters are passed as values, not JSON text. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Runs fn in one transaction (READ COMMITTED), committing when it resolves and rolling back when it throws.
   * Calling transaction() on the `tx` handle just runs fn(tx): there are no nested transactions.
   * Inside fn use only `tx`: on PGlite a query through the outer handle would wait for the transaction.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction: `write` is a statement already sent (a promise from query/notify on this handle)
   * whose answer nothing in the transaction waits for. COMMIT goes out right behind it, without waiting
   * for its answer, and the transaction fails, rolled back, if it failed. This saves the round trip a
   * transaction's last writes would otherwise cost before its COMMIT.
   */
  defer(write: Promise<unknown>): void;
  /** Runs a multi-statement script without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Subscribes to a channel; resolves once listening, with the function that unsubscribes. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** pg_notify: inside a transaction it is delivered on commit, and never if the transaction rolls back. */
  notify(channel: string, payload?: string): Promise<void>;
  /** Closes the pool or the embedded database. On a transaction handle it is a no-op. */
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** postgres://… (or postgresql://…): use PostgreSQL through a postgres.js pool. */
  url?: string;
  /** NoETL's data directory for PGlite; the database files live in `<dataDir>/pgdata`. Default ".noetl". */
  dataDir?: string;
  /** PGlite in memory (tests, throwaway runs). */
  memory?: boolean;
  /** PostgreSQL pool size. Default 10. */
  max?: number;
  /**
   * PostgreSQL: false lets commits return before their WAL is flushed (`synchronous_commit = off`). Only for
   * connections whose writes may be lost in a database crash without harm: a worker's leases.
   */
  synchronousCommit?: boolean;
  /**
   * PostgreSQL: a statement not settled after this long fails as a lost connection (E_DB_STALLED). Default
   * 30 s; every statement NoETL sends takes milliseconds. See db-postgres.ts.
   */
  stallMs?: number;
}

export const DEFAULT_DATA_DIR = ".noetl";
export const DEFAULT_POOL_SIZE = 10;

/** Where PGlite keeps its files inside NoETL's data directory (kept apart from anything else stored there). */
export function pgliteDir(dataDir: string): string {
  return join(dataDir, "pgdata");
}

export async function openDb(opts: OpenDbOptions = {}): Promise<Db> {
  if (opts.url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(opts.url)) {
      throw new StoreError("E_DB_OPTIONS", "database url must start with postgres:// or postgresql://");
    }
    const { openPostgres } = await import("./db-postgres.ts");
    return openPostgres(
      opts.url,
      opts.max ?? DEFAULT_POOL_SIZE,
      opts.synchronousCommit ?? true,
      opts.stallMs,
    );
  }
  const { openPglite } = await import("./db-pglite.ts");
  return openPglite(opts.memory ? undefined : pgliteDir(opts.dataDir ?? DEFAULT_DATA_DIR));
}
