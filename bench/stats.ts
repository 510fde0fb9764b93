/** Order statistics over repeated measurements (nearest-rank, so every figure is a value that was measured). */

/** The p-th percentile (0 < p ≤ 100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function p95(values: readonly number[]): number {
  return percentile(values, 95);
}

/** Rounds for printing: 2 decimals below 100, whole numbers above (JSON stays readable). */
export function round(value: number, decimals?: number): number {
  if (!Number.isFinite(value)) return value;
  const d = decimals ?? (Math.abs(value) < 100 ? 2 : 0);
  const f = 10 ** d;
  return Math.round(value * f) / f;
}
