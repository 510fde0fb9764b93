import { evalError } from "../errors.ts";
import { charge, type EvalState } from "../state.ts";
import { TESTS } from "../tests.ts";
import { truthy } from "../values.ts";
import { FILTERS } from "./index.ts";
import { attrGetter, callByName, type FilterSpec, iterate, type RestArgs } from "./spec.ts";

function list(st: EvalState, value: unknown, what: string): readonly unknown[] {
  const items = iterate(value, what);
  charge(st, items.length);
  return items;
}

/** `select('odd')`, `select('gt', 2)`, `select()` (truthy). Runtime test names are checked when called. */
function tester(st: EvalState, rest: RestArgs, from: number): (v: unknown) => boolean {
  if (rest.positional.length <= from) return truthy;
  const [name, ...args] = rest.positional.slice(from);
  return callByName("test", TESTS, name, st, args, rest.keyword);
}

function selecting(keep: boolean, byAttribute: boolean): FilterSpec {
  return {
    params: [],
    rest: true,
    apply: (st, value, _bound, rest) => {
      const items = list(st, value, byAttribute ? "selectattr" : "select");
      let get = (v: unknown) => v;
      if (byAttribute) {
        if (rest.positional.length === 0) throw evalError("selectattr/rejectattr need an attribute name");
        get = attrGetter(rest.positional[0]);
      }
      const test = tester(st, rest, byAttribute ? 1 : 0);
      return items.filter((item) => test(get(item)) === keep);
    },
  };
}

export const HIGHER_ORDER_FILTERS: Record<string, FilterSpec> = {
  /** `map(attribute='x', default=...)` or `map('filter', args...)`. */
  map: {
    params: [],
    rest: true,
    apply: (st, value, _bound, rest) => {
      const items = list(st, value, "map");
      if (Object.hasOwn(rest.keyword, "attribute")) {
        const get = attrGetter(rest.keyword.attribute);
        const fallback = rest.keyword.default;
        return items.map((item) => {
          const v = get(item);
          return v === undefined ? fallback : v;
        });
      }
      if (rest.positional.length === 0) throw evalError("map needs a filter name or attribute=");
      const [name, ...args] = rest.positional;
      const apply = callByName("filter", FILTERS, name, st, args, rest.keyword);
      return items.map(apply);
    },
  },
  select: selecting(true, false),
  reject: selecting(false, false),
  selectattr: selecting(true, true),
  rejectattr: selecting(false, true),
};
