/**
 * Real `noetl` processes for integration tests: a server and workers spawned exactly as a user starts them
 * (`node --import tsx src/cli/main.ts server start …`), their output collected, and all of them killed at
 * the end of the file:
 *
 *   const procs = new Processes();
 *   after(() => procs.stopAll());
 *   const server = await procs.server({ dbUrl });
 *   await procs.worker({ dbUrl, serverUrl: server.url, id: "w1" });
 *
 * Waiting is always a polling loop with a deadline that fails with a message naming what was awaited and
 * the process output, never a bare sleep.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(REPO_ROOT, "src", "cli", "main.ts");

/** Default deadline of every wait: generous, because the 2-core test machine is shared. */
export const WAIT_MS = 30_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Whether the process has exited. */
  readonly done: boolean;
  /** Resolves when the process exits. */
  readonly exited: Promise<Exit>;
  /** Resolves once stdout or stderr contains `pattern`; fails after `timeoutMs` with the output. */
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit once the process ended; fails after `timeoutMs`. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  kill(signal?: NodeJS.Signals): void;
  /** Signals the whole process group: the process and every child it started. */
  killGroup(signal?: NodeJS.Signals): void;
}

export interface ServerProcess extends CliProcess {
  port: number;
  url: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than undefined/false and returns that; fails after
 * `timeoutMs` with `what` (and `detail()`, e.g. process output) in the message.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? WAIT_MS);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      const detail = opts.detail ? `\n${opts.detail()}` : "";
      throw new Error(`timed out after ${opts.timeoutMs ?? WAIT_MS} ms waiting for ${what}${why}${detail}`);
    }
    await sleep(opts.intervalMs ?? 50);
  }
}

/** `promise`, or a failure naming `what` once `timeoutMs` passed (a regression fails, it does not hang). */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Runs `noetl <args>` from the repository's sources and collects its output. */
export function spawnCli(name: string, args: string[], env: Record<string, string> = {}): CliProcess {
  const { NODE_TEST_CONTEXT: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so killGroup() also reaches the tools it started (python runners).
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  let done = false;
  const exited = new Promise<Exit>((resolve) => {
    child.on("close", (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const describe = () => `--- ${name} stdout ---\n${tail(out)}\n--- ${name} stderr ---\n${tail(err)}`;
  const proc: CliProcess = {
    name,
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    get done() {
      return done;
    },
    exited,
    async waitForOutput(pattern, timeoutMs) {
      const matches = () => {
        const all = out + err;
        return typeof pattern === "string" ? all.includes(pattern) : pattern.test(all);
      };
      await waitUntil(
        `${name} to print ${String(pattern)}`,
        () => {
          if (matches()) return true;
          if (done) throw new Error(`${name} exited`);
          return false;
        },
        { detail: describe, ...(timeoutMs !== undefined && { timeoutMs }) },
      );
    },
    async waitForExit(timeoutMs = WAIT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${name} did not exit within ${timeoutMs} ms\n${describe()}`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill(signal = "SIGTERM") {
      if (!done) child.kill(signal);
    },
    killGroup(signal = "SIGKILL") {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is gone already.
      }
    },
  };
  return proc;
}

function tail(text: string, max = 4000): string {
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

/** Every process a test file started, killed in `after()`. */
export class Processes {
  private readonly all: CliProcess[] = [];

  spawn(name: string, args: string[], env: Record<string, string> = {}): CliProcess {
    const proc = spawnCli(name, args, env);
    this.all.push(proc);
    return proc;
  }

  /** `noetl server start` on a free (or the given) port; resolves once /api/v2/health answers 200. */
  async server(opts: {
    dbUrl: string;
    port?: number;
    env?: Record<string, string>;
    name?: string;
  }): Promise<ServerProcess> {
    const port = opts.port ?? (await freePort());
    const proc = this.spawn(
      opts.name ?? `server:${port}`,
      ["server", "start", "--host", "127.0.0.1", "--port", String(port), "--db", opts.dbUrl],
      opts.env,
    );
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(
      `${proc.name} to answer /api/v2/health`,
      async () => {
        if (proc.done) throw new Error(`${proc.name} exited`);
        const res = await fetch(`${url}/api/v2/health`);
        return res.status === 200;
      },
      { detail: () => `--- ${proc.name} stderr ---\n${tail(proc.stderr())}`, intervalMs: 100 },
    );
    return Object.assign(proc, { port, url });
  }

  /** `noetl worker start`; resolves once it logged that it started (it is listening for NOTIFY then). */
  async worker(opts: {
    dbUrl: string;
    serverUrl: string;
    id: string;
    env?: Record<string, string>;
  }): Promise<CliProcess> {
    const proc = this.spawn(
      `worker:${opts.id}`,
      ["worker", "start", "--db", opts.dbUrl, "--server-url", opts.serverUrl, "--id", opts.id],
      opts.env,
    );
    await proc.waitForOutput("noetl worker started");
    return proc;
  }

  /** SIGKILLs every process group started (python runners included) and waits for the processes. */
  async stopAll(): Promise<void> {
    for (const p of this.all) p.killGroup("SIGKILL");
    await Promise.all(this.all.map((p) => p.exited));
  }
}
