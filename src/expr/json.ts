import { evalError } from "./errors.ts";
import { floatRepr, intRepr } from "./pyformat.ts";
import { checkStringLength } from "./state.ts";
import { type Dict, PyFloat, typeName } from "./values.ts";

export interface JsonOptions {
  /** Spaces per level (Python `indent=`); undefined writes one line with `", "` and `": "` separators. */
  readonly indent?: number | undefined;
  readonly sortKeys: boolean;
  /** Escape `< > & '` as `\u003c`... like Jinja's `tojson`, so output is safe inside HTML/script. */
  readonly htmlSafe: boolean;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};
const HTML_UNSAFE: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "'": "\\u0027",
};

const NEEDS_ESCAPE = /[^\x20-\x7e]|["\\]/g;
const NEEDS_ESCAPE_HTML = /[^\x20-\x7e]|["\\<>&']/g;

function escapeChar(ch: string): string {
  return HTML_UNSAFE[ch] ?? SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** A JSON string as Python's `json.dumps` writes it (ensure_ascii: everything outside space..~ escaped). */
function quote(s: string, htmlSafe: boolean): string {
  return `"${s.replace(htmlSafe ? NEEDS_ESCAPE_HTML : NEEDS_ESCAPE, escapeChar)}"`;
}

/** Python `json.dumps(value, sort_keys=..., indent=...)` over JSON data; undefined is not serializable. */
export function pyJsonDumps(value: unknown, options: JsonOptions): string {
  // Running length of everything written, checked as we go so a huge value fails early.
  let size = 0;
  const count = (s: string): string => {
    size += s.length;
    checkStringLength(size);
    return s;
  };
  const write = (v: unknown, depth: number): string => {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "string") {
      checkStringLength(size + v.length);
      return count(quote(v, options.htmlSafe));
    }
    if (typeof v === "number" || v instanceof PyFloat) {
      const n = typeof v === "number" ? v : v.value;
      if (Number.isNaN(n)) return "NaN";
      if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
      return v instanceof PyFloat || !Number.isInteger(n) ? floatRepr(n) : intRepr(n);
    }
    const newline = options.indent === undefined ? "" : `\n${" ".repeat(options.indent * (depth + 1))}`;
    const close = options.indent === undefined ? "" : `\n${" ".repeat(options.indent * depth)}`;
    const comma = options.indent === undefined ? ", " : ",";
    let items: string[];
    let open: string;
    let end: string;
    if (Array.isArray(v)) {
      items = v.map((item) => write(item, depth + 1));
      [open, end] = ["[", "]"];
    } else if (typeof v === "object") {
      const keys = Object.keys(v);
      if (options.sortKeys) keys.sort();
      items = keys.map((k) => `${quote(k, options.htmlSafe)}: ${write((v as Dict)[k], depth + 1)}`);
      [open, end] = ["{", "}"];
    } else {
      throw evalError(`Object of type ${typeName(v)} is not JSON serializable`);
    }
    if (items.length === 0) return open + end;
    const out = open + newline + items.join(comma + newline) + close + end;
    checkStringLength(out.length);
    return out;
  };
  return write(value, 0);
}
