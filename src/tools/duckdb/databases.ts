/**
 * The DuckDB databases a worker holds open. `:memory:` (the default) is one in-memory database per
 * execution, so an execution's duckdb steps share tables while executions stay apart; a file path is one
 * instance per file for the whole worker (DuckDB allows one per file and process). A database nobody used
 * for `idleTtlMs` is closed by `sweep()` (run by an unref'd timer, and callable directly: CONVENTIONS 5);
 * an in-memory database's tables go with it. Every call gets its own connection, so concurrent calls of
 * one execution each have their own transaction.
 */
import { resolve } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** DuckDB's native module takes ~200 ms to load: only a worker that runs a duckdb call pays for it. */
async function createInstance(path: string): Promise<DuckDBInstance> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  return DuckDBInstance.create(path);
}

export const MEMORY = ":memory:";

interface Entry {
  instance: Promise<DuckDBInstance>;
  active: number;
  lastUsed: number;
}

export interface DuckDatabasesOptions {
  /** Close a database unused for this long (default 10 min). */
  idleTtlMs?: number;
  /** How often the timer sweeps (default a minute; 0 disables the timer). */
  sweepEveryMs?: number;
}

export class DuckDatabases {
  private readonly entries = new Map<string, Entry>();
  private readonly idleTtlMs: number;
  private readonly sweepEveryMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: DuckDatabasesOptions = {}) {
    this.idleTtlMs = opts.idleTtlMs ?? 10 * 60_000;
    this.sweepEveryMs = opts.sweepEveryMs ?? 60_000;
  }

  /** Started by the first database opened, so a worker that never runs duckdb runs no timer. */
  private startSweeping(): void {
    if (this.timer !== undefined || this.sweepEveryMs <= 0) return;
    this.timer = setInterval(() => void this.sweep(), this.sweepEveryMs);
    this.timer.unref();
  }

  /** Which database a call uses: its execution's in-memory one, or a file resolved against the cwd. */
  static keyOf(database: string, executionId: string): string {
    return database === MEMORY ? `memory:${executionId}` : `file:${resolve(database)}`;
  }

  get size(): number {
    return this.entries.size;
  }

  /** A new connection to the database; `release` closes it and marks the database idle from now. */
  async connect(
    database: string,
    executionId: string,
  ): Promise<{ connection: DuckDBConnection; release(): void }> {
    const key = DuckDatabases.keyOf(database, executionId);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const path = database === MEMORY ? MEMORY : resolve(database);
      entry = { instance: createInstance(path), active: 0, lastUsed: Date.now() };
      this.entries.set(key, entry);
      this.startSweeping();
    }
    const current = entry;
    current.active++;
    try {
      const connection = await (await current.instance).connect();
      return {
        connection,
        release: () => {
          connection.closeSync();
          current.active--;
          current.lastUsed = Date.now();
        },
      };
    } catch (err) {
      current.active--;
      if (this.entries.get(key) === current && current.active === 0) this.entries.delete(key);
      throw err;
    }
  }

  /** Closes databases idle since before `now - idleTtlMs`; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    const idle = [...this.entries].filter(([, e]) => e.active === 0 && now - e.lastUsed >= this.idleTtlMs);
    for (const [key] of idle) this.entries.delete(key);
    await Promise.allSettled(idle.map(async ([, e]) => (await e.instance).closeSync()));
    return idle.length;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map(async (e) => (await e.instance).closeSync()));
  }
}
