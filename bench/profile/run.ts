/**
 * Where the time goes, in server mode (`npx tsx bench/profile/run.ts [--executions N] [--fanout N]`).
 *
 * 1. Counts and timeline: the instrumented harness (harness-server/-worker: the same code as `noetl server
 *    start`/`worker start`, on a traced Db) runs chain40 N times and one fanout; prints statements,
 *    transactions, round trips and commits per step, and the median critical path of a chain step.
 * 2. CPU: the real CLI processes with a CPU-profiler window (cpu-window.ts) around the same workloads;
 *    prints self time by origin and the top functions of the server and of a worker, and keeps the
 *    .cpuprofile files (open them in Chrome DevTools or speedscope).
 * One JSON line per finding on stdout, progress on stderr.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { request } from "undici";
import type { JsonObject } from "../../src/dsl/types.ts";
import { createBenchDatabase } from "../modes/database.ts";
import { cliServer, cliWorker, type ServerSystem, startServerMode } from "../modes/server.ts";
import { REPO_ROOT } from "../modes/spawn.ts";
import { emit, progress } from "../output.ts";
import { revision } from "../revision.ts";
import { median, round } from "../stats.ts";
import { runToEnd } from "../system.ts";
import { chainPlaybook, fanoutPlaybook } from "../workloads/playbooks.ts";
import { roundTrips, statementCounts, stepPhases } from "./analyse.ts";
import { cpuWindow, systemProcesses } from "./cpu-usage.ts";
import { summariseProfile } from "./cpuprofile.ts";
import { profileEmbedded } from "./embedded.ts";
import type { Span } from "./trace.ts";

const CHAIN = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const here = (file: string) => join(REPO_ROOT, "bench", "profile", file);

interface Scenario {
  name: string;
  steps: number;
  /** Registers and warms up; returns the measured part, which resolves with each execution's wall ms. */
  prepare(system: ServerSystem): Promise<() => Promise<number[]>>;
}

function scenarios(executions: number, fanout: number): Scenario[] {
  return [
    {
      name: "chain40",
      steps: executions * CHAIN,
      async prepare(system) {
        const playbook = await system.register(chainPlaybook(CHAIN));
        for (let i = 0; i < 3; i++) await runToEnd(system, playbook);
        return async () => {
          const times: number[] = [];
          for (let i = 0; i < executions; i++) times.push((await runToEnd(system, playbook)).ms);
          return times;
        };
      },
    },
    {
      name: `fanout${fanout}`,
      steps: fanout,
      async prepare(system) {
        const playbook = await system.register(fanoutPlaybook(fanout, 500));
        await runToEnd(system, await system.register(fanoutPlaybook(50, 500)));
        return async () => [(await runToEnd(system, playbook)).ms];
      },
    },
  ];
}

/** All spans recorded since the last call: the server's over HTTP, the workers' over IPC. */
async function collect(system: ServerSystem): Promise<Span[]> {
  const res = await request(`${system.baseUrl}/bench/trace`);
  const { spans } = (await res.body.json()) as { spans: Span[] };
  const fromWorkers = await Promise.all(
    system.children.slice(1).map(
      (c) =>
        new Promise<Span[]>((resolve) => {
          c.child.once("message", (m) => resolve((m as { spans: Span[] }).spans));
          c.child.send({ trace: true });
        }),
    ),
  );
  return [...spans, ...fromWorkers.flat()];
}

async function traced(dbUrl: string, list: Scenario[]): Promise<void> {
  const system = await startServerMode({
    dbUrl,
    server: (port) => ({ file: here("harness-server.ts"), args: [dbUrl, String(port)] }),
    worker: (i, serverUrl) => ({
      file: here("harness-worker.ts"),
      args: [dbUrl, serverUrl, `w${i + 1}`],
      ipc: true,
    }),
  });
  try {
    for (const scenario of list) {
      progress(`traced ${scenario.name}`);
      const measure = await scenario.prepare(system);
      await collect(system); // drops the warm-up's spans
      const cpu = await cpuWindow(() => systemProcesses(system));
      const times = await measure();
      const cpuPerStep = await cpu(scenario.steps);
      const spans = await collect(system);
      const perStep = median(times) / (scenario.steps / times.length);
      emit({
        workload: `profile_${scenario.name}`,
        revision: revision(),
        mode: "server (instrumented harness)",
        steps: scenario.steps,
        per_step_ms: round(perStep),
        cpu: cpuPerStep,
        round_trips: roundTrips(spans, scenario.steps),
        statements: statementCounts(spans, scenario.steps),
        ...(scenario.name === "chain40" && { critical_path: stepPhases(spans) }),
      });
    }
  } finally {
    await system.close();
  }
}

async function waitForFile(file: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no profile written at ${file}`);
    await sleep(50);
  }
}

const PROCESS_NAMES = ["server", "worker-1", "worker-2"];

async function profiled(dbUrl: string, list: Scenario[], dir: string): Promise<void> {
  const windowed = (name: string) => ({
    // tsx must be registered before the preload, which is TypeScript; spawnTs adds it again (harmless).
    nodeArgs: ["--import", "tsx", "--import", here("cpu-window.ts")],
    env: { NOETL_BENCH_CPU_PROFILE: join(dir, name) },
  });
  const system = await startServerMode({
    dbUrl,
    server: (port) => ({ ...cliServer(dbUrl)(port), ...windowed("server") }),
    worker: (i, serverUrl) => ({ ...cliWorker(dbUrl)(i, serverUrl), ...windowed(`worker-${i + 1}`) }),
  });
  const toggle = () => {
    for (const c of system.children) c.child.kill("SIGUSR2");
  };
  try {
    for (const scenario of list) {
      progress(`profiled ${scenario.name}`);
      const measure = await scenario.prepare(system);
      toggle();
      const times = await measure();
      toggle();
      const results: JsonObject = {};
      for (const name of PROCESS_NAMES.slice(0, system.children.length)) {
        const written = join(dir, name);
        await waitForFile(written);
        const file = join(dir, `${scenario.name}-${name}.cpuprofile`);
        await rename(written, file);
        results[name] = { file, ...(await summariseProfile(file)) };
      }
      emit({
        workload: `cpu_${scenario.name}`,
        revision: revision(),
        mode: "server (CLI processes, CPU profiler on)",
        steps: scenario.steps,
        per_step_ms: round(median(times) / (scenario.steps / times.length)),
        ...results,
      });
    }
  } finally {
    await system.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { executions: { type: "string" }, fanout: { type: "string" }, out: { type: "string" } },
  });
  const list = scenarios(Number(values.executions ?? 20), Number(values.fanout ?? 1000));
  const dir = values.out ?? (await mkdtemp(join(tmpdir(), "noetl-profile-")));
  await mkdir(dir, { recursive: true });
  const database = await createBenchDatabase();
  progress(`database ${database.name}; profiles in ${dir}`);
  try {
    progress("embedded chain40 (traced + CPU profile)");
    emit({ ...(await profileEmbedded(Number(values.executions ?? 20), dir)), revision: revision() });
    await traced(database.url, list);
    await profiled(database.url, list, dir);
  } finally {
    await database.drop();
  }
}

main().catch((err: unknown) => {
  progress(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
