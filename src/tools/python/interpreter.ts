/**
 * Finding the python to run. `python3` on PATH is often a pyenv shim: a shell script that costs ~100-250 ms
 * per spawn before the real interpreter even starts. The first runner is spawned through the command as
 * given; its ready line names the real interpreter (`sys.executable`), and later runners, in any pool of
 * this process, are spawned with that directly. Asking the shim first, as this module once did, cost a
 * whole extra interpreter start on every first call.
 */
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";

const learned = new Map<string, string>();

/** What to spawn for `command`: the real interpreter once a runner started through `command` named it. */
export function interpreterFor(command: string): string {
  return learned.get(command) ?? command;
}

/** Remembers the interpreter a runner spawned through `command` reported as its `sys.executable`. */
export function learnInterpreter(command: string, executable: string | undefined): void {
  // An embedded python may report an empty or relative sys.executable: keep spawning the command then.
  if (executable && isAbsolute(executable)) learned.set(command, executable);
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
