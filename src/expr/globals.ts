import { evalError } from "./errors.ts";
import { charge, checkListLength, type EvalState } from "./state.ts";
import { type Dict, setKey, toNumber, typeName } from "./values.ts";

/** The global functions templates may call. Everything else is a syntax error. */
export const GLOBAL_FUNCTIONS: ReadonlySet<string> = new Set(["range", "dict"]);

function intArgument(v: unknown): number {
  const n = toNumber(v);
  if (n === null || !Number.isInteger(n) || typeof v === "boolean") {
    throw evalError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  }
  return n;
}

/** Python `range(stop)` / `range(start, stop[, step])`, checked against the list budget before building. */
function range(st: EvalState, args: readonly unknown[]): number[] {
  if (args.length === 0 || args.length > 3)
    throw evalError(`range expected 1 to 3 arguments, got ${args.length}`);
  const [a, b, c] = args.map(intArgument);
  const [start, stop, step] = args.length === 1 ? [0, a!, 1] : [a!, b!, c ?? 1];
  if (step === 0) throw evalError("range() arg 3 must not be zero");
  const length = Math.max(0, Math.ceil((stop - start) / step));
  checkListLength(length);
  charge(st, length);
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(start + i * step);
  return out;
}

export function callGlobal(
  st: EvalState,
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Dict>,
): unknown {
  if (name === "range") {
    if (Object.keys(kwargs).length > 0) throw evalError("range() takes no keyword arguments");
    return range(st, args);
  }
  if (args.length > 0) throw evalError("dict() takes keyword arguments only");
  const out: Dict = {};
  for (const k of Object.keys(kwargs)) setKey(out, k, kwargs[k]);
  return out;
}
