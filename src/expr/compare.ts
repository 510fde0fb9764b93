import type { CompareOp } from "./ast.ts";
import { evalError } from "./errors.ts";
import { isDict, pyCompare, pyEquals, typeName } from "./values.ts";

/** Python `item in container`: substring, list membership, dict key. Nothing is in undefined. */
export function contains(container: unknown, item: unknown): boolean {
  if (container === undefined) return false;
  if (typeof container === "string") {
    if (typeof item !== "string") {
      if (item === undefined) return false;
      throw evalError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    }
    return container.includes(item);
  }
  if (Array.isArray(container)) {
    for (const v of container) if (pyEquals(v, item)) return true;
    return false;
  }
  if (isDict(container)) {
    const key = typeof item === "number" && Number.isInteger(item) ? String(item) : item;
    return typeof key === "string" && Object.hasOwn(container, key);
  }
  throw evalError(`argument of type '${typeName(container)}' is not iterable`);
}

/** One comparison. Undefined on either side: `==` and ordering are false, `!=` is true. */
export function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  switch (op) {
    case "==":
      return pyEquals(a, b);
    case "!=":
      return !pyEquals(a, b);
    case "in":
      return contains(b, a);
    case "not in":
      return !contains(b, a);
    default:
      if (a === undefined || b === undefined) return false;
      switch (op) {
        case "<":
          return pyCompare(a, b, op) < 0;
        case ">":
          return pyCompare(a, b, op) > 0;
        case "<=":
          return pyCompare(a, b, op) <= 0;
        case ">=":
          return pyCompare(a, b, op) >= 0;
      }
  }
}
