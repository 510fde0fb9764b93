/**
 * Database values as JSON, the same way for PostgreSQL and DuckDB (docs/tools.md has the table):
 * integers and decimals become numbers when a double holds them exactly, else strings; timestamps become
 * ISO 8601 strings with the database's precision; bytes become base64.
 */
import type { JsonValue } from "../../dsl/types.ts";

/** A 64/128-bit integer: a number within ±2^53, else its decimal string. */
export function integerValue(value: bigint | string): JsonValue {
  const big = typeof value === "bigint" ? value : BigInt(value);
  if (big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(big);
  return big.toString();
}

/** `"-0012.3400"` → `"-12.34"`: the canonical digits of a plain decimal string, for comparison. */
function canonicalDecimal(text: string): string | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return undefined;
  const sign = match[1] === "-" ? "-" : "";
  const whole = (match[2] ?? "").replace(/^0+(?=\d)/, "") || "0";
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  const digits = fraction ? `${whole}.${fraction}` : whole;
  return digits === "0" ? "0" : sign + digits;
}

/**
 * A DECIMAL/NUMERIC as text: a number when the double prints back to the same decimal (`19.99`, `1.50`
 * → 1.5, `42`), else the text (`"123456789012345678901.5"`, `"0.1000000000000000000001"`, `"NaN"`).
 */
export function decimalValue(text: string): JsonValue {
  const canonical = canonicalDecimal(text);
  if (canonical === undefined) return text;
  const number = Number(canonical);
  return Number.isFinite(number) && String(number) === canonical ? number : text;
}

/** A double: itself when finite, else `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no such numbers). */
export function floatValue(value: number): JsonValue {
  return Number.isFinite(value) ? value : String(value);
}

/**
 * A timestamp as the database prints it (`2024-01-02 03:04:05.123456`, `... 03:04:05+02`,
 * `...+05:30:00`) → ISO 8601 (`2024-01-02T03:04:05.123456`, `...T03:04:05+02:00`). Anything else
 * (`infinity`, BC dates) is returned as printed.
 */
export function timestampValue(text: string): string {
  const match =
    /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/.exec(text);
  if (!match) return text;
  const [, date, time, sign, hours, minutes, seconds] = match;
  if (sign === undefined) return `${date}T${time}`;
  const offset = `${sign}${hours}:${minutes ?? "00"}${seconds && seconds !== "00" ? `:${seconds}` : ""}`;
  return `${date}T${time}${offset === "+00:00" ? "Z" : offset}`;
}

export function base64Value(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
