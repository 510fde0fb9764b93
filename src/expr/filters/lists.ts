import { evalError } from "../errors.ts";
import { add } from "../operators.ts";
import { pyStr } from "../pyformat.ts";
import { charge, checkListLength, checkStringLength, type EvalState } from "../state.ts";
import { type Dict, getItem, isDict, pyCompare, pyEquals, setKey, toNumber, typeName } from "../values.ts";
import { arg, attrGetter, boolArg, caseKey, type FilterSpec, intArg, iterate, strArg } from "./spec.ts";

function items(st: EvalState, value: unknown, what: string): readonly unknown[] {
  const list = iterate(value, what);
  charge(st, list.length);
  return list;
}

/** Stable sort by Python ordering of the keys; mixed types fail like Python's TypeError. */
export function sortBy(list: readonly unknown[], key: (v: unknown) => unknown, reverse: boolean): unknown[] {
  const keyed = list.map((value, index) => ({ value, key: key(value), index }));
  keyed.sort((a, b) => pyCompare(a.key, b.key) * (reverse ? -1 : 1) || a.index - b.index);
  return keyed.map((k) => k.value);
}

/** A sort/unique key from Jinja's `attribute` (comma-separated for several) and `case_sensitive`. */
function keyFunction(
  bound: readonly unknown[],
  attrIndex: number,
  caseIndex: number,
): (v: unknown) => unknown {
  const fold = caseKey(boolArg(bound, caseIndex, false));
  const attribute = arg(bound, attrIndex, null);
  if (attribute === null || attribute === undefined) return fold;
  const getters = pyStr(attribute)
    .split(",")
    .map((a) => attrGetter(a.trim()));
  if (getters.length === 1) {
    const get = getters[0]!;
    return (v) => fold(get(v));
  }
  return (v) => getters.map((g) => fold(g(v)));
}

/** A string equal for Python-equal values (1 == 1.0 == True), so unique() stays linear on lists of dicts. */
function canonical(v: unknown): string {
  const n = toNumber(v);
  if (n !== null) return `n${n}`;
  if (typeof v === "string") return `s${v}`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isDict(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  }
  return String(v);
}

