import type { Config } from "../config.ts";
import { UsageError } from "./payload.ts";

/**
 * Server and workers share one database across processes, which PGlite (one process) cannot be.
 * Returns the PostgreSQL url or explains how to give one.
 */
export function requirePostgres(config: Readonly<Config>, who: string): string {
  if (config.databaseUrl === undefined) {
    throw new UsageError(
      `the ${who} needs PostgreSQL: pass --db postgres://user@host:5432/db or set NOETL_DATABASE_URL ` +
        "(embedded PGlite is for `noetl run`)",
    );
  }
  return config.databaseUrl;
}
