/**
 * Expression evaluation throughput over a realistic 60 KB context, against the cost a converting template
 * library would pay (a deep copy of the context per evaluation, measured as JSON.parse(JSON.stringify(ctx))).
 * Prints one JSON line. Run: npx tsx bench/expr.ts (npm run bench runs it as the workload `expr`).
 */
import { performance } from "node:perf_hooks";
import { render } from "../src/expr/index.ts";
import { p95 } from "./stats.ts";

const TEMPLATE = "{{ (response.data.paging.page | int) + 1 }}";
const RUNS = 7;
const EVALS_PER_RUN = 200_000;
const BASELINE_EVALS_PER_RUN = 500;

function buildContext(): Record<string, unknown> {
  const items = Array.from({ length: 410 }, (_, i) => ({
    id: i,
    name: `item-${i}`,
    tags: ["alpha", "beta", "gamma"],
    price: i * 1.25,
    active: i % 2 === 0,
    owner: { id: i % 17, email: `user${i % 17}@example.test` },
  }));
  return {
    workload: { api_url: "http://127.0.0.1:5555", cities: ["Paris", "Oslo", "Lima"], limit: 100 },
    ctx: { items: items.slice(0, 20), count: 20 },
    event: { name: "call.done", step: "fetch", attempt: 1 },
    response: {
      status: 200,
      headers: { "content-type": "application/json" },
      data: { paging: { page: "3", hasMore: true, pageSize: 410 }, items },
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Milliseconds for `count` evaluations; the sum is checked so the work cannot be optimised away. */
function timeEvaluations(count: number, context: Record<string, unknown>, copy: boolean): number {
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const scope = copy ? (JSON.parse(JSON.stringify(context)) as Record<string, unknown>) : context;
    sum += render(TEMPLATE, scope) as number;
  }
  const elapsed = performance.now() - start;
  if (sum !== count * 4) throw new Error(`wrong result: ${sum}`);
  return elapsed;
}

const context = buildContext();
const contextBytes = JSON.stringify(context).length;
timeEvaluations(EVALS_PER_RUN / 4, context, false); // warm-up: compile, JIT
timeEvaluations(BASELINE_EVALS_PER_RUN / 4, context, true);

const direct: number[] = [];
const copied: number[] = [];
for (let run = 0; run < RUNS; run++) {
  direct.push(timeEvaluations(EVALS_PER_RUN, context, false));
  copied.push(timeEvaluations(BASELINE_EVALS_PER_RUN, context, true));
}

const medianMs = median(direct);
const evalsPerSecond = Math.round((EVALS_PER_RUN / medianMs) * 1000);
const baselinePerSecond = Math.round((BASELINE_EVALS_PER_RUN / median(copied)) * 1000);
console.log(
  JSON.stringify({
    workload: "expr_eval",
    mode: "in-process",
    template: TEMPLATE,
    runs: RUNS,
    evals_per_run: EVALS_PER_RUN,
    median_ms: Number(medianMs.toFixed(2)),
    p95_ms: Number(p95(direct).toFixed(2)),
    evals_per_s: evalsPerSecond,
    context_bytes: contextBytes,
    baseline: "JSON.parse(JSON.stringify(context)) per evaluation",
    baseline_evals_per_s: baselinePerSecond,
    speedup_vs_baseline: Number((evalsPerSecond / baselinePerSecond).toFixed(1)),
  }),
);
