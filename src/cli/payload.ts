/**
 * Execution payloads from the command line: `--payload '{"a": 1}'` (JSON object) and repeatable
 * `--set key=value` (dotted keys make nested objects; the value is JSON when it parses, else a string).
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";

export class UsageError extends Error {
  readonly code = "E_USAGE";
}

export function parsePayload(json: string | undefined, sets: readonly string[] = []): JsonObject {
  let payload: JsonObject = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw new UsageError(`--payload is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new UsageError("--payload must be a JSON object");
    }
    payload = parsed as JsonObject;
  }
  for (const assignment of sets) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects key=value, got '${assignment}'`);
    const keys = assignment.slice(0, eq).split(".");
    if (keys.some((k) => k === "" || k === "__proto__" || k === "constructor" || k === "prototype")) {
      throw new UsageError(`--set has an invalid key '${assignment.slice(0, eq)}'`);
    }
    setPath(payload, keys, parseValue(assignment.slice(eq + 1)));
  }
  return payload;
}

function parseValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function setPath(target: JsonObject, keys: string[], value: JsonValue): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[keys.at(-1)!] = value;
}

/** Commander collector for repeatable options. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
