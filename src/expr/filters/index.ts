import { truthy } from "../values.ts";
import { ENCODING_FILTERS } from "./encoding.ts";
import { HIGHER_ORDER_FILTERS } from "./higher.ts";
import { LIST_FILTERS } from "./lists.ts";
import { NUMBER_FILTERS } from "./numbers.ts";
import { arg, boolArg, type FilterSpec } from "./spec.ts";
import { STRING_FILTERS } from "./strings.ts";

/** `default(value, boolean=false)`: replaces undefined (and with `boolean`, any falsy value). */
const defaultFilter: FilterSpec = {
  params: ["default_value", "boolean"],
  apply: (_st, v, b) => {
    if (v === undefined || (boolArg(b, 1, false) && !truthy(v))) return arg(b, 0, "");
    return v;
  },
};

/** Every filter by name. Unknown names are syntax errors at compile time. */
export const FILTERS: ReadonlyMap<string, FilterSpec> = new Map(
  Object.entries({
    ...STRING_FILTERS,
    ...LIST_FILTERS,
    ...NUMBER_FILTERS,
    ...ENCODING_FILTERS,
    ...HIGHER_ORDER_FILTERS,
    default: defaultFilter,
    d: defaultFilter,
  }),
);
