import { evalError } from "../errors.ts";
import { makeFloat, PyFloat, toNumber, typeName } from "../values.ts";
import { arg, type FilterSpec, intArg, strArg } from "./spec.ts";

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Python `int(text, base)`: whitespace, sign, `_` between digits, `0x`/`0o`/`0b` prefixes; null if invalid. */
export function parseIntText(text: string, base: number): number | null {
  let s = text.trim().toLowerCase();
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  const prefix = s.slice(0, 2);
  const prefixBase = prefix === "0x" ? 16 : prefix === "0o" ? 8 : prefix === "0b" ? 2 : undefined;
  if (prefixBase !== undefined && (base === 0 || base === prefixBase)) {
    s = s.slice(2).replace(/^_/, "");
    base = prefixBase;
  } else if (base === 0) {
    if (/^0+$/.test(s.replaceAll("_", ""))) return 0;
    if (s.startsWith("0")) return null;
    base = 10;
  }
  if (base < 2 || base > 36) throw evalError("int() base must be >= 2 and <= 36, or 0");
  if (s === "" || s.startsWith("_") || s.endsWith("_") || s.includes("__")) return null;
  let n = 0;
  for (const ch of s.replaceAll("_", "")) {
    const d = DIGITS.indexOf(ch);
    if (d < 0 || d >= base) return null;
    n = n * base + d;
  }
  return sign * n;
}

/** Python `float(text)`; null if invalid. */
export function parseFloatText(text: string): number | null {
  const s = text.trim().toLowerCase();
  const bare = s.replace(/^[+-]/, "");
  if (bare === "inf" || bare === "infinity")
    return s.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (bare === "nan") return Number.NaN;
  if (!/^[+-]?(\d(_?\d)*)?(\.(\d(_?\d)*)?)?(e[+-]?\d(_?\d)*)?$/.test(s) || !/\d/.test(s.replace(/e.*/, "")))
    return null;
  return Number(s.replaceAll("_", ""));
}

function truncateToInt(n: number): number {
  if (!Number.isFinite(n)) throw evalError(`cannot convert float ${n} to integer`);
  return Math.trunc(n) || 0;
}

/** Jinja's `int`: strings parsed in `base` (then as floats: "42.23" gives 42), failures give `default`. */
function toInt(value: unknown, fallback: unknown, base: number): unknown {
  if (value === undefined) throw evalError("'int' filter applied to an undefined value");
  if (typeof value === "string") {
    const parsed = parseIntText(value, base);
    if (parsed !== null) return parsed;
    const f = parseFloatText(value);
    return f === null || Number.isNaN(f) ? fallback : truncateToInt(f);
  }
  const n = toNumber(value);
  if (n === null || Number.isNaN(n)) return fallback;
  return truncateToInt(n);
}

function toFloat(value: unknown, fallback: unknown): unknown {
  if (value === undefined) throw evalError("'float' filter applied to an undefined value");
  const n = typeof value === "string" ? parseFloatText(value) : toNumber(value);
  return n === null ? fallback : makeFloat(n);
}

/**
 * Decimal digits of `x` (>= 0, < 1e21) rounded to `digits` places half to even on the exact binary value,
 * as Python's round() and '%.2f' do: 2.675 is really 2.67499.. so gives 2.67, while 0.125 is an exact tie
 * and gives 0.12. JS toFixed already rounds the exact value but breaks ties away from zero.
 */
export function fixedHalfEven(x: number, digits: number): string {
  const away = x.toFixed(digits);
  const exact = x.toFixed(100);
  const point = exact.indexOf(".");
  if (!/^50*$/.test(exact.slice(point + 1 + digits))) return away;
  const truncated = exact.slice(0, digits > 0 ? point + 1 + digits : point);
  return Number(truncated[truncated.length - 1]) % 2 === 0 ? truncated : away;
}

/** Python's `round(x, ndigits)` for floats. */
export function roundHalfEven(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (digits < 0) {
    const scale = 10 ** -digits;
    return roundHalfEven(x / scale, 0) * scale;
  }
  if (Math.abs(x) >= 1e21 || digits > 80) return x;
  const magnitude = Number(fixedHalfEven(Math.abs(x), digits));
  return x < 0 ? -magnitude : magnitude;
}

function round(value: unknown, precision: number, method: string): unknown {
  const n = toNumber(value);
  if (n === null || typeof value === "boolean") {
    throw evalError(`type ${typeName(value)} doesn't define __round__ method`);
  }
  if (method === "common") {
    const r = roundHalfEven(n, precision);
    return typeof value === "number" && Number.isInteger(value) ? r : makeFloat(r);
  }
  if (method !== "ceil" && method !== "floor") throw evalError("method must be common, ceil or floor");
  const scale = 10 ** precision;
  return makeFloat((method === "ceil" ? Math.ceil(n * scale) : Math.floor(n * scale)) / scale);
}

const TRUE_WORDS = new Set(["true", "yes", "on", "y", "t", "1"]);

/** Not a Jinja builtin (Ansible has it): yes/on/true/1 are true, numbers by value, the rest false. */
function toBool(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") return TRUE_WORDS.has(value.trim().toLowerCase());
  const n = toNumber(value);
  return n !== null && n !== 0;
}

export const NUMBER_FILTERS: Record<string, FilterSpec> = {
  int: {
    params: ["default", "base"],
    apply: (_st, v, b) => toInt(v, arg(b, 0, 0), intArg(b, 1, 10, "base")),
  },
  float: { params: ["default"], apply: (_st, v, b) => toFloat(v, arg(b, 0, new PyFloat(0))) },
  abs: {
    params: [],
    apply: (_st, v) => {
      if (v instanceof PyFloat) return new PyFloat(Math.abs(v.value));
      const n = toNumber(v);
      if (n === null) throw evalError(`bad operand type for abs(): '${typeName(v)}'`);
      return Math.abs(n);
    },
  },
  round: {
    params: ["precision", "method"],
    apply: (_st, v, b) => round(v, intArg(b, 0, 0, "precision"), strArg(b, 1, "common")),
  },
  bool: { params: [], apply: (_st, v) => toBool(v) },
};
