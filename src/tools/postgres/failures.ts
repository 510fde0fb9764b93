/**
 * A failed `postgres` call as a CallError: `{kind: "postgres", code: <SQLSTATE>, message, statement_index,
 * position?, detail?, hint?, ..., retryable}`. Connection failures without a server SQLSTATE get the
 * standard client codes 08001 (could not connect) / 08006 (connection lost) and their `cause` (ECONNREFUSED).
 * Every text is scrubbed of the connection's password before it leaves this module.
 */
import type { JsonObject } from "../../dsl/types.ts";
import type { CallError } from "../../engine/types.ts";

/** Serialization failure, deadlock, shutdowns, too many connections and every connection exception (08xxx). */
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01", "57P01", "57P02", "57P03", "53300"]);

export function isRetryableSqlState(code: string): boolean {
  return code.startsWith("08") || RETRYABLE_SQLSTATES.has(code);
}

/** Errors below SQL: the socket, the pool, the handshake. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** The connection broke (or never opened). */
export function isConnectionError(err: unknown): boolean {
  const code = fieldOf(err, "code");
  return typeof code === "string" && CONNECTION_CODES.has(code);
}

/**
 * The server ended the session (FATAL: terminated, shutting down) or the socket broke. Nothing may be sent
 * on such a connection again: postgres.js would write to a closed socket from a timer, an uncaught crash.
 */
export function isSessionGone(err: unknown): boolean {
  const code = fieldOf(err, "code");
  const severity = fieldOf(err, "severity");
  if (severity === "FATAL" || severity === "PANIC") return true;
  return (
    typeof code === "string" &&
    (code.startsWith("08") || code.startsWith("57P") || CONNECTION_CODES.has(code))
  );
}

/** Replaces each secret (and its URL-encoded form) and any `scheme://user:password@` with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@");
  for (const secret of secrets) {
    if (secret === "") continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join("***");
  }
  return out;
}

const SERVER_FIELDS: Record<string, string> = {
  detail: "detail",
  hint: "hint",
  where: "where",
  severity: "severity",
  schema_name: "schema",
  table_name: "table",
  column_name: "column",
  constraint_name: "constraint",
  data_type_name: "data_type",
};

function fieldOf(err: unknown, name: string): unknown {
  return typeof err === "object" && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/**
 * `statementIndex` is the statement that was running (null before the first one: connecting, or the
 * transaction's own BEGIN/COMMIT, which report the index of the statement they belong to).
 */
export function postgresFailure(
  err: unknown,
  statementIndex: number | null,
  secrets: readonly string[],
): CallError {
  const rawCode = fieldOf(err, "code");
  const code = typeof rawCode === "string" ? rawCode : "";
  const message = scrub(err instanceof Error ? err.message : String(err), secrets);
  const base = { kind: "postgres", statement_index: statementIndex };
  if (/^[0-9A-Z]{5}$/.test(code)) {
    const error: CallError = { ...base, code, message, retryable: isRetryableSqlState(code) };
    const position = Number(fieldOf(err, "position"));
    if (Number.isInteger(position) && position > 0) error.position = position;
    for (const [from, to] of Object.entries(SERVER_FIELDS)) {
      const value = fieldOf(err, from);
      if (typeof value === "string" && value !== "") error[to] = scrub(value, secrets);
    }
    return error;
  }
  if (CONNECTION_CODES.has(code)) {
    const sqlstate = statementIndex === null ? "08001" : "08006";
    return { ...base, code: sqlstate, cause: code, message, retryable: true };
  }
  const details: JsonObject = code === "" ? {} : { cause: code };
  return { ...base, ...details, code: "E_POSTGRES_CLIENT", message, retryable: false };
}
