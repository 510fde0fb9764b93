import { evalError } from "./errors.ts";
import { fixedHalfEven } from "./filters/numbers.ts";
import { floatRepr, pyRepr, pyStr } from "./pyformat.ts";
import { checkStringLength } from "./state.ts";
import { type Dict, getItem, isDict, isFloat, toNumber, typeName } from "./values.ts";

interface Spec {
  fill: string;
  align: string;
  sign: string;
  alternate: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | undefined;
  type: string;
}

function pad(body: string, spec: Spec, numeric: boolean): string {
  if (body.length >= spec.width) return body;
  checkStringLength(spec.width);
  const gap = spec.width - body.length;
  const align = spec.align || (numeric ? ">" : "<");
  if (align === "=" || (spec.zero && !spec.align && numeric)) {
    const signLength = /^[+\- ]/.test(body) ? 1 : 0;
    const fill = spec.zero && !spec.align ? "0" : spec.fill;
    return body.slice(0, signLength) + fill.repeat(gap) + body.slice(signLength);
  }
  if (align === "<") return body + spec.fill.repeat(gap);
  if (align === "^") return spec.fill.repeat(gap >> 1) + body + spec.fill.repeat(gap - (gap >> 1));
  return spec.fill.repeat(gap) + body;
}

function group(digits: string, sep: string): string {
  const [int = "", frac] = digits.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

function exponent(n: number, precision: number, upper: boolean): string {
  const [m = "", e = "0"] = n.toExponential(precision).split("e");
  const exp = Number(e);
  const s = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return upper ? s.toUpperCase() : s;
}

/** `%g`/`{:g}`: the shorter of fixed and exponent notation, trailing zeros removed. */
function general(n: number, precision: number, alternate: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (n === 0) return alternate ? `0.${"0".repeat(p - 1)}` : "0";
  const exp = Math.floor(Math.log10(Math.abs(Number(n.toPrecision(p)))));
  const s = exp < -4 || exp >= p ? exponent(n, p - 1, false) : fixed(n, Math.max(0, p - 1 - exp));
  if (alternate) return s;
  const [mantissa = "", exponentPart] = s.split("e");
  const trimmed = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  return exponentPart === undefined ? trimmed : `${trimmed}e${exponentPart}`;
}

/** Fixed-point digits rounded half-even on the exact binary value, as Python formats (`'%.1f' % 2.25` is 2.2). */
function fixed(n: number, digits: number): string {
  // JS switches to exponent notation from 1e21 on; Python prints every digit of the (integral) value.
  if (Math.abs(n) >= 1e21) return `${BigInt(n).toString()}${digits > 0 ? `.${"0".repeat(digits)}` : ""}`;
  return digits > 80 ? n.toFixed(Math.min(digits, 100)) : fixedHalfEven(n, digits);
}

function formatNumber(value: unknown, spec: Spec): string {
  const n = toNumber(value);
  if (n === null)
    throw evalError(`unknown format code '${spec.type}' for object of type '${typeName(value)}'`);
  const t = spec.type;
  const abs = Math.abs(n);
  let body: string;
  if (!Number.isFinite(n)) body = Number.isNaN(n) ? "nan" : "inf";
  else if (t === "d" || t === "i" || t === "u") body = String(Math.trunc(abs));
  else if (t === "x" || t === "X" || t === "o" || t === "b") {
    const radix = t === "o" ? 8 : t === "b" ? 2 : 16;
    body = Math.trunc(abs).toString(radix);
    if (t === "X") body = body.toUpperCase();
    if (spec.alternate) body = `0${t}${body}`;
  } else if (t === "f" || t === "F" || t === "%") {
    body = fixed(t === "%" ? abs * 100 : abs, spec.precision ?? 6) + (t === "%" ? "%" : "");
  } else if (t === "e" || t === "E") body = exponent(abs, spec.precision ?? 6, t === "E");
  else if (t === "g" || t === "G") {
    body = general(abs, spec.precision ?? 6, spec.alternate);
    if (t === "G") body = body.toUpperCase();
  } else if (t === "") {
    body = isFloat(value)
      ? spec.precision === undefined
        ? floatRepr(abs)
        : general(abs, spec.precision, false)
      : String(abs);
  } else if (t === "c") return String.fromCodePoint(n);
  else throw evalError(`unknown format code '${t}' for number`);
  if (spec.grouping) body = group(body, spec.grouping);
  const negative = n < 0 || Object.is(n, -0);
  const sign = negative ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
  return pad(sign + body, spec, true);
}

function formatValue(value: unknown, spec: Spec): string {
  if (spec.type === "s" || (spec.type === "" && toNumber(value) === null) || typeof value === "boolean") {
    if (spec.type !== "" && spec.type !== "s") return formatNumber(value, spec);
    let s = pyStr(value);
    if (spec.precision !== undefined) s = s.slice(0, spec.precision);
    return pad(s, spec, false);
  }
  if (spec.type === "r") return pad(pyRepr(value), spec, false);
  return formatNumber(value, spec);
}

const FORMAT_SPEC = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su;

function parseSpec(text: string): Spec {
  const m = FORMAT_SPEC.exec(text);
  if (!m) throw evalError(`invalid format specifier '${text}'`);
  return {
    fill: m[1] ?? " ",
    align: m[2] ?? "",
    sign: m[3] ?? "-",
    alternate: m[4] !== undefined,
    zero: m[5] !== undefined,
    width: m[6] === undefined ? 0 : Number(m[6]),
    grouping: m[7] ?? "",
    precision: m[8] === undefined ? undefined : Number(m[8]),
    type: m[9] ?? "",
  };
}

/** Python `str.format`: `{}`, `{0}`, `{name}`, `{0[key]}`, `{name.attr}`, `!r`/`!s`, and format specs. */
export function strFormat(template: string, positional: readonly unknown[], keyword: Readonly<Dict>): string {
  let auto = 0;
  const out = template.replace(/\{\{|\}\}|\{([^{}]*)\}|[{}]/g, (whole, field: string | undefined) => {
    if (whole === "{{") return "{";
    if (whole === "}}") return "}";
    if (field === undefined) throw evalError(`single '${whole}' encountered in format string`);
    const [ref = "", conversionAndSpec = ""] = splitOnce(field, ":");
    const [path, conversion] = splitOnce(ref, "!");
    const head = /^[^.[]*/.exec(path ?? "")![0];
    let value: unknown;
    if (head === "") value = positional[auto++];
    else if (/^\d+$/.test(head)) value = positional[Number(head)];
    else value = Object.hasOwn(keyword, head) ? keyword[head] : undefined;
    if (value === undefined && !(head !== "" && !/^\d+$/.test(head))) {
      throw evalError(`format string refers to argument ${head || auto - 1} which was not given`);
    }
    if (value === undefined) throw evalError(`format string refers to '${head}' which was not given`);
    for (const m of (path ?? "").slice(head.length).matchAll(/\.(\w+)|\[([^\]]*)\]/g)) {
      const key = m[1] ?? m[2] ?? "";
      value = getItem(value, /^\d+$/.test(key) ? Number(key) : key);
    }
    if (conversion === "r") return pad(pyRepr(value), parseSpec(conversionAndSpec), false);
    return formatValue(value, parseSpec(conversionAndSpec));
  });
  checkStringLength(out.length);
  return out;
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

// The key is bounded (200 characters) so a format string full of "%(" cannot backtrack quadratically.
const PERCENT = /%(?:\(([^)]{0,200})\))?([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([diouxXeEfFgGcrsa%])/g;

/**
 * Python `format % args` (printf style); `args` is one value, a list (a tuple in Python) or a mapping. A list
 * is spread over the conversions unless there is exactly one (`'%s' % [1, 2]` prints the list).
 */
export function percentFormat(format: string, args: unknown, isTuple = false): string {
  const conversions = [...format.matchAll(PERCENT)].filter((m) => m[5] !== "%").length;
  const spread = isTuple || (Array.isArray(args) && conversions !== 1);
  const list = spread ? (args as unknown[]) : [args];
  let next = 0;
  const out = format.replace(
    PERCENT,
    (_whole, key: string | undefined, flags: string, width, precision, type) => {
      if (type === "%") return "%";
      let value: unknown;
      if (key !== undefined) {
        if (!isDict(args)) throw evalError("format requires a mapping");
        value = Object.hasOwn(args, key) ? args[key] : undefined;
        if (value === undefined) throw evalError(`format key '${key}' not found`);
      } else {
        if (next >= list.length) throw evalError("not enough arguments for format string");
        value = list[next++];
      }
      const spec: Spec = {
        fill: " ",
        align: flags.includes("-") ? "<" : "",
        sign: flags.includes("+") ? "+" : flags.includes(" ") ? " " : "-",
        alternate: flags.includes("#"),
        zero: flags.includes("0") && !flags.includes("-"),
        width: width === undefined || width === "*" ? 0 : Number(width),
        grouping: "",
        precision: precision === undefined ? undefined : Number(precision),
        type: type === "i" || type === "u" ? "d" : type === "a" ? "r" : type,
      };
      if (spec.type === "s" || spec.type === "r") {
        const s = spec.type === "r" ? pyRepr(value) : pyStr(value);
        const text = spec.precision === undefined ? s : s.slice(0, spec.precision);
        return pad(text, { ...spec, align: spec.align || ">" }, false);
      }
      if (spec.type === "c")
        return typeof value === "string" ? value : String.fromCodePoint(toNumber(value) ?? 0);
      if (toNumber(value) === null)
        throw evalError(`%${type} format: a real number is required, not ${typeName(value)}`);
      return formatNumber(value, spec);
    },
  );
  if (next < list.length && spread) {
    throw evalError("not all arguments converted during string formatting");
  }
  checkStringLength(out.length);
  return out;
}
