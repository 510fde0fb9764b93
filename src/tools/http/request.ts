/**
 * Turns a rendered `http` tool config into a concrete request: URL with query string, headers, body.
 * Pure (no I/O), so every rule here is checked by `validateHttpConfig` before a socket is opened.
 */
import type { JsonObject, JsonValue } from "../../dsl/types.ts";
import { checkObject, checkSeconds, describe, isObject } from "../fields.ts";
import { authHeaders, checkAuth } from "./auth.ts";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** Methods that carry no body: an object `payload` becomes query parameters instead (as NoETL always did). */
const BODYLESS = new Set(["GET", "HEAD"]);

export interface HttpRequestPlan {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export function methodOf(config: JsonObject): string {
  return typeof config.method === "string" ? config.method.toUpperCase() : "GET";
}

function endpointOf(config: JsonObject): JsonValue | undefined {
  return config.endpoint ?? config.url;
}

function payloadOf(config: JsonObject): JsonValue | undefined {
  return config.payload ?? config.data ?? undefined;
}

export function validateHttpConfig(config: JsonObject): string[] {
  const problems: string[] = [];
  const endpoint = endpointOf(config);
  if (typeof endpoint !== "string" || endpoint === "") {
    problems.push("'endpoint' (or 'url') must be a non-empty string");
  } else if (!/^https?:\/\//i.test(endpoint) || !URL.canParse(endpoint)) {
    problems.push(`'endpoint' must be an absolute http(s) URL, got '${endpoint}'`);
  }
  if (config.method !== undefined && (typeof config.method !== "string" || !METHODS.has(methodOf(config)))) {
    problems.push(`'method' must be one of ${[...METHODS].join(", ")}, got ${JSON.stringify(config.method)}`);
  }
  problems.push(...checkObject(config, "headers"), ...checkObject(config, "params"));
  problems.push(...checkSeconds(config, "timeout"), ...checkAuth(config.auth));
  if (isObject(config.headers)) {
    for (const [name, value] of Object.entries(config.headers)) {
      if (isObject(value) || Array.isArray(value))
        problems.push(`header '${name}' must be a scalar, got ${describe(value)}`);
    }
  }
  const payload = payloadOf(config);
  if (BODYLESS.has(methodOf(config)) && payload !== undefined && payload !== null && !isObject(payload)) {
    problems.push(`'payload' of a ${methodOf(config)} request must be a mapping (sent as query parameters)`);
  }
  const limit = config.max_response_bytes;
  if (limit !== undefined && (typeof limit !== "number" || !(limit > 0))) {
    problems.push("'max_response_bytes' must be a positive number");
  }
  return problems;
}

/** Scalars as text; objects as JSON; null means "leave out". */
function paramText(value: JsonValue): string | undefined {
  if (value === null) return undefined;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Appends `params` to the URL's own query; a list repeats the key (`?id=1&id=2`). */
export function appendParams(url: URL, params: JsonObject): void {
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = paramText(item);
      if (text !== undefined) url.searchParams.append(key, text);
    }
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === lower);
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.entries(headers).find(([key]) => key.toLowerCase() === lower)?.[1];
}

/** A string body goes as-is; anything else is JSON, or a form when the content-type asks for one. */
function encodeBody(payload: JsonValue, headers: Record<string, string>): string {
  const contentType = headerValue(headers, "content-type") ?? "";
  if (typeof payload === "string") {
    if (!contentType) headers["content-type"] = "text/plain; charset=utf-8";
    return payload;
  }
  if (contentType.includes("application/x-www-form-urlencoded") && isObject(payload)) {
    const form = new URL("http://form.invalid/");
    appendParams(form, payload);
    return form.searchParams.toString();
  }
  if (!contentType) headers["content-type"] = "application/json";
  return JSON.stringify(payload);
}

/**
 * @param idempotencyKey sent as `Idempotency-Key` unless the config sets that header itself.
 */
export function planRequest(config: JsonObject, idempotencyKey: string): HttpRequestPlan {
  const method = methodOf(config);
  const url = new URL(String(endpointOf(config)));
  const payload = payloadOf(config);
  const params = isObject(config.params) ? config.params : {};
  if (BODYLESS.has(method) && isObject(payload)) {
    const unless = Object.entries(payload).filter(([key]) => !Object.hasOwn(params, key));
    appendParams(url, Object.fromEntries(unless));
  }
  appendParams(url, params);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(isObject(config.headers) ? config.headers : {})) {
    const text = paramText(value);
    if (text !== undefined) headers[name] = text;
  }
  for (const [name, value] of Object.entries(authHeaders(config.auth))) {
    if (!hasHeader(headers, name)) headers[name] = value;
  }
  if (!hasHeader(headers, "idempotency-key")) headers["idempotency-key"] = idempotencyKey;

  const plan: HttpRequestPlan = { method, url: url.toString(), headers };
  if (!BODYLESS.has(method) && payload !== undefined && payload !== null)
    plan.body = encodeBody(payload, headers);
  return plan;
}
