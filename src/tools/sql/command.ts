/** The statements of a SQL tool's `command` (alias `query`). Shared by `postgres` and `duckdb`. */
import type { JsonObject } from "../../dsl/types.ts";
import { type SqlStatement, splitSql } from "./split.ts";

export function readStatements(config: JsonObject): { statements: SqlStatement[] } | { problem: string } {
  const command = config.command ?? config.query;
  if (typeof command !== "string") return { problem: "'command' (alias 'query') must be a SQL string" };
  const statements = splitSql(command);
  if (statements.length === 0) return { problem: "'command' holds no SQL statement" };
  return { statements };
}
