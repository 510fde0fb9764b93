/**
 * How database values become JavaScript values, identical on both drivers so that code (and tests)
 * never branch on the driver:
 *
 * | PostgreSQL                | JavaScript                                                        |
 * |---------------------------|-------------------------------------------------------------------|
 * | timestamptz, timestamp    | ISO-8601 string in UTC, millisecond precision ("…T…:…:….123Z")    |
 * | date                      | "YYYY-MM-DD" string                                               |
 * | int2, int4, float4/8, oid | number                                                            |
 * | int8 (bigint, count(*))   | number when a safe integer, otherwise bigint                      |
 * | numeric                   | string (exact)                                                    |
 * | json, jsonb               | parsed value; parameters are serialized with JSON.stringify        |
 * | bytea                     | Uint8Array (a plain one, never a Buffer)                          |
 * | uuid, text                | string                                                            |
 *
 * Strings were chosen over Date for timestamps because everything above the store (engine events,
 * API responses) carries ISO strings; a Date would be converted back at every boundary.
 */

/** PostgreSQL type oids we map explicitly. */
export const OID = {
  int8: 20,
  json: 114,
  jsonb: 3802,
  bytea: 17,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

const OFFSET_WITHOUT_MINUTES = /([+-]\d\d)$/;

/**
 * Sessions run with TimeZone=UTC and DateStyle=ISO, so the text form is "2024-05-01 10:20:30.123456+00"
 * (timestamptz) or "2024-05-01 10:20:30.123456" (timestamp, read as UTC). Microseconds are truncated to
 * milliseconds, the precision of a JavaScript clock. "infinity" and out-of-range values stay as text.
 */
export function parseTimestamp(text: string, assumeUtc = false): string {
  let iso = text.replace(" ", "T");
  iso = assumeUtc ? `${iso}Z` : iso.replace(OFFSET_WITHOUT_MINUTES, "$1:00");
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

export function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** The hex form `\x0102…` as a plain Uint8Array. */
export function parseByteaHex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.slice(2), "hex"));
}

export function serializeJson(value: unknown): string {
  return JSON.stringify(value);
}

export function serializeTimestamp(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}
