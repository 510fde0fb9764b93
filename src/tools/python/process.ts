/**
 * One long-lived python runner process (runner.py) serving one call at a time over fds 3/4.
 * Its fds 1/2 are unlinked temp files the parent also holds, so a call's output is readable even when the
 * process dies mid-call. A timeout or abort kills the process (SIGKILL); the call settles once it is gone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { JsonObject } from "../../dsl/types.ts";
import { ToolAbortedError, ToolError, ToolTimeoutError } from "../errors.ts";
import { SECOND } from "../fields.ts";
import type { ToolOutcome } from "../types.ts";
import { anonymousFile, readCaptured } from "./capture.ts";
import { parseReply, replyToOutcome } from "./protocol.ts";

export interface PythonCall {
  code: string;
  args: JsonObject;
  timeoutMs: number;
  /** Cap on captured stdout and on captured stderr, each. */
  captureLimitBytes: number;
  signal: AbortSignal;
}

interface Pending {
  id: number;
  settle: (outcome: ToolOutcome) => void;
  /** Set when we decided the call's fate (timeout, abort) before killing the process. */
  failure?: ToolError;
  captureLimitBytes: number;
}

export class PythonProcess {
  private readonly child: ChildProcess;
  private readonly outFd: number;
  private readonly errFd: number;
  private readonly requests: Writable;
  private pending: Pending | undefined;
  private nextId = 1;
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
  /** The interpreter's own path (`sys.executable`) from the ready line: a shim's target. */
  executable: string | undefined;

  private constructor(interpreter: string, runnerPath: string) {
    this.outFd = anonymousFile();
    this.errFd = anonymousFile();
    this.child = spawn(interpreter, [runnerPath], {
      stdio: ["ignore", this.outFd, this.errFd, "pipe", "pipe"],
      env: playbookEnvironment(process.env),
    });
    this.requests = this.child.stdio[3] as Writable;
    this.requests.on("error", () => {}); // EPIPE when the process died: reported through 'close'
    this.child.on("exit", (code, signal) => {
      this.exit = { code, signal };
    });
    this.child.on("close", () => this.onClose());
  }

  /** Spawns the runner and waits for its ready line; fails with E_PYTHON_UNAVAILABLE and its stderr. */
  static start(interpreter: string, runnerPath: string, startupTimeoutMs: number): Promise<PythonProcess> {
    const proc = new PythonProcess(interpreter, runnerPath);
    return new Promise((resolve, reject) => {
      let ready = false;
      const fail = (why: string): void => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        const stderr = readCaptured(proc.errFd, 4096).trim();
        proc.kill();
        const message = `could not start python runner with '${interpreter}': ${why}${stderr ? `\n${stderr}` : ""}`;
        reject(new ToolError("E_PYTHON_UNAVAILABLE", "python", message, false));
      };
      const timer = setTimeout(
        () => fail(`no ready signal within ${startupTimeoutMs / SECOND}s`),
        startupTimeoutMs,
      );
      proc.child.on("error", (err) => fail(err.message));
      proc.onClosed(() => fail(`it exited (${proc.exitDescription()})`));
      proc.readLines((line) => {
        if (!ready) {
          ready = true;
          clearTimeout(timer);
          proc.executable = readyExecutable(line);
          resolve(proc);
          return;
        }
        proc.onReply(line);
      });
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  onClosed(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Runs one call. Never rejects: every failure (exception, timeout, abort, crash) is a failed outcome. */
  call(call: PythonCall): Promise<ToolOutcome> {
    if (this.pending) throw new Error("python runner is busy (one call at a time per process)");
    if (this.closed) return Promise.resolve({ ok: false, error: new ToolAbortedError().toCallError() });
    return new Promise<ToolOutcome>((resolve) => {
      const id = this.nextId++;
      const abandon = (failure: ToolError): void => {
        if (this.pending?.id !== id || this.pending.failure) return;
        this.pending.failure = failure;
        this.kill();
      };
      const timer = setTimeout(() => {
        const seconds = call.timeoutMs / SECOND;
        abandon(
          new ToolTimeoutError(`python call exceeded its timeout of ${seconds}s; the process was killed`),
        );
      }, call.timeoutMs);
      const onAbort = (): void => abandon(new ToolAbortedError());
      call.signal.addEventListener("abort", onAbort, { once: true });
      this.pending = {
        id,
        captureLimitBytes: call.captureLimitBytes,
        settle: (outcome) => {
          clearTimeout(timer);
          call.signal.removeEventListener("abort", onAbort);
          this.pending = undefined;
          resolve(outcome);
        },
      };
      if (call.signal.aborted) {
        abandon(new ToolAbortedError());
        return;
      }
      const request = { id, code: call.code, args: call.args, capture_limit: call.captureLimitBytes };
      this.requests.write(`${JSON.stringify(request)}\n`);
    });
  }

  kill(): void {
    if (!this.closed) this.child.kill("SIGKILL");
  }

  /** Asks the runner to exit (EOF on its request pipe), killing it if it has not gone within a second. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.onClosed(resolve);
      if (this.closed) return;
      this.requests.end();
      setTimeout(() => {
        if (this.pending && !this.pending.failure)
          this.pending.failure = new ToolAbortedError("the python pool was closed");
        this.kill();
      }, SECOND).unref();
    });
  }

  private readLines(onLine: (line: string) => void): void {
    const replies = this.child.stdio[4] as Readable;
    replies.setEncoding("utf8");
    let buffer = "";
    replies.on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) onLine(line);
      }
    });
  }

  private onReply(line: string): void {
    const reply = parseReply(line);
    const pending = this.pending;
    if (!reply) {
      // something other than the runner wrote to the reply pipe: the process can no longer be trusted
      const message =
        "python runner sent an unreadable reply (did the code write to fd 4?); the process was killed";
      if (pending && !pending.failure)
        pending.failure = new ToolError("E_PYTHON_PROTOCOL", "python", message, false);
      this.kill();
      return;
    }
    if (!pending || pending.id !== reply.id || pending.failure) return; // a reply that lost the race with a kill
    pending.settle(replyToOutcome(reply));
  }

  private exitDescription(): string {
    const { code, signal } = this.exit;
    return signal ? `killed by signal ${signal}` : `exit code ${code}`;
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    const pending = this.pending;
    if (pending) {
      const failure =
        pending.failure ??
        new ToolError(
          "E_PYTHON_PROCESS_EXIT",
          "python",
          `python process died during the call (${this.exitDescription()}): os._exit(), a crash in native code, ` +
            "or an external kill; the pool replaces it",
          false,
          { type: "ProcessExit", exit_code: this.exit.code, signal: this.exit.signal },
        );
      const stdout = readCaptured(this.outFd, pending.captureLimitBytes);
      const stderr = readCaptured(this.errFd, pending.captureLimitBytes);
      pending.settle({ ok: false, error: failure.toCallError(), stdout, stderr });
    }
    for (const listener of this.closeListeners.splice(0)) listener();
    closeSync(this.outFd);
    closeSync(this.errFd);
  }
}

/**
 * The environment playbook code runs with: the worker's, less NoETL's own settings. NOETL_SECRET_KEY would
 * decrypt every stored credential and NOETL_DATABASE_URL reaches the queue itself; user code needs neither.
 */
export function playbookEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("NOETL_")));
}

function readyExecutable(line: string): string | undefined {
  try {
    const ready = JSON.parse(line) as { executable?: unknown };
    return typeof ready.executable === "string" ? ready.executable : undefined;
  } catch {
    return undefined;
  }
}
