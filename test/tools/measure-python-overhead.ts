/**
 * Measures the python tool's per-call overhead (not a test: tests never assert on speed).
 *   npx tsx test/tools/measure-python-overhead.ts        → one JSON line per measurement
 * Baseline measured in the same run: spawning `python3 -c` per call, which is what a pool avoids.
 */
import { execFileSync } from "node:child_process";
import { createPythonTool, ToolRegistry } from "../../src/tools/index.ts";
import { command, context } from "./helpers.ts";

const CALLS = 200;
const FIBO =
  "def fibo(n):\n    return n if n < 2 else fibo(n - 1) + fibo(n - 2)\n\ndef main(n):\n    return fibo(n)";

function summary(name: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(3));
  console.log(
    JSON.stringify({ name, calls: samples.length, median_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1) }),
  );
}

async function timeCalls(
  registry: ToolRegistry,
  code: string,
  args: Record<string, number>,
  n: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const outcome = await registry.run(command({ kind: "python", code }, args), context());
    samples.push(performance.now() - started);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
  }
  return samples;
}

const registry = new ToolRegistry().register(createPythonTool({ poolSize: 2 }));
const cold = performance.now();
await timeCalls(registry, "result = 0", {}, 1);
summary("first call (a runner started through python3)", [performance.now() - cold]);
summary("trivial main()", await timeCalls(registry, "def main(**args):\n    return 1", {}, CALLS));
summary("fibo(10)", await timeCalls(registry, FIBO, { n: 10 }, CALLS));
summary("fibo(20)", await timeCalls(registry, FIBO, { n: 20 }, 20));
await registry.close();

const spawns: number[] = [];
for (let i = 0; i < 10; i++) {
  const started = performance.now();
  execFileSync("python3", ["-c", "print(1)"]);
  spawns.push(performance.now() - started);
}
summary("baseline: spawn `python3 -c` per call", spawns);
