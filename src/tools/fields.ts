/** Small readers for rendered tool configs: one place that decides what a "seconds" or "object" field accepts. */
import type { JsonObject, JsonValue } from "../dsl/types.ts";

export const SECOND = 1000;

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A positive duration in seconds: a number, or a numeric string (templates may render "30"). */
export function readSeconds(value: JsonValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** Problems with an optional `timeout`-like field, for `validate`. */
export function checkSeconds(config: JsonObject, field: string): string[] {
  const raw = config[field];
  if (raw === undefined || raw === null) return [];
  const seconds = readSeconds(raw);
  if (seconds === undefined || !(seconds > 0)) {
    return [`'${field}' must be a positive number of seconds, got ${JSON.stringify(raw)}`];
  }
  return [];
}

/** Duration in ms from a seconds field, or the default when absent. Assumes `checkSeconds` passed. */
export function secondsToMs(value: JsonValue | undefined, defaultMs: number): number {
  const seconds = readSeconds(value);
  return seconds === undefined ? defaultMs : Math.round(seconds * SECOND);
}

/** Problems with an optional field that must be a mapping. */
export function checkObject(config: JsonObject, field: string): string[] {
  const raw = config[field];
  if (raw === undefined || raw === null || isObject(raw)) return [];
  return [`'${field}' must be a mapping, got ${describe(raw)}`];
}

export function describe(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}
