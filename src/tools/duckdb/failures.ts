/** A failed duckdb call as a CallError (no DuckDB import: the tool reports open failures before loading it). */
import type { CallError } from "../../engine/types.ts";

/** `Catalog Error: Table with name x does not exist!` → error_type "Catalog". */
export function duckFailure(err: unknown, statementIndex: number | null): CallError {
  const message = err instanceof Error ? err.message : String(err);
  const error: CallError = {
    kind: "duckdb",
    code: "E_DUCKDB_QUERY",
    message,
    retryable: false,
    statement_index: statementIndex,
  };
  const type = /^(?:Failed to bind value: )?([A-Za-z ]+?) Error:/.exec(message)?.[1];
  if (type) error.error_type = type;
  return error;
}
