/**
 * Store errors: typed, with stable codes. Database errors from either driver keep their SQLSTATE in
 * `code` (e.g. "23505"); `sqlState(err)` reads it without caring which driver raised it.
 */
export type StoreErrorCode =
  /** openDb got options it cannot use (e.g. a url that is not postgres://). */
  | "E_DB_OPTIONS"
  /** A query was made after close(). */
  | "E_DB_CLOSED"
  /** defer() was called outside a transaction. */
  | "E_DB_NO_TRANSACTION"
  /** COMMIT answered ROLLBACK: a statement of the transaction failed without its caller seeing it. */
  | "E_DB_ROLLED_BACK"
  /** A statement did not settle in time: its connection is taken for lost (see db-postgres.ts). */
  | "E_DB_STALLED"
  /** The migrations folder is missing or a file name breaks the NNNN_name.sql pattern. */
  | "E_MIGRATIONS";

export class StoreError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

/** SQLSTATE of a database error from postgres.js or PGlite, undefined for anything else. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export const SQLSTATE = {
  uniqueViolation: "23505",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
} as const;

/** postgres.js's own codes for a connection that went away (a socket error carries `syscall` instead). */
const CONNECTION_ERRORS = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "E_DB_STALLED",
]);

/**
 * Whether err means the connection to the database is gone: the server closes it after a FATAL or PANIC
 * (an administrator's pg_terminate_backend, a shutdown), or the socket failed. Nothing was wrong with the
 * request: the same request may succeed on a new connection.
 */
export function connectionLost(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; syscall?: unknown; severity?: unknown };
  if (e.severity === "FATAL" || e.severity === "PANIC") return true;
  return (typeof e.code === "string" && CONNECTION_ERRORS.has(e.code)) || e.syscall !== undefined;
}
