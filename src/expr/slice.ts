import { evalError } from "./errors.ts";
import { toNumber, typeName } from "./values.ts";

function bound(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  const n = toNumber(v);
  if (n === null || !Number.isInteger(n))
    throw evalError(`slice ${what} must be an integer, not '${typeName(v)}'`);
  return n;
}

/** Python `seq[start:stop:step]` on lists and strings; undefined and other types give undefined. */
export function pySlice(seq: unknown, startValue: unknown, stopValue: unknown, stepValue: unknown): unknown {
  const isString = typeof seq === "string";
  if (!isString && !Array.isArray(seq)) return undefined;
  const items: readonly unknown[] = isString ? Array.from(seq) : seq;
  const length = items.length;
  const step = bound(stepValue, "step") ?? 1;
  if (step === 0) throw evalError("slice step cannot be zero");
  const clamp = (v: number | null, fallback: number, low: number, high: number) => {
    if (v === null) return fallback;
    const i = v < 0 ? v + length : v;
    return Math.min(Math.max(i, low), high);
  };
  const start =
    step > 0
      ? clamp(bound(startValue, "start"), 0, 0, length)
      : clamp(bound(startValue, "start"), length - 1, -1, length - 1);
  const stop =
    step > 0
      ? clamp(bound(stopValue, "stop"), length, 0, length)
      : clamp(bound(stopValue, "stop"), -1, -1, length - 1);
  const out: unknown[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(items[i]);
  else for (let i = start; i > stop; i += step) out.push(items[i]);
  return isString ? out.join("") : out;
}
