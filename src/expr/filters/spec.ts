import { evalError } from "../errors.ts";
import { pyStr } from "../pyformat.ts";
import type { EvalState } from "../state.ts";
import { type Dict, getItem, isDict, toNumber, typeName } from "../values.ts";

/** Marks a parameter the caller did not pass (distinct from passing an undefined value). */
export const MISSING: unique symbol = Symbol("missing");

/** Extra arguments of filters/tests that take `*args, **kwargs` (map, select, format). */
export interface RestArgs {
  readonly positional: readonly unknown[];
  readonly keyword: Readonly<Dict>;
}

/**
 * A filter or test. Arguments are bound to `params` by position or keyword at compile time, so wrong
 * names or counts are syntax errors the validator sees; `bound[i]` is MISSING when not passed.
 */
export interface CallableSpec<R> {
  readonly params: readonly string[];
  /** Accepts more positional/keyword arguments than `params` (handed over in `rest`). */
  readonly rest?: boolean;
  /** Positional parameters that must be given. */
  readonly required?: number;
  apply(st: EvalState, value: unknown, bound: readonly unknown[], rest: RestArgs): R;
}

export type FilterSpec = CallableSpec<unknown>;
export type TestSpec = CallableSpec<boolean>;

export function arg<T>(bound: readonly unknown[], i: number, fallback: T): unknown {
  const v = bound[i];
  return v === MISSING ? fallback : v;
}

export function boolArg(bound: readonly unknown[], i: number, fallback: boolean): boolean {
  const v = arg(bound, i, fallback);
  return v === true || (v !== false && v !== null && v !== undefined && v !== 0 && v !== "");
}

export function intArg(bound: readonly unknown[], i: number, fallback: number, what: string): number {
  const v = arg(bound, i, fallback);
  const n = toNumber(v);
  if (n === null || !Number.isFinite(n)) throw evalError(`${what} must be a number, not '${typeName(v)}'`);
  return Math.trunc(n);
}

export function strArg(bound: readonly unknown[], i: number, fallback: string): string {
  return pyStr(arg(bound, i, fallback));
}

/** Python iteration: list items, string characters, dict keys; undefined iterates as empty. */
export function iterate(v: unknown, what = "value"): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined) return [];
  if (typeof v === "string") return Array.from(v);
  if (isDict(v)) return Object.keys(v);
  throw evalError(`${what} of type '${typeName(v)}' is not iterable`);
}

/** Jinja's attribute getter: `"a.b.0"` walks keys, digit parts index lists. */
export function attrGetter(attribute: unknown): (item: unknown) => unknown {
  if (typeof attribute === "number") return (item) => getItem(item, attribute);
  const parts = pyStr(attribute)
    .split(".")
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => {
    let v = item;
    for (const p of parts) v = getItem(v, p);
    return v;
  };
}

/** Jinja's default for sort/unique/min/max: strings compare case-insensitively. */
export function caseKey(caseSensitive: boolean): (v: unknown) => unknown {
  return caseSensitive ? (v) => v : (v) => (typeof v === "string" ? v.toLowerCase() : v);
}

/** Where each argument of a call goes: `slots[i]` is the index of the argument bound to `params[i]` (-1: not given). */
export interface BindPlan {
  readonly slots: readonly number[];
  readonly restPositional: readonly number[];
  readonly restKeyword: readonly (readonly [string, number])[];
}

/**
 * Binds `positionalCount` positional arguments followed by `keywords` to a spec's parameters, as Python binds
 * a call. Arguments are numbered positional first, then keywords in order. Returns an error text on mismatch.
 */
export function planBinding(
  spec: CallableSpec<unknown>,
  positionalCount: number,
  keywords: readonly string[],
): BindPlan | string {
  const slots = spec.params.map(() => -1);
  const restPositional: number[] = [];
  const restKeyword: [string, number][] = [];
  for (let i = 0; i < positionalCount; i++) {
    if (i < slots.length) slots[i] = i;
    else if (spec.rest) restPositional.push(i);
    else
      return `takes at most ${spec.params.length} argument${spec.params.length === 1 ? "" : "s"} (${positionalCount} given)`;
  }
  for (const [k, name] of keywords.entries()) {
    const at = spec.params.indexOf(name);
    if (at >= 0 && slots[at]! >= 0) return `got multiple values for argument '${name}'`;
    if (at >= 0) slots[at] = positionalCount + k;
    else if (spec.rest) restKeyword.push([name, positionalCount + k]);
    else return `got an unexpected keyword argument '${name}'`;
  }
  for (let i = 0; i < (spec.required ?? 0); i++) {
    if (slots[i]! < 0) return `missing required argument '${spec.params[i]}'`;
  }
  return { slots, restPositional, restKeyword };
}

/** Applies a plan to evaluated argument values. */
export function bindValues(plan: BindPlan, values: readonly unknown[]): [unknown[], RestArgs] {
  const bound = plan.slots.map((i) => (i < 0 ? MISSING : values[i]));
  if (plan.restPositional.length === 0 && plan.restKeyword.length === 0) return [bound, NO_REST];
  const keyword: Dict = {};
  for (const [name, i] of plan.restKeyword) keyword[name] = values[i];
  return [bound, { positional: plan.restPositional.map((i) => values[i]), keyword }];
}

export const NO_REST: RestArgs = Object.freeze({ positional: [], keyword: Object.freeze({}) });

/** Calls a filter/test given by name at run time (`map('upper')`, `select('odd')`). */
export function callByName<R>(
  kind: string,
  registry: ReadonlyMap<string, CallableSpec<R>>,
  name: unknown,
  st: EvalState,
  positional: readonly unknown[],
  keyword: Readonly<Dict>,
): (item: unknown) => R {
  const spec = typeof name === "string" ? registry.get(name) : undefined;
  if (spec === undefined) throw evalError(`unknown ${kind} '${pyStr(name)}'`);
  const names = Object.keys(keyword);
  const plan = planBinding(spec, positional.length, names);
  if (typeof plan === "string") throw evalError(`${kind} '${name}' ${plan}`);
  const [bound, rest] = bindValues(plan, [...positional, ...names.map((n) => keyword[n])]);
  return (item) => spec.apply(st, item, bound, rest);
}
