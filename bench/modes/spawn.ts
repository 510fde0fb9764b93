/**
 * Child processes of a benchmark run: spawned with `node` directly (so the pid is the process whose memory
 * we read), output kept in a bounded tail for error messages, stopped with SIGTERM then SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(REPO_ROOT, "src", "cli", "main.ts");

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  output(): string;
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM (graceful: a --cpu-prof child writes its profile), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a TypeScript entry point (`node [nodeArgs] --import tsx file args`). */
export function spawnTs(
  name: string,
  file: string,
  args: string[],
  opts: { env?: Record<string, string>; nodeArgs?: string[]; ipc?: boolean } = {},
): Child {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), "--import", "tsx", file, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: opts.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (chunk: string) => {
    out = (out + chunk).slice(-20_000);
  };
  child.stdout?.setEncoding("utf8").on("data", keep);
  child.stderr?.setEncoding("utf8").on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on("close", () => {
      exited = true;
      resolve();
    }),
  );
  return {
    name,
    pid: child.pid ?? -1,
    child,
    output: () => out,
    async waitForOutput(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (exited) throw new Error(`${name} exited before printing '${text}':\n${out}`);
        if (Date.now() > deadline)
          throw new Error(`${name} did not print '${text}' in ${timeoutMs} ms:\n${out}`);
        await sleep(20);
      }
    },
    async stop(graceMs = 15_000) {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** Peak resident memory of a process in MiB (VmHWM), or NaN when it cannot be read. */
export async function peakRssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Resets VmHWM to the current RSS (Linux: "5" > clear_refs), so the next peak belongs to one workload. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}
