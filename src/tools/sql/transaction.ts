/**
 * Whether a script may run inside one transaction. A call's statements run as one transaction (all or
 * nothing) unless the script manages transactions itself or holds a statement PostgreSQL refuses inside a
 * transaction block; then they run as written, one by one.
 */
import type { SqlStatement } from "./split.ts";

/** BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, PREPARE TRANSACTION (ROLLBACK TO is not one). */
export function controlsTransaction(words: readonly string[]): boolean {
  const [first, second] = words;
  switch (first) {
    case "BEGIN":
    case "COMMIT":
    case "END":
    case "ABORT":
      return true;
    case "START":
      return second === "TRANSACTION";
    case "ROLLBACK":
      return second !== "TO";
    case "PREPARE":
      return second === "TRANSACTION";
    default:
      return false;
  }
}

/** PostgreSQL statements that fail with "cannot run inside a transaction block" (or, for CALL, may COMMIT). */
export function postgresOutsideTransaction(words: readonly string[]): boolean {
  const [first, second, third] = words;
  const concurrently = words.includes("CONCURRENTLY");
  switch (first) {
    case "VACUUM":
    case "CALL":
      return true;
    case "CLUSTER":
      return second === undefined;
    case "DISCARD":
      return second === "ALL";
    case "ALTER":
      return second === "SYSTEM" || second === "SUBSCRIPTION";
    case "CREATE":
    case "DROP":
      if (second === "DATABASE" || second === "TABLESPACE" || second === "SUBSCRIPTION") return true;
      return concurrently && (second === "INDEX" || (second === "UNIQUE" && third === "INDEX"));
    case "REINDEX":
      return concurrently || second === "SYSTEM" || second === "DATABASE";
    default:
      return false;
  }
}

export type RunMode = "transaction" | "as-written";

/**
 * One statement is atomic by itself and runs as written; several run in one transaction unless one of
 * them is transaction control or (with `outsideTransaction`) must run outside a transaction block.
 */
export function runMode(
  statements: readonly SqlStatement[],
  outsideTransaction: (words: readonly string[]) => boolean = () => false,
): RunMode {
  if (statements.length < 2) return "as-written";
  const manual = statements.some((s) => controlsTransaction(s.words) || outsideTransaction(s.words));
  return manual ? "as-written" : "transaction";
}
