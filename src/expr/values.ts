import { evalError } from "./errors.ts";

/**
 * A Python float whose value happens to be integral (`3.0`). JSON has one number type, so a JS number that is
 * an integer counts as a Python int and a non-integer number as a float; only integral floats need this box so
 * that text rendering prints `3.0` like Python. Boxes never leave the evaluator: `unbox` turns them back into
 * numbers before a typed result is handed out.
 */
let boxes = 0;

export class PyFloat {
  constructor(readonly value: number) {
    boxes++;
  }
}

/** How many boxes were ever made: a result needs `unbox` only if this moved during its evaluation. */
export function boxCount(): number {
  return boxes;
}

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

/** Numbers, boxed floats and booleans (Python bools are ints). */
export function isNumeric(v: unknown): boolean {
  return typeof v === "number" || v instanceof PyFloat || typeof v === "boolean";
}

/** The JS number of a numeric value, or null when the value is not numeric. */
export function toNumber(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));
}

export function isInt(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v);
}

/** A float result: boxed when integral so it still prints as `3.0`. */
export function makeFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/** Python's type name, for error messages that read like Jinja's. */
export function typeName(v: unknown): string {
  if (v === undefined) return "Undefined";
  if (v === null) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (v instanceof PyFloat) return "float";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return "dict";
  return "object";
}

/** Python truthiness (`nan` is true, empty containers false, undefined false). */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return true;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyFloat) return v.value !== 0;
  if (typeof v === "object") {
    for (const key in v) if (Object.hasOwn(v, key)) return true;
    return false;
  }
  return true;
}

/**
 * Item/attribute access over plain data, the one way the evaluator reads values. Only own properties of
 * objects, integer indexes of arrays and strings: never prototypes, so `constructor`, `__proto__` and
 * friends are undefined. Negative indexes count from the end as in Python.
 */
export function getItem(obj: unknown, key: unknown): unknown {
  if (obj === null || obj === undefined) return undefined;
  if (typeof obj !== "object") {
    if (typeof obj === "string" && typeof key === "number" && Number.isInteger(key)) {
      const i = key < 0 ? key + obj.length : key;
      return i >= 0 && i < obj.length ? obj[i] : undefined;
    }
    return undefined;
  }
  if (Array.isArray(obj)) {
    if (typeof key !== "number" || !Number.isInteger(key)) return undefined;
    const i = key < 0 ? key + obj.length : key;
    return i >= 0 && i < obj.length ? dataOnly(obj[i]) : undefined;
  }
  if (obj instanceof PyFloat) return undefined;
  let name: string;
  if (typeof key === "string") name = key;
  else if (typeof key === "number" && Number.isInteger(key)) name = String(key);
  else return undefined;
  return Object.hasOwn(obj, name) ? dataOnly((obj as Dict)[name]) : undefined;
}

/** A function smuggled into the context (not JSON) reads as undefined: expressions never get hold of one. */
export function dataOnly(v: unknown): unknown {
  return typeof v === "function" ? undefined : v;
}

/** Own enumerable keys of a dict, in insertion order. */
export function dictKeys(d: Dict): string[] {
  return Object.keys(d);
}

/** Sets a key on an object the evaluator created, safe for `__proto__` (never changes a prototype). */
export function setKey(target: Dict, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Python `==` over JSON values: 1 == 1.0 == True, deep list/dict equality. Undefined equals nothing. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  const na = toNumber(a);
  if (na !== null) {
    const nb = toNumber(b);
    return nb !== null && na === nb;
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof PyFloat) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !pyEquals((a as Dict)[k], (b as Dict)[k])) return false;
  }
  return true;
}

/**
 * Python ordering: numbers with numbers, strings with strings, lists lexicographically; anything else is a
 * TypeError in Python and an E_EXPR_EVAL here. Returns <0, 0, >0.
 */
export function pyCompare(a: unknown, b: unknown, op = "<"): number {
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== null && nb !== null) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!pyEquals(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  throw evalError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Replaces boxed floats by numbers, copying only the containers that hold one. */
export function unbox(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      const u = unbox(item);
      if (u !== item && out === null) out = v.slice(0, i);
      if (out !== null) out.push(u);
    }
    return out ?? v;
  }
  let out: Dict | null = null;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const item = (v as Dict)[k];
    const u = unbox(item);
    if (u !== item && out === null) {
      out = {};
      for (let j = 0; j < i; j++) setKey(out, keys[j]!, (v as Dict)[keys[j]!]);
    }
    if (out !== null) setKey(out, k, u);
  }
  return out ?? v;
}
