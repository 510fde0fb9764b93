import { LIMITS } from "./limits.ts";
import { checkStringLength } from "./state.ts";
import { type Dict, PyFloat } from "./values.ts";

/** Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16 on. */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Number.POSITIVE_INFINITY) return "inf";
  if (n === Number.NEGATIVE_INFINITY) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const sign = n < 0 ? "-" : "";
  const [mantissa = "", expText = "0"] = Math.abs(n).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  const point = exp + 1; // digits are 0.d1d2d3... * 10^point
  if (point > -4 && point <= 16) {
    if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
  const e = Math.abs(exp);
  return `${sign}${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
}

/**
 * Python `str(int)` for a JS integer. Beyond 2^53 a JS number is the nearest double, so its exact digits
 * (`2 ** 64` is 18446744073709551616, as in Python) come from BigInt rather than JS's rounded form.
 */
export function intRepr(n: number): string {
  return Math.abs(n) <= Number.MAX_SAFE_INTEGER ? String(n) : BigInt(n).toString();
}

function numberStr(n: number): string {
  return Number.isInteger(n) ? intRepr(n) : floatRepr(n);
}

/** Python `str(value)`, which is what `{{ value }}` prints inside text. Undefined prints as "". */
export function pyStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  return pyRepr(v);
}

const NON_PRINTABLE = /[\p{C}\p{Z}\\]/u;

function escapeChar(ch: string, quote: string): string {
  if (ch === "\\") return "\\\\";
  if (ch === quote) return `\\${quote}`;
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  if (ch === "\t") return "\\t";
  if (ch === " ") return " ";
  if (!NON_PRINTABLE.test(ch)) return ch;
  const code = ch.codePointAt(0)!;
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

const ESCAPE_IN_SINGLE = /[\p{C}\p{Z}\\']/gu;
const ESCAPE_IN_DOUBLE = /[\p{C}\p{Z}\\"]/gu;

/** Python `repr(str)`: single quotes unless the text has a single quote and no double quote. */
export function stringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const escaped = s.replace(quote === "'" ? ESCAPE_IN_SINGLE : ESCAPE_IN_DOUBLE, (ch) =>
    escapeChar(ch, quote),
  );
  return quote + escaped + quote;
}

/** Python `repr(value)`, used for items of printed lists and dicts. */
export function pyRepr(v: unknown): string {
  const budget = { left: LIMITS.maxStringLength };
  return reprWithin(v, budget);
}

/**
 * Builds the repr while counting its length, so printing a huge structure (`[s] * 1000000` with a long `s`)
 * stops at the size budget instead of first building gigabytes.
 */
function reprWithin(v: unknown, budget: { left: number }): string {
  let out: string;
  if (v === undefined) out = "Undefined";
  else if (v === null) out = "None";
  else if (v === true) out = "True";
  else if (v === false) out = "False";
  else if (typeof v === "number") out = numberStr(v);
  else if (typeof v === "string") {
    budget.left -= v.length;
    checkStringLength(LIMITS.maxStringLength - budget.left);
    return stringRepr(v);
  } else if (v instanceof PyFloat) out = floatRepr(v.value);
  else if (Array.isArray(v)) return `[${v.map((item) => reprWithin(item, budget)).join(", ")}]`;
  else if (typeof v === "object") {
    const parts: string[] = [];
    for (const k of Object.keys(v))
      parts.push(`${reprWithin(k, budget)}: ${reprWithin((v as Dict)[k], budget)}`);
    return `{${parts.join(", ")}}`;
  } else out = "<object>";
  budget.left -= out.length + 2;
  checkStringLength(LIMITS.maxStringLength - budget.left);
  return out;
}
