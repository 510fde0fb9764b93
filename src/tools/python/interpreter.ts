/**
 * Finding the python to run. `python3` on PATH is often a pyenv shim: a shell script that costs ~250 ms per
 * spawn, so we ask it once for the real interpreter (`sys.executable`) and spawn that directly afterwards.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ToolError } from "../errors.ts";
import { SECOND } from "../fields.ts";

const resolved = new Map<string, Promise<string>>();

function askExecutable(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      ["-c", "import sys; print(sys.executable)"],
      { timeout: 10 * SECOND },
      (err, stdout) => {
        const path = String(stdout).trim();
        if (err || !path) {
          const why = err ? err.message : "sys.executable is empty";
          reject(
            new ToolError(
              "E_PYTHON_UNAVAILABLE",
              "python",
              `cannot find a python interpreter via '${command}': ${why}`,
              false,
            ),
          );
          return;
        }
        resolve(path);
      },
    );
  });
}

/** The real interpreter behind `command`, asked once per process and cached (a failure is not cached). */
export function resolvePythonInterpreter(command = "python3"): Promise<string> {
  let found = resolved.get(command);
  if (!found) {
    found = askExecutable(command);
    resolved.set(command, found);
    found.catch(() => resolved.delete(command));
  }
  return found;
}

/**
 * runner.py next to this module (running from src/ with tsx), or in the package's src/ when running from a
 * tsc build in dist/ (tsc does not copy .py files; package.json ships src/).
 */
export function runnerScriptPath(): string {
  const candidates = [
    new URL("./runner.py", import.meta.url),
    new URL("../../../../src/tools/python/runner.py", import.meta.url),
  ].map((url) => fileURLToPath(url));
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}
