/**
 * `python`: runs `code` (defining `main(**args)` or assigning `result`) in a pool of warm interpreters.
 * See docs/tools.md for argument binding, JSON conversion, isolation and the measured per-call overhead.
 */
import type { JsonObject } from "../dsl/types.ts";
import { checkObject, checkSeconds, SECOND, secondsToMs } from "./fields.ts";
import { interpreterFor, learnInterpreter, runnerScriptPath } from "./python/interpreter.ts";
import { PythonPool } from "./python/pool.ts";
import type { Tool, ToolContext, ToolOutcome } from "./types.ts";

export interface PythonToolOptions {
  /** Interpreter to spawn as-is (NOETL_PYTHON); when absent, `python3`, then the real interpreter it ran. */
  pythonPath?: string;
  /** Warm processes, i.e. python calls running at once on this worker (default 2). */
  poolSize?: number;
  /** Timeout when the config has no `timeout` (default 60 s). */
  defaultTimeoutMs?: number;
  /** How long a new process may take to say it is ready (default 10 s). */
  startupTimeoutMs?: number;
  /** Cap on each of a call's captured stdout and stderr (default 1 MiB). */
  captureLimitBytes?: number;
}

export function createPythonTool(opts: PythonToolOptions = {}): Tool {
  const defaultTimeoutMs = opts.defaultTimeoutMs ?? 60 * SECOND;
  const pythonPath = opts.pythonPath;
  const pool = new PythonPool({
    size: Math.max(1, opts.poolSize ?? 2),
    interpreter: () => pythonPath ?? interpreterFor("python3"),
    ...(pythonPath === undefined && { started: (proc) => learnInterpreter("python3", proc.executable) }),
    runnerPath: runnerScriptPath(),
    startupTimeoutMs: opts.startupTimeoutMs ?? 10 * SECOND,
    captureLimitBytes: opts.captureLimitBytes ?? 1024 * 1024,
  });

  return {
    kind: "python",
    validate(config: JsonObject): string[] {
      const problems: string[] = [];
      if (typeof config.code !== "string" || config.code.trim() === "") {
        problems.push("'code' must be a non-empty string defining main() or assigning 'result'");
      }
      return [...problems, ...checkSeconds(config, "timeout"), ...checkObject(config, "args")];
    },
    execute(config: JsonObject, args: JsonObject, ctx: ToolContext): Promise<ToolOutcome> {
      const timeoutMs = secondsToMs(config.timeout, defaultTimeoutMs);
      return pool.run(String(config.code), args, timeoutMs, ctx.signal);
    },
    warm: () => pool.warm(),
    close: () => pool.close(),
  };
}
