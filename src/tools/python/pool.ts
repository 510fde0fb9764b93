/**
 * A fixed-size pool of warm python runner processes, started lazily (or ahead of the first call by `warm`),
 * one call at a time per process. Dead processes (timeout, crash, external kill) leave the pool; the next
 * call that needs one starts a new one.
 */
import type { JsonObject } from "../../dsl/types.ts";
import { ToolAbortedError, toCallError } from "../errors.ts";
import type { ToolOutcome } from "../types.ts";
import { PythonProcess } from "./process.ts";

export interface PythonPoolOptions {
  size: number;
  /** The interpreter to spawn, asked at every start (it may have learned a shim's target meanwhile). */
  interpreter: () => string;
  /** Told each new process, once it is ready (it reports its `sys.executable`). */
  started?: (proc: PythonProcess) => void;
  runnerPath: string;
  startupTimeoutMs: number;
  captureLimitBytes: number;
}

interface Waiter {
  give(proc: PythonProcess): void;
  fail(err: unknown): void;
}

export class PythonPool {
  private readonly idle: PythonProcess[] = [];
  private readonly live = new Set<PythonProcess>();
  private readonly waiters: Waiter[] = [];
  private starting = 0;
  /** Starts begun by `warm` for no caller yet: the first waiters take them rather than start their own. */
  private warming = 0;
  private closing = false;

  constructor(private readonly opts: PythonPoolOptions) {}

  /** Processes currently alive (idle or busy). */
  get size(): number {
    return this.live.size;
  }

  async run(code: string, args: JsonObject, timeoutMs: number, signal: AbortSignal): Promise<ToolOutcome> {
    let proc: PythonProcess;
    try {
      proc = await this.acquire(signal);
    } catch (err) {
      return { ok: false, error: toCallError(err) };
    }
    try {
      return await proc.call({
        code,
        args,
        timeoutMs,
        signal,
        captureLimitBytes: this.opts.captureLimitBytes,
      });
    } finally {
      if (proc.alive && !this.closing) this.idle.push(proc);
      this.dispatch();
    }
  }

  /**
   * Starts one process ahead of the first call (when none is alive or starting), so the interpreter's
   * start-up overlaps other work. A failure is left to the first call, which starts its own and reports it.
   */
  warm(): void {
    if (this.closing || this.live.size + this.starting > 0) return;
    this.warming++;
    this.startFor({
      give: (proc) => {
        this.warming--;
        this.idle.push(proc);
        this.dispatch();
      },
      fail: () => {
        this.warming--;
      },
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const waiter of this.waiters.splice(0))
      waiter.fail(new ToolAbortedError("the python pool was closed"));
    this.idle.length = 0;
    await Promise.all([...this.live].map((proc) => proc.close()));
  }

  private acquire(signal: AbortSignal): Promise<PythonProcess> {
    if (this.closing) return Promise.reject(new ToolAbortedError("the python pool is closed"));
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        waiter.fail(new ToolAbortedError());
      };
      const waiter: Waiter = {
        give: (proc) => {
          if (settled) {
            // its caller gave up while the process was starting: keep it for the next one
            if (this.closing) void proc.close();
            else this.idle.push(proc);
            this.dispatch();
            return;
          }
          settled = true;
          signal.removeEventListener("abort", onAbort);
          resolve(proc);
        },
        fail: (err) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      if (signal.aborted) return waiter.fail(new ToolAbortedError());
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      this.dispatch();
    });
  }

  /** Hands idle processes to waiters, and starts new ones while below `size`. */
  private dispatch(): void {
    while (this.waiters.length > 0 && !this.closing) {
      const idle = this.idle.pop();
      if (idle) {
        this.waiters.shift()!.give(idle);
        continue;
      }
      if (this.waiters.length <= this.warming) return;
      if (this.live.size + this.starting >= this.opts.size) return;
      this.startFor(this.waiters.shift()!);
    }
  }

  private startFor(waiter: Waiter): void {
    this.starting++;
    const { runnerPath, startupTimeoutMs } = this.opts;
    // Inside a promise: a synchronous throw (no file descriptors left, ...) fails the start like any other.
    new Promise<PythonProcess>((resolve) =>
      resolve(PythonProcess.start(this.opts.interpreter(), runnerPath, startupTimeoutMs)),
    ).then(
      (proc) => {
        this.starting--;
        this.opts.started?.(proc);
        if (this.closing) {
          void proc.close();
          waiter.fail(new ToolAbortedError("the python pool was closed"));
          return;
        }
        this.live.add(proc);
        proc.onClosed(() => {
          this.live.delete(proc);
          const index = this.idle.indexOf(proc);
          if (index >= 0) this.idle.splice(index, 1);
        });
        waiter.give(proc);
      },
      (err: unknown) => {
        this.starting--;
        waiter.fail(err);
        this.dispatch();
      },
    );
  }
}
