/** Classifying what went wrong with an HTTP call: a status the server chose, or a request that never completed. */
import { STATUS_CODES } from "node:http";
import type { JsonObject, JsonValue } from "../../dsl/types.ts";
import { ToolError, ToolTimeoutError } from "../errors.ts";

/** 408 Request Timeout, 429 Too Many Requests and every 5xx may succeed later; other statuses will not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The URL without user:password, for messages. */
export function safeUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString();
}

function retryAfterSeconds(headers: JsonObject): number | undefined {
  const raw = headers["retry-after"];
  const seconds = typeof raw === "string" ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) ? seconds : undefined;
}

export function statusError(
  method: string,
  url: string,
  status: number,
  data: JsonValue,
  headers: JsonObject,
): ToolError {
  const reason = STATUS_CODES[status] ?? "";
  const details: JsonObject = { status, status_code: status, data, headers, url: safeUrl(url) };
  const retryAfter = retryAfterSeconds(headers);
  if (retryAfter !== undefined) details.retry_after = retryAfter;
  const message = `HTTP ${status}${reason ? ` ${reason}` : ""} from ${method} ${safeUrl(url)}`;
  return new ToolError("E_HTTP_STATUS", "http", message, isRetryableStatus(status), details);
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  ENOTFOUND: "host not found (DNS)",
  EAI_AGAIN: "DNS lookup failed temporarily",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPIPE: "connection closed while sending",
  UND_ERR_SOCKET: "socket closed unexpectedly",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  UND_ERR_HEADERS_TIMEOUT: "timed out waiting for response headers",
  UND_ERR_BODY_TIMEOUT: "timed out reading the response body",
};

function errorCode(err: unknown): string | undefined {
  for (let cur: unknown = err, depth = 0; cur instanceof Error && depth < 4; cur = cur.cause, depth++) {
    const code = (cur as Error & { code?: unknown }).code;
    if (typeof code === "string" && code in NETWORK_REASONS) return code;
  }
  return undefined;
}

/** A request that failed below HTTP: transient as far as we can tell, so retryable; undici timeouts are `timeout`. */
export function networkError(method: string, url: string, err: unknown): ToolError {
  const code = errorCode(err);
  const reason = code
    ? `${NETWORK_REASONS[code]} (${code})`
    : err instanceof Error
      ? err.message
      : String(err);
  const details: JsonObject = { url: safeUrl(url) };
  if (code) details.cause = code;
  if (code?.endsWith("_TIMEOUT"))
    return new ToolTimeoutError(`${method} ${safeUrl(url)}: ${reason}`, details);
  return new ToolError(
    "E_HTTP_NETWORK",
    "http",
    `${method} ${safeUrl(url)} failed: ${reason}`,
    true,
    details,
  );
}
