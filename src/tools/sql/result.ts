/**
 * The response of the `postgres` and `duckdb` tools:
 * `{rows, row_count, columns: [{name, type}], statements: [{command, row_count}]}`.
 *
 * `rows`/`columns` are those of the last statement that returned rows (a SELECT, VALUES, SHOW, or a
 * write with RETURNING); `row_count` is `rows.length` then. When no statement returned rows, `rows` and
 * `columns` are empty and `row_count` is the last statement's count (rows inserted, updated, ...).
 */
import type { JsonObject } from "../../dsl/types.ts";

export type SqlColumn = { name: string; type: string };

/** What one statement did. `rows` is set when it returned rows (possibly zero of them). */
export interface StatementOutcome {
  /** The command: PostgreSQL's tag (`INSERT`, `CREATE TABLE`), DuckDB's statement type (`INSERT`, `CREATE`). */
  command: string;
  /** Rows returned, or rows affected by a write; 0 when the database reports none. */
  row_count: number;
  rows?: JsonObject[];
  columns?: SqlColumn[];
}

export type SqlResponse = {
  rows: JsonObject[];
  row_count: number;
  columns: SqlColumn[];
  statements: { command: string; row_count: number }[];
};

export function sqlResponse(outcomes: readonly StatementOutcome[]): SqlResponse {
  const statements = outcomes.map(({ command, row_count }) => ({ command, row_count }));
  const withRows = outcomes.findLast((o) => o.rows !== undefined);
  if (withRows?.rows !== undefined) {
    const rows = withRows.rows;
    return { rows, row_count: rows.length, columns: withRows.columns ?? [], statements };
  }
  return { rows: [], row_count: outcomes.at(-1)?.row_count ?? 0, columns: [], statements };
}
