/**
 * CPU time consumed by processes over a window, from /proc/<pid>/stat (utime + stime, clock ticks of
 * 10 ms): the node processes of the system and the PostgreSQL backends serving it, found by their
 * application_name ('noetl': the bench's own connections are named differently, so polling is excluded).
 */
import { readFile } from "node:fs/promises";
import type { JsonObject } from "../../src/dsl/types.ts";
import { round } from "../stats.ts";
import type { BenchSystem } from "../system.ts";

const TICK_MS = 10;

async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

export type Groups = Record<string, number[]>;

/** The processes to watch: server, workers, and the PostgreSQL backends of the system's connections. */
export async function systemProcesses(system: BenchSystem): Promise<Groups> {
  const rows = await system.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'noetl'",
  );
  return {
    server: system.pids.server === undefined ? [] : [system.pids.server],
    workers: system.pids.workers,
    postgres_backends: rows.map((r) => Number(r.pid)),
  };
}

/**
 * Snapshot now; the returned function gives CPU ms per step of each group since the snapshot. Processes
 * that appear during the window (a pool opening a connection) count from zero, i.e. all their CPU.
 */
export async function cpuWindow(
  list: () => Promise<Groups>,
): Promise<(steps: number) => Promise<JsonObject>> {
  const before = new Map<number, number>();
  for (const pids of Object.values(await list())) for (const pid of pids) before.set(pid, await cpuMs(pid));
  const started = performance.now();
  return async (steps) => {
    const wallMs = performance.now() - started;
    const out: JsonObject = { wall_ms_per_step: round(wallMs / steps, 2) };
    for (const [group, pids] of Object.entries(await list())) {
      let used = 0;
      for (const pid of pids) used += (await cpuMs(pid)) - (before.get(pid) ?? 0);
      out[`${group}_cpu_ms_per_step`] = round(used / steps, 2);
    }
    return out;
  };
}
