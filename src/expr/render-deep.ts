import type { Scope } from "./state.ts";
import { asExprError, compileTemplate } from "./template.ts";
import { looksLikeTemplate } from "./template-parser.ts";
import { type Dict, setKey, truthy } from "./values.ts";

export type Path = readonly (string | number)[];

/**
 * Renders every string inside a JSON value; objects and arrays are rebuilt, other values kept. Keys are not
 * rendered. `skip(path)` leaves a subtree as it is (the engine never renders python `code`).
 */
export function renderDeep(value: unknown, scope: Scope, skip?: (path: Path) => boolean): unknown {
  // Paths are only built when a `skip` callback needs them.
  const walk = (v: unknown, path: (string | number)[] | null): unknown => {
    if (path !== null && path.length > 0 && skip?.(path)) return v;
    if (typeof v === "string") return looksLikeTemplate(v) ? compileTemplate(v).render(scope) : v;
    if (typeof v !== "object" || v === null) return v;
    if (Array.isArray(v)) return v.map((item, i) => walk(item, path === null ? null : [...path, i]));
    const out: Dict = {};
    for (const k of Object.keys(v)) setKey(out, k, walk((v as Dict)[k], path === null ? null : [...path, k]));
    return out;
  };
  try {
    return walk(value, skip === undefined ? null : []);
  } catch (e) {
    throw asExprError(e);
  }
}

/**
 * Jinja/Python truthiness of a rendered value, plus the DSL rule that the strings "true"/"false" (any case)
 * are booleans, so `when: "{{ flag }}"` works when flag arrived as text.
 */
export function isTruthy(value: unknown): boolean {
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    if (lower === "false") return false;
    if (lower === "true") return true;
  }
  return truthy(value);
}
