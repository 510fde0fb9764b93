/**
 * `auth` on an http tool. The worker resolves `auth: <credential name>` (DSL §8) into the credential's data
 * before the tool runs; this module turns that data into headers. The values never appear in errors.
 *
 * Accepted shapes: `{type: bearer, token}`, `{type: basic, username, password}`,
 * `{type: api_key, api_key, header_name?}` (header defaults to `X-API-Key`), `{type: header, name, value}`.
 */
import type { JsonValue } from "../../dsl/types.ts";
import { isObject } from "../fields.ts";

export function checkAuth(auth: JsonValue | undefined): string[] {
  if (auth === undefined || auth === null) return [];
  if (typeof auth === "string") {
    return [`'auth' names credential '${auth}' but it was not resolved before the call`];
  }
  if (!isObject(auth)) return ["'auth' must be a resolved credential mapping"];
  const type = auth.type;
  if (type === "header" && (typeof auth.name !== "string" || auth.name === "")) {
    return ["'auth' of type header needs a 'name'"];
  }
  if (type === "bearer" || type === "basic" || type === "api_key" || type === "header") return [];
  return [`'auth.type' must be bearer, basic, api_key or header, got ${JSON.stringify(type ?? null)}`];
}

function text(value: JsonValue | undefined): string {
  return value === undefined || value === null ? "" : String(value);
}

export function authHeaders(auth: JsonValue | undefined): Record<string, string> {
  if (!isObject(auth)) return {};
  switch (auth.type) {
    case "bearer":
      return { authorization: `Bearer ${text(auth.token ?? auth.value)}` };
    case "basic": {
      const encoded = Buffer.from(`${text(auth.username)}:${text(auth.password)}`).toString("base64");
      return { authorization: `Basic ${encoded}` };
    }
    case "api_key":
      return { [text(auth.header_name) || "X-API-Key"]: text(auth.api_key ?? auth.value) };
    case "header":
      return { [text(auth.name)]: text(auth.value) };
    default:
      return {};
  }
}
