/**
 * Starting interpreters ahead of the first call, and spawning a shim's real interpreter once known:
 * what makes the first python step of `noetl run` cost a call instead of two interpreter starts.
 */
import assert from "node:assert/strict";
import { isAbsolute } from "node:path";
import { describe, test } from "node:test";
import { createPythonTool, ToolRegistry } from "../../src/tools/index.ts";
import { interpreterFor, learnInterpreter, runnerScriptPath } from "../../src/tools/python/interpreter.ts";
import { PythonPool } from "../../src/tools/python/pool.ts";
import { command, context, errorOf, responseOf } from "./helpers.ts";

const PID = "import os\ndef main(**args):\n    return os.getpid()";
const SECOND = 1000;

function pool(interpreter: () => string, started?: (executable: string | undefined) => void): PythonPool {
  return new PythonPool({
    size: 2,
    interpreter,
    ...(started && { started: (proc) => started(proc.executable) }),
    runnerPath: runnerScriptPath(),
    startupTimeoutMs: 10 * SECOND,
    captureLimitBytes: 1024 * 1024,
  });
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10 * SECOND;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const signal = () => new AbortController().signal;

describe("python: warm-up and the real interpreter", () => {
  test("warm() starts one runner before any call, and the first call uses it", async () => {
    const p = pool(() => "python3");
    try {
      p.warm();
      p.warm(); // a second warm-up while one is starting starts nothing more
      await until(() => p.size === 1);
      const first = responseOf(await p.run(PID, {}, 10 * SECOND, signal()));
      const second = responseOf(await p.run(PID, {}, 10 * SECOND, signal()));
      assert.equal(first, second);
      assert.equal(p.size, 1);
    } finally {
      await p.close();
    }
  });

  test("a call that arrives while the warm-up is starting waits for it rather than starting another", async () => {
    const p = pool(() => "python3");
    try {
      p.warm();
      assert.equal(typeof responseOf(await p.run(PID, {}, 10 * SECOND, signal())), "number");
      assert.equal(p.size, 1);
    } finally {
      await p.close();
    }
  });

  test("a warm-up that cannot start is reported by the first call, not thrown", async () => {
    const registry = new ToolRegistry().register(createPythonTool({ pythonPath: "/nonexistent/python3" }));
    try {
      registry.warm(["python", "no-such-kind"]);
      const error = errorOf(await registry.run(command({ kind: "python", code: "result = 1" }), context()));
      assert.equal(error.code, "E_PYTHON_UNAVAILABLE");
    } finally {
      await registry.close();
    }
  });

  test("a runner started through a command names its real interpreter, which later starts use", async () => {
    let reported: string | undefined;
    const p = pool(
      () => interpreterFor("python3"),
      (executable) => {
        reported = executable;
        learnInterpreter("python3", executable);
      },
    );
    try {
      assert.equal(typeof responseOf(await p.run(PID, {}, 10 * SECOND, signal())), "number");
      assert.ok(reported !== undefined && isAbsolute(reported), `sys.executable: ${reported}`);
      assert.equal(interpreterFor("python3"), reported);
      const executable = responseOf(
        await p.run("import sys\nresult = sys.executable", {}, 10 * SECOND, signal()),
      );
      assert.equal(executable, reported);
    } finally {
      await p.close();
    }
  });

  test("an empty or relative sys.executable is not learned", () => {
    learnInterpreter("python-for-test", "");
    learnInterpreter("python-for-test", "bin/python");
    learnInterpreter("python-for-test", undefined);
    assert.equal(interpreterFor("python-for-test"), "python-for-test");
    learnInterpreter("python-for-test", "/opt/python/bin/python3");
    assert.equal(interpreterFor("python-for-test"), "/opt/python/bin/python3");
  });
});
