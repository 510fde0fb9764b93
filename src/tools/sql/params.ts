/**
 * Which parameters each statement of a script binds. `params` is one list for the whole call; every
 * statement that uses placeholders binds the list from its start, as many values as it uses (`$1..$k`, or
 * `k` `?` marks for DuckDB), so `INSERT ... ($1, $2); SELECT ... WHERE id = $1` shares `$1`. Statements
 * without placeholders run without parameters (PostgreSQL rejects a bind count that differs from the
 * statement's). Checked before anything runs, so a mistake is an `invalid_config` error, not half a script.
 */
import type { JsonObject, JsonValue } from "../../dsl/types.ts";
import { describe } from "../fields.ts";
import type { SqlStatement } from "./split.ts";

export type PlaceholderStyle = "dollar" | "dollar-or-question";

/** How many leading values of `params` the statement binds. */
export function placeholdersUsed(statement: SqlStatement, style: PlaceholderStyle): number {
  if (style === "dollar") return statement.maxDollarParam;
  return Math.max(statement.maxDollarParam, statement.questionParams);
}

/** Problems with `params` for these statements, [] when every placeholder has a value. */
export function checkParams(
  config: JsonObject,
  statements: SqlStatement[],
  style: PlaceholderStyle,
): string[] {
  const raw = config.params;
  if (raw === undefined || raw === null) {
    const index = statements.findIndex((s) => placeholdersUsed(s, style) > 0);
    if (index === -1) return [];
    return [`statement ${index} has placeholders but 'params' is missing`];
  }
  if (!Array.isArray(raw)) {
    return [`'params' must be a list of values bound to $1..$n (got ${describe(raw)})`];
  }
  const problems: string[] = [];
  let used = 0;
  statements.forEach((statement, index) => {
    const needed = placeholdersUsed(statement, style);
    used = Math.max(used, needed);
    if (needed > raw.length) {
      problems.push(`statement ${index} uses ${needed} parameters but 'params' has ${raw.length}`);
    }
  });
  if (raw.length > 0 && used === 0) {
    const marks = style === "dollar" ? "$1" : "$1 or ?";
    problems.push(`'params' has ${raw.length} values but no statement has a placeholder (${marks})`);
  }
  return problems;
}

/** The values one statement binds: undefined when it has no placeholders. */
export function paramsFor(
  statement: SqlStatement,
  params: JsonValue | undefined,
  style: PlaceholderStyle,
): JsonValue[] | undefined {
  const needed = placeholdersUsed(statement, style);
  if (needed === 0 || !Array.isArray(params)) return undefined;
  return params.slice(0, needed);
}