function unique(list: readonly unknown[], key: (v: unknown) => unknown): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const item of list) {
    const k = canonical(key(item));
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

function extreme(list: readonly unknown[], key: (v: unknown) => unknown, sign: number): unknown {
  let best: unknown;
  let bestKey: unknown;
  for (const [i, item] of list.entries()) {
    const k = key(item);
    if (i === 0 || pyCompare(k, bestKey) * sign > 0) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}

function pairs(value: unknown): unknown[][] {
  if (value === undefined) return [];
  if (!isDict(value)) throw evalError(`can only get item pairs from a mapping, not '${typeName(value)}'`);
  return Object.keys(value).map((k) => [k, value[k]]);
}

function toDict(value: unknown): Dict {
  const out: Dict = {};
  if (isDict(value)) {
    for (const k of Object.keys(value)) setKey(out, k, value[k]);
    return out;
  }
  for (const pair of iterate(value)) {
    if (!Array.isArray(pair) || pair.length !== 2)
      throw evalError("dict: every item must be a [key, value] pair");
    setKey(out, pyStr(pair[0]), pair[1]);
  }
  return out;
}

function batch(list: readonly unknown[], size: number, fill: unknown): unknown[][] {
  if (size <= 0) throw evalError("batch size must be positive");
  checkListLength(size);
  const out: unknown[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  const last = out[out.length - 1];
  if (last !== undefined && fill !== null && fill !== undefined) while (last.length < size) last.push(fill);
  return out;
}

function sliceInto(list: readonly unknown[], slices: number, fill: unknown): unknown[][] {
  if (slices <= 0) throw evalError("slice count must be positive");
  checkListLength(slices);
  const per = Math.floor(list.length / slices);
  const extra = list.length % slices;
  const out: unknown[][] = [];
  let offset = 0;
  for (let n = 0; n < slices; n++) {
    const start = offset + n * per;
    if (n < extra) offset++;
    const part = list.slice(start, offset + (n + 1) * per);
    if (fill !== null && fill !== undefined && n >= extra) part.push(fill);
    out.push(part);
  }
  return out;
}

function groupBy(list: readonly unknown[], bound: readonly unknown[]): unknown[][] {
  const get = attrGetter(arg(bound, 0, ""));
  const fallback = arg(bound, 1, null);
  const fold = caseKey(boolArg(bound, 2, false));
  const keyOf = (v: unknown) => {
    const k = get(v);
    return fold(k === undefined && fallback !== null ? fallback : k);
  };
  const out: unknown[][] = [];
  let current: { key: unknown; items: unknown[] } | undefined;
  for (const item of sortBy(list, keyOf, false)) {
    const k = keyOf(item);
    if (current === undefined || !pyEquals(current.key, k)) {
      current = { key: k, items: [] };
      const shown = get(item);
      out.push([shown === undefined ? fallback : shown, current.items]);
    }
    current.items.push(item);
  }
  return out;
}

function length(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value === "string") return Array.from(value).length;
  if (Array.isArray(value)) return value.length;
  if (isDict(value)) return Object.keys(value).length;
  throw evalError(`object of type '${typeName(value)}' has no len()`);
}

const lengthFilter: FilterSpec = { params: [], apply: (_st, v) => length(v) };

export const LIST_FILTERS: Record<string, FilterSpec> = {
  length: lengthFilter,
  count: lengthFilter,
  list: { params: [], apply: (st, v) => [...items(st, v, "list")] },
  first: { params: [], apply: (_st, v) => iterate(v, "first")[0] },
  last: {
    params: [],
    apply: (_st, v) => {
      const list = iterate(v, "last");
      return list[list.length - 1];
    },
  },
  reverse: {
    params: [],
    apply: (st, v) =>
      typeof v === "string" ? Array.from(v).reverse().join("") : [...items(st, v, "reverse")].reverse(),
  },
  join: {
    params: ["d", "attribute"],
    apply: (st, v, b) => {
      const attribute = arg(b, 1, null);
      const get = attribute === null || attribute === undefined ? (x: unknown) => x : attrGetter(attribute);
      const separator = strArg(b, 0, "");
      const parts = items(st, v, "join").map((x) => pyStr(get(x)));
      checkStringLength(
        parts.reduce((n, p) => n + p.length, separator.length * Math.max(0, parts.length - 1)),
      );
      return parts.join(separator);
    },
  },
  sort: {
    params: ["reverse", "case_sensitive", "attribute"],
    apply: (st, v, b) => sortBy(items(st, v, "sort"), keyFunction(b, 2, 1), boolArg(b, 0, false)),
  },
  unique: {
    params: ["case_sensitive", "attribute"],
    apply: (st, v, b) => unique(items(st, v, "unique"), keyFunction(b, 1, 0)),
  },
  min: {
    params: ["case_sensitive", "attribute"],
    apply: (st, v, b) => extreme(items(st, v, "min"), keyFunction(b, 1, 0), -1),
  },
  max: {
    params: ["case_sensitive", "attribute"],
    apply: (st, v, b) => extreme(items(st, v, "max"), keyFunction(b, 1, 0), 1),
  },
  sum: {
    params: ["attribute", "start"],
    apply: (st, v, b) => {
      const attribute = arg(b, 0, null);
      const get = attribute === null || attribute === undefined ? (x: unknown) => x : attrGetter(attribute);
      let total = arg(b, 1, 0);
      for (const item of items(st, v, "sum")) total = add(total, get(item));
      return total;
    },
  },
  batch: {
    params: ["linecount", "fill_with"],
    required: 1,
    apply: (st, v, b) => batch(items(st, v, "batch"), intArg(b, 0, 1, "batch size"), arg(b, 1, null)),
  },
  slice: {
    params: ["slices", "fill_with"],
    required: 1,
    apply: (st, v, b) => sliceInto(items(st, v, "slice"), intArg(b, 0, 1, "slice count"), arg(b, 1, null)),
  },
  dictsort: {
    params: ["case_sensitive", "by", "reverse"],
    apply: (st, v, b) => {
      const by = strArg(b, 1, "key");
      if (by !== "key" && by !== "value") throw evalError("dictsort: 'by' must be 'key' or 'value'");
      const fold = caseKey(boolArg(b, 0, false));
      const list = pairs(v);
      charge(st, list.length);
      return sortBy(list, (p) => fold((p as unknown[])[by === "key" ? 0 : 1]), boolArg(b, 2, false));
    },
  },
  groupby: {
    params: ["attribute", "default", "case_sensitive"],
    required: 1,
    apply: (st, v, b) => groupBy(items(st, v, "groupby"), b),
  },
  items: { params: [], apply: (_st, v) => pairs(v) },
  keys: { params: [], apply: (_st, v) => pairs(v).map((p) => p[0]) },
  values: { params: [], apply: (_st, v) => pairs(v).map((p) => p[1]) },
  dict: { params: [], apply: (_st, v) => toDict(v) },
  attr: { params: ["name"], required: 1, apply: (_st, v, b) => getItem(v, arg(b, 0, undefined)) },
};
