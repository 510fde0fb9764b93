/** Command line of `npm run bench` (bench/run.ts). */
import { parseArgs } from "node:util";
import type { Mode } from "./system.ts";

export const WORKLOADS = [
  "roundtrip",
  "graphile",
  "chain40",
  "fibo40",
  "fanout10k",
  "concurrent200",
  "state100",
  "expr",
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface BenchOptions {
  only: ReadonlySet<WorkloadName>;
  modes: Mode[];
  runs: number;
  quick: boolean;
  budgetMs: number;
}

export const USAGE = `usage: npm run bench -- [--only ${WORKLOADS.join(",")}] [--mode embedded|server] [--runs N] [--budget S] [--quick]
  --only    comma-separated workloads (default: all)
  --mode    one mode (default: server, then embedded)
  --runs    measured repetitions after one warm-up (default 5; --quick: 1)
  --budget  seconds a slow workload may spend on measured runs (default 120): fanout10k measures
            fewer runs when one would not fit, and cancels a run still going when it is spent
            (reported with items_done and completed: false)
  --quick   smaller workloads and 1 run: a smoke run of under a minute`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      mode: { type: "string" },
      runs: { type: "string" },
      budget: { type: "string" },
      quick: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only = (values.only ?? WORKLOADS.join(",")).split(",").map((s) => s.trim());
  for (const name of only) {
    if (!(WORKLOADS as readonly string[]).includes(name))
      throw new Error(`unknown workload '${name}'\n${USAGE}`);
  }
  const mode = values.mode;
  if (mode !== undefined && mode !== "embedded" && mode !== "server") {
    throw new Error(`--mode must be embedded or server\n${USAGE}`);
  }
  const quick = values.quick === true;
  const runs = values.runs === undefined ? (quick ? 1 : 5) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer\n${USAGE}`);
  const budget = Number(values.budget ?? 120);
  if (!(budget > 0)) throw new Error(`--budget must be a positive number of seconds\n${USAGE}`);
  return {
    budgetMs: budget * 1000,
    only: new Set(only as WorkloadName[]),
    modes: mode === undefined ? ["server", "embedded"] : [mode],
    runs,
    quick,
  };
}
