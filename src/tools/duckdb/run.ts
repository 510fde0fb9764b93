/**
 * Runs one call's statements on its own DuckDB connection: several statements in one transaction unless the
 * script has transaction control, like the postgres tool. `timeout` (and the worker's abort) interrupts the
 * running statement. Placeholders are rewritten to `?` in order of appearance, so `$2` without `$1`, or
 * `$1` used twice, binds like PostgreSQL (DuckDB itself rejects gaps in `$n`).
 */
import {
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
  ResultReturnType,
  StatementType,
} from "@duckdb/node-api";
import type { JsonObject, JsonValue } from "../../dsl/types.ts";
import type { CallError } from "../../engine/types.ts";
import { ToolAbortedError, ToolTimeoutError } from "../errors.ts";
import { SECOND } from "../fields.ts";
import { type SqlResponse, type StatementOutcome, sqlResponse } from "../sql/result.ts";
import type { SqlStatement } from "../sql/split.ts";
import { controlsTransaction, runMode } from "../sql/transaction.ts";
import { duckFailure } from "./failures.ts";
import { duckParam, jsonOf } from "./values.ts";

export interface DuckScript {
  statements: SqlStatement[];
  params: JsonValue | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

export type DuckResult = { ok: true; response: SqlResponse } | { ok: false; error: CallError };

/** The statement with every placeholder as `?`, and the values in that order. */
export function positional(
  statement: SqlStatement,
  params: JsonValue | undefined,
): { text: string; values: JsonValue[] } {
  const list = Array.isArray(params) ? params : [];
  let text = "";
  let from = 0;
  let question = 0;
  const values: JsonValue[] = [];
  for (const p of statement.placeholders) {
    text += `${statement.text.slice(from, p.at)}?`;
    from = p.at + p.length;
    const index = p.number === null ? question++ : p.number - 1;
    values.push(list[index] ?? null);
  }
  return { text: text + statement.text.slice(from), values };
}

async function runStatement(
  connection: DuckDBConnection,
  statement: SqlStatement,
  params: JsonValue | undefined,
) {
  const { text, values } = positional(statement, params);
  const bound = values.map(duckParam);
  const reader =
    bound.length === 0
      ? await connection.runAndReadAll(text)
      : await connection.runAndReadAll(
          text,
          bound.map((b) => b.value) as DuckDBValue[],
          bound.map((b) => b.type) as DuckDBType[],
        );
  return outcomeOf(reader);
}

type Reader = Awaited<ReturnType<DuckDBConnection["runAndReadAll"]>>;

function outcomeOf(reader: Reader): StatementOutcome {
  const command = StatementType[reader.statementType] ?? "UNKNOWN";
  if (reader.returnType !== ResultReturnType.QUERY_RESULT) return { command, row_count: reader.rowsChanged };
  const names = reader.columnNames();
  const types = reader.columnTypes();
  // JSON is VARCHAR with an alias: its values are parsed, as PostgreSQL's json/jsonb are.
  const isJson = types.map((type) => type.alias === "JSON");
  const rows = reader.getRows().map((values) => {
    const row: JsonObject = {};
    values.forEach((value, i) => {
      row[names[i] ?? `column${i}`] =
        isJson[i] && typeof value === "string" ? parseJson(value) : jsonOf(value);
    });
    return row;
  });
  const columns = names.map((name, i) => ({ name, type: isJson[i] ? "JSON" : String(types[i]) }));
  return { command, row_count: rows.length, rows, columns };
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

export async function runDuckScript(connection: DuckDBConnection, script: DuckScript): Promise<DuckResult> {
  let stopped: "timeout" | "aborted" | undefined;
  const stop = (reason: "timeout" | "aborted") => {
    stopped ??= reason;
    connection.interrupt();
  };
  const timer = setTimeout(() => stop("timeout"), script.timeoutMs);
  const onAbort = () => stop("aborted");
  script.signal.addEventListener("abort", onAbort, { once: true });
  const transaction = runMode(script.statements) === "transaction";
  let index: number | null = null;
  try {
    if (transaction) await connection.run("BEGIN TRANSACTION");
    const outcomes: StatementOutcome[] = [];
    for (const [i, statement] of script.statements.entries()) {
      index = i;
      if (stopped) throw new Error("stopped");
      outcomes.push(await runStatement(connection, statement, script.params));
    }
    if (transaction) await connection.run("COMMIT");
    return { ok: true, response: sqlResponse(outcomes) };
  } catch (err) {
    if (transaction || script.statements.some((s) => controlsTransaction(s.words))) {
      await connection.run("ROLLBACK").catch(() => {});
    }
    if (stopped === "aborted") return { ok: false, error: new ToolAbortedError().toCallError() };
    if (stopped === "timeout") {
      const message = `duckdb call timed out after ${script.timeoutMs / SECOND}s`;
      return { ok: false, error: new ToolTimeoutError(message, { statement_index: index }).toCallError() };
    }
    return { ok: false, error: duckFailure(err, index) };
  } finally {
    clearTimeout(timer);
    script.signal.removeEventListener("abort", onAbort);
  }
}
