/**
 * Work bounds of one evaluation. An expression has no loops of its own, so the step budget mostly bounds
 * `{% for %}` nesting and per-item filter work (every item a filter touches costs one step).
 * 1,000,000 steps take roughly 20-50 ms; a real template uses a few dozen.
 */
export const LIMITS = {
  /** Longest template or expression source accepted, in characters. */
  maxSourceLength: 100_000,
  /** Deepest nesting of brackets/operators the parser accepts (keeps recursion far from the JS stack limit). */
  maxNestingDepth: 100,
  /** AST node evaluations plus items processed by filters, per render/evaluate call. */
  maxSteps: 1_000_000,
  /** Longest string an operation may produce, in UTF-16 code units (16 Mi). */
  maxStringLength: 16 * 1024 * 1024,
  /** Longest list an operation may produce. */
  maxListLength: 1_000_000,
  /** Compiled templates kept in each cache (the oldest entry is evicted first). */
  cacheSize: 5000,
  /** Longer sources are compiled on each use instead of cached, so the cache stays small (< 100 MB). */
  maxCachedSourceLength: 20_000,
} as const;
