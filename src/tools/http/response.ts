/** Reading an HTTP response: size-capped body, JSON-or-text data, JSON-safe headers. */
import type { JsonObject, JsonValue } from "../../dsl/types.ts";
import { ToolError } from "../errors.ts";

export const MIB = 1024 * 1024;
/** Default cap on a response body: large enough for API pages, small enough to keep events sane. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * MIB;

type RawHeaders = Record<string, string | string[] | undefined>;

export function jsonHeaders(headers: RawHeaders): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function tooLarge(limit: number, url: string): ToolError {
  return new ToolError(
    "E_HTTP_RESPONSE_TOO_LARGE",
    "http",
    `response body from ${url} exceeds the limit of ${limit} bytes (raise 'max_response_bytes' if this is expected)`,
    false,
    { limit },
  );
}

/**
 * Reads the whole body, failing as soon as it passes `limit` bytes (checked against content-length first,
 * so an honest server's oversized reply is refused without reading it).
 */
export async function readBody(
  body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown },
  headers: RawHeaders,
  limit: number,
  url: string,
): Promise<Buffer> {
  const declared = Number(headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    throw tooLarge(limit, url);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) {
      body.destroy();
      throw tooLarge(limit, url);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parsed JSON when the content-type says JSON (`application/json`, `application/*+json`), else text. */
export function decodeData(raw: Buffer, headers: RawHeaders): JsonValue {
  const contentType = String(headers["content-type"] ?? "").toLowerCase();
  const text = raw.toString("utf8");
  if (!/[/+]json\b/.test(contentType)) return text;
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text; // a server that lies about JSON still gets its body through, as text
  }
}
