import type { JsonValue } from "./types.ts";

/**
 * A copy of a JSON value with every string rewritten by `fn`, object keys included (masking secrets,
 * replacing characters a database cannot store).
 */
export function mapStrings(value: JsonValue, fn: (text: string) => string): JsonValue {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (value === null || typeof value !== "object") return value;
  // fromEntries defines own properties, so a "__proto__" key stays data.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [fn(key), mapStrings(item, fn)]));
}
