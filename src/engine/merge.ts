import type { JsonObject, JsonValue } from "../dsl/types.ts";

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `base ⊕ over`: objects merge key by key recursively, anything else in `over` (lists, scalars, null)
 * replaces. Returns `base` itself when `over` is empty, and never modifies either input (unchanged
 * branches are shared, not copied).
 */
export function deepMerge(base: JsonObject, over: JsonObject | undefined): JsonObject {
  if (over === undefined) return base;
  const keys = Object.keys(over);
  if (keys.length === 0) return base;
  const out: JsonObject = { ...base };
  for (const key of keys) {
    const value = over[key] as JsonValue;
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** A copy of `obj` without `key` (or `obj` itself when the key is absent). */
export function omitKey(obj: JsonObject, key: string): JsonObject {
  if (!(key in obj)) return obj;
  const { [key]: _dropped, ...rest } = obj;
  return rest;
}
