/** One statement's postgres.js result as a StatementOutcome, and the names of its column types. */
import type { ReservedSql } from "postgres";
import type { JsonObject } from "../../dsl/types.ts";
import type { SqlColumn, StatementOutcome } from "../sql/result.ts";
import { parseArray } from "./arrays.ts";
import { BUILTIN_TYPE_NAMES, elementParser, TYPE_NAMES_SQL } from "./types.ts";

export type PgConnection = ReservedSql<Record<string, never>>;

type PgResult = Awaited<ReturnType<PgConnection["unsafe"]>>;

/** A type looked up in pg_type; `element` is the element OID of an array type. */
export interface NamedType {
  name: string;
  element: number | null;
}

/** A RowDescription came back (a SELECT, even of zero rows, or RETURNING): the statement returned rows. */
export function outcomeOf(result: PgResult): StatementOutcome {
  const command = result.command ?? "";
  const columns = (result as { columns?: { name: string; type: number }[] }).columns;
  if (columns === undefined || columns === null) return { command, row_count: result.count ?? 0 };
  const rows = [...result] as JsonObject[];
  return {
    command,
    row_count: rows.length,
    rows,
    // The OID rides along as the type until resolveColumnTypes names it.
    columns: columns.map((c) => ({ name: c.name, type: String(c.type) })),
  };
}

/**
 * Replaces OIDs with type names in place; unknown OIDs are read from pg_type once per pool. An array of a
 * type created after the connection opened (an enum made by this very script) reaches us as text: it is
 * parsed here.
 */
export async function resolveColumnTypes(
  conn: PgConnection,
  columns: SqlColumn[],
  rows: JsonObject[],
  cache: Map<number, NamedType>,
): Promise<void> {
  const missing = [
    ...new Set(
      columns.map((c) => Number(c.type)).filter((oid) => !BUILTIN_TYPE_NAMES.has(oid) && !cache.has(oid)),
    ),
  ];
  if (missing.length > 0) {
    try {
      const found = await conn.unsafe(TYPE_NAMES_SQL, [`{${missing.join(",")}}`]);
      for (const row of found) {
        cache.set(Number(row.oid), {
          name: String(row.name),
          element: row.element === null ? null : Number(row.element),
        });
      }
    } catch {
      // A name is a nicety: the OID stays as the type.
    }
  }
  for (const column of columns) {
    const oid = Number(column.type);
    const named = cache.get(oid);
    column.type = BUILTIN_TYPE_NAMES.get(oid) ?? named?.name ?? `oid:${oid}`;
    if (named?.element != null) parseTextArrays(rows, column.name, elementParser(named.element));
  }
}

function parseTextArrays(
  rows: JsonObject[],
  column: string,
  element: (raw: string) => JsonObject[string],
): void {
  for (const row of rows) {
    const value = row[column];
    if (typeof value === "string" && /^[{[]/.test(value)) row[column] = parseArray(value, element);
  }
}
