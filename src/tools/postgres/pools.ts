/**
 * One small postgres.js pool per connection target, shared by every call that uses the same credential.
 * Keyed by a hash of the resolved connection (password included, so a changed password gets a new pool,
 * never kept in clear as a key). Idle connections close after `idleTimeoutS`; past `maxPools` the least
 * recently used idle pool is ended. `close()` ends them all.
 *
 * A pool that lost a session (the server ended it, the socket broke) is retired: new calls get a fresh
 * pool, and the old one ends when its last call finishes. postgres.js 3.4 does not recover cleanly from a
 * FATAL on a reserved connection: it reports the stale error to the next connect and strands that
 * connection, which would starve the pool. Sessions are rarely lost, so a fresh pool costs little.
 */
import postgres, { type Sql } from "postgres";
import type { NamedType } from "./statement.ts";
import type { PgTarget, SslMode } from "./target.ts";
import { targetKey } from "./target.ts";
import { PG_TYPES } from "./types.ts";

export interface PostgresPoolOptions {
  /** Connections per pool (default 4): a worker runs few SQL calls at once per database. */
  maxConnections?: number;
  /** Seconds an idle connection stays open (default 30). */
  idleTimeoutS?: number;
  /** Seconds to wait for a connection to open (default 10). */
  connectTimeoutS?: number;
  /** Pools kept at once (default 16). */
  maxPools?: number;
}

export interface PoolEntry {
  readonly sql: Sql;
  /** Names of result column types looked up in pg_type, by OID. */
  readonly typeNames: Map<number, NamedType>;
  /** The password, to scrub it from error texts. */
  readonly secrets: readonly string[];
  lastUsed: number;
  /** Calls running on this pool. */
  active: number;
  retired: boolean;
}

type SslOption = boolean | "require" | "allow" | "prefer" | "verify-full" | { rejectUnauthorized: boolean };

function sslOption(mode: SslMode | undefined): SslOption {
  switch (mode) {
    case undefined:
    case "disable":
      return false;
    case "allow":
    case "prefer":
    case "require":
    case "verify-full":
      return mode;
    case "verify-ca":
      return { rejectUnauthorized: true };
  }
}

export class PostgresPools {
  private readonly entries = new Map<string, PoolEntry>();
  /** Retired pools whose calls have not all finished. */
  private readonly retiring = new Set<PoolEntry>();
  private readonly opts: Required<PostgresPoolOptions>;

  constructor(opts: PostgresPoolOptions = {}) {
    this.opts = {
      maxConnections: opts.maxConnections ?? 4,
      idleTimeoutS: opts.idleTimeoutS ?? 30,
      connectTimeoutS: opts.connectTimeoutS ?? 10,
      maxPools: opts.maxPools ?? 16,
    };
  }

  get size(): number {
    return this.entries.size;
  }

  /** The pool for this target, created on first use. The caller runs one call on it, then `checkin`s it. */
  checkout(target: PgTarget): PoolEntry {
    const entry = this.get(target);
    entry.active++;
    return entry;
  }

  /** The end of a call; `sessionLost` retires the pool. */
  checkin(entry: PoolEntry, sessionLost: boolean): void {
    entry.active--;
    if (sessionLost && !entry.retired) {
      entry.retired = true;
      for (const [key, current] of this.entries) if (current === entry) this.entries.delete(key);
      this.retiring.add(entry);
    }
    if (entry.retired && entry.active === 0 && this.retiring.delete(entry)) {
      void entry.sql.end({ timeout: 1 }).catch(() => {});
    }
  }

  /** The pool for this target, created on first use. */
  get(target: PgTarget): PoolEntry {
    const key = targetKey(target);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.open(target);
      this.entries.set(key, entry);
      this.evictBeyondLimit();
    }
    entry.lastUsed = Date.now();
    return entry;
  }

  private open(target: PgTarget): PoolEntry {
    const sql = postgres({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password ?? "",
      database: target.database,
      ssl: sslOption(target.sslmode),
      max: this.opts.maxConnections,
      idle_timeout: this.opts.idleTimeoutS,
      connect_timeout: this.opts.connectTimeoutS,
      // Unnamed statements: a call's script is not repeated often enough for server-side plans to pay,
      // and DISCARD ALL after each call would drop them anyway.
      prepare: false,
      onnotice: () => {},
      types: PG_TYPES,
      connection: { application_name: "noetl" },
    });
    const secrets = target.password ? [target.password] : [];
    return {
      sql: sql as unknown as Sql,
      typeNames: new Map(),
      secrets,
      lastUsed: Date.now(),
      active: 0,
      retired: false,
    };
  }

  private evictBeyondLimit(): void {
    const idle = [...this.entries]
      .filter(([, e]) => e.active === 0)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of idle) {
      if (this.entries.size <= this.opts.maxPools) return;
      this.entries.delete(key);
      void entry.sql.end({ timeout: 5 }).catch(() => {});
    }
  }

  async close(): Promise<void> {
    const all = [...this.entries.values(), ...this.retiring];
    this.entries.clear();
    this.retiring.clear();
    await Promise.allSettled(all.map((entry) => entry.sql.end({ timeout: 5 })));
  }
}
