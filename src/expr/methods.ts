import { evalError } from "./errors.ts";
import { pyReplace, pyStrip } from "./filters/strings.ts";
import { pyStr } from "./pyformat.ts";
import { checkListLength, checkStringLength } from "./state.ts";
import { strFormat } from "./strformat.ts";
import { type Dict, isDict, pyEquals, toNumber, typeName } from "./values.ts";

type Method<T> = (self: T, args: readonly unknown[], kwargs: Readonly<Dict>) => unknown;

function argAt(args: readonly unknown[], kwargs: Readonly<Dict>, i: number, name: string): unknown {
  return i < args.length ? args[i] : Object.hasOwn(kwargs, name) ? kwargs[name] : undefined;
}

function optionalInt(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = toNumber(v);
  if (n === null || !Number.isInteger(n)) throw evalError(`${what} must be an integer, not '${typeName(v)}'`);
  return n;
}

function requireString(v: unknown, what: string): string {
  if (typeof v !== "string") throw evalError(`${what} must be str, not ${typeName(v)}`);
  return v;
}

/** Python `str.split(sep=None, maxsplit=-1)`. */
function split(s: string, sep: unknown, maxsplit: number): string[] {
  const limit = maxsplit < 0 ? Number.POSITIVE_INFINITY : maxsplit;
  const out: string[] = [];
  if (sep === undefined || sep === null) {
    const word = /\S+/gu;
    for (let m = word.exec(s); m !== null; m = word.exec(s)) {
      if (out.length >= limit) {
        out.push(s.slice(m.index));
        break;
      }
      out.push(m[0]);
    }
    checkListLength(out.length);
    return out;
  }
  const separator = requireString(sep, "separator");
  if (separator === "") throw evalError("empty separator");
  let from = 0;
  for (;;) {
    const at = out.length < limit ? s.indexOf(separator, from) : -1;
    if (at < 0) break;
    out.push(s.slice(from, at));
    from = at + separator.length;
  }
  out.push(s.slice(from));
  checkListLength(out.length);
  return out;
}

/** `startswith`/`endswith` accept one prefix or a tuple (list) of them. */
function affix(s: string, what: unknown, check: (s: string, a: string) => boolean): boolean {
  const options = Array.isArray(what) ? what : [what];
  return options.some((o) => check(s, requireString(o, "prefix")));
}

function pythonTitle(s: string): string {
  return s.replace(/\p{L}+/gu, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

const STRING_METHODS: Record<string, Method<string>> = {
  split: (s, a, k) =>
    split(s, argAt(a, k, 0, "sep"), optionalInt(argAt(a, k, 1, "maxsplit"), "maxsplit") ?? -1),
  strip: (s, a) => pyStrip(s, a[0]),
  lstrip: (s, a) => pyStrip(s, a[0], "left"),
  rstrip: (s, a) => pyStrip(s, a[0], "right"),
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  title: (s) => pythonTitle(s),
  startswith: (s, a) => affix(s, a[0], (x, p) => x.startsWith(p)),
  endswith: (s, a) => affix(s, a[0], (x, p) => x.endsWith(p)),
  replace: (s, a) =>
    pyReplace(s, requireString(a[0], "old"), requireString(a[1], "new"), optionalInt(a[2], "count") ?? -1),
  format: (s, a, k) => strFormat(s, a, k),
  join: (s, a) => {
    const items = Array.isArray(a[0]) ? a[0] : typeof a[0] === "string" ? Array.from(a[0]) : null;
    if (items === null) throw evalError("can only join an iterable");
    const out = items
      .map((item, i) => {
        if (typeof item !== "string") {
          throw evalError(`sequence item ${i}: expected str instance, ${typeName(item)} found`);
        }
        return item;
      })
      .join(s);
    checkStringLength(out.length);
    return out;
  },
};

const DICT_METHODS: Record<string, Method<Dict>> = {
  get: (d, a) => {
    const key = a[0];
    const name = typeof key === "number" && Number.isInteger(key) ? String(key) : key;
    return typeof name === "string" && Object.hasOwn(d, name) ? d[name] : a.length > 1 ? a[1] : null;
  },
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  items: (d) => Object.keys(d).map((k) => [k, d[k]]),
};

const LIST_METHODS: Record<string, Method<unknown[]>> = {
  index: (list, a) => {
    const at = list.findIndex((v) => pyEquals(v, a[0]));
    if (at < 0) throw evalError(`${pyStr(a[0])} is not in list`);
    return at;
  },
  count: (list, a) => list.filter((v) => pyEquals(v, a[0])).length,
};

/** Every method name any type allows, for error hints. */
export const METHOD_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(STRING_METHODS),
  ...Object.keys(DICT_METHODS),
  ...Object.keys(LIST_METHODS),
]);

function lookup<T>(table: Record<string, Method<T>>, name: string): Method<T> | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/**
 * Calls an allow-listed method (`x.split(',')`, `d.items()`). Anything else, including every JS method,
 * is an E_EXPR_EVAL error: no JS function is ever looked up on a value.
 */
export function callMethod(
  self: unknown,
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Dict>,
): unknown {
  let method: Method<never> | undefined;
  if (typeof self === "string") method = lookup(STRING_METHODS, name);
  else if (Array.isArray(self)) method = lookup(LIST_METHODS, name);
  else if (isDict(self)) method = lookup(DICT_METHODS, name);
  if (method === undefined) {
    if (self === undefined) throw evalError(`cannot call method '${name}' of an undefined value`);
    throw evalError(`'${typeName(self)}' has no method '${name}'`);
  }
  return (method as Method<unknown>)(self, args, kwargs);
}
