/**
 * PostgreSQL cannot store U+0000 in text or jsonb (SQLSTATE 22P05), nor a lone UTF-16 surrogate (an API that
 * cut text inside an emoji: 22P02), so an event carrying one is refused by the orchestration transaction. A
 * tool result with such a character (an API field, a python string, binary noise on stdout) then never
 * reached the server: the lease expired, the command ran again up to max_claims times, and the step failed
 * as "worker_lost". Such characters become U+FFFD (the Unicode replacement character), in keys as in
 * values, before the events leave the worker. The engine does the same with what templates render (a
 * `'\x00'` in an expression): a command or a ctx value carrying one would make the transaction that stores
 * it fail, and with it the report of the step before.
 */
import { mapStrings } from "../dsl/json.ts";
import type { JsonValue } from "../dsl/types.ts";

const NUL = "\u0000";
const REPLACEMENT = "\uFFFD";

/** `value` with every U+0000 and lone surrogate replaced; the very same object when there was none (no copy on the hot path). */
export function storable<T extends JsonValue>(value: T): T {
  return (hasNul(value) ? replaceNul(value) : value) as T;
}

/** ES2024's String methods, present in Node 20 but not in the ES2023 typings this project compiles with. */
type WellFormed = { isWellFormed(): boolean; toWellFormed(): string };

function unstorable(text: string): boolean {
  return text.includes(NUL) || !(text as unknown as WellFormed).isWellFormed();
}

function fix(text: string): string {
  return (text as unknown as WellFormed).toWellFormed().replaceAll(NUL, REPLACEMENT);
}

function hasNul(value: JsonValue): boolean {
  if (typeof value === "string") return unstorable(value);
  if (Array.isArray(value)) return value.some(hasNul);
  if (value === null || typeof value !== "object") return false;
  for (const [key, item] of Object.entries(value)) if (unstorable(key) || hasNul(item)) return true;
  return false;
}

function replaceNul(value: JsonValue): JsonValue {
  return mapStrings(value, fix);
}
