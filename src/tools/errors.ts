/**
 * Typed tool errors with stable codes (CONVENTIONS 7). A tool may throw one of these from deep inside;
 * the tool (or, failing that, the registry) turns it into the `CallError` reported in `call.done`.
 *
 * Classification: `retryable` is true for network errors, timeouts, aborts and HTTP 408/429/5xx, false otherwise.
 */
import type { JsonObject } from "../dsl/types.ts";
import type { CallError } from "../engine/types.ts";
import type { ToolOutcome } from "./types.ts";

export type ToolErrorCode =
  | "E_TOOL_UNKNOWN"
  | "E_TOOL_INVALID_CONFIG"
  | "E_TOOL_EXCEPTION"
  | "E_TOOL_TIMEOUT"
  | "E_TOOL_ABORTED"
  | "E_HTTP_STATUS"
  | "E_HTTP_NETWORK"
  | "E_HTTP_RESPONSE_TOO_LARGE"
  | "E_PYTHON_EXCEPTION"
  | "E_PYTHON_PROCESS_EXIT"
  | "E_PYTHON_PROTOCOL"
  | "E_PYTHON_UNAVAILABLE";

export class ToolError extends Error {
  readonly code: ToolErrorCode;
  /** The `error.kind` playbooks match on: `http`, `python`, `timeout`, ... */
  readonly kind: string;
  readonly retryable: boolean;
  /** Extra JSON fields merged into the CallError (`status`, `data`, `traceback`, ...). */
  readonly details: JsonObject;

  constructor(
    code: ToolErrorCode,
    kind: string,
    message: string,
    retryable: boolean,
    details: JsonObject = {},
  ) {
    super(message);
    this.name = "ToolError";
    this.code = code;
    this.kind = kind;
    this.retryable = retryable;
    this.details = details;
  }

  toCallError(): CallError {
    return {
      ...this.details,
      kind: this.kind,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
  }
}

/** The call ran past its `timeout`. Retryable: the next attempt may be faster. */
export class ToolTimeoutError extends ToolError {
  constructor(message: string, details: JsonObject = {}) {
    super("E_TOOL_TIMEOUT", "timeout", message, true, details);
    this.name = "ToolTimeoutError";
  }
}

/** The worker aborted the call (shutdown deadline). Retryable: it never finished. */
export class ToolAbortedError extends ToolError {
  constructor(message = "the call was aborted (worker shutting down)") {
    super("E_TOOL_ABORTED", "aborted", message, true);
    this.name = "ToolAbortedError";
  }
}

/** Any thrown value as a CallError: ToolErrors keep their classification, the rest become `tool_error`. */
export function toCallError(err: unknown): CallError {
  if (err instanceof ToolError) return err.toCallError();
  const message = err instanceof Error ? err.message : String(err);
  return { kind: "tool_error", code: "E_TOOL_EXCEPTION", message, retryable: false };
}

export function failure(err: unknown, output: { stdout?: string; stderr?: string } = {}): ToolOutcome {
  return { ok: false, error: toCallError(err), ...output };
}
