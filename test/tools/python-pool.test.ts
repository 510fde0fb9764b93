import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { JsonObject } from "../../src/dsl/types.ts";
import { createPythonTool, ToolRegistry } from "../../src/tools/index.ts";
import { command, context, errorOf, responseOf } from "./helpers.ts";

const PID = "import os\ndef main(**args):\n    return os.getpid()";

describe("python pool: timeouts, crashes and concurrency", () => {
  const registry = new ToolRegistry().register(createPythonTool({ poolSize: 2 }));
  const scratch = mkdtempSync(join(tmpdir(), "noetl-pool-test-"));
  after(async () => {
    await registry.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  const run = (code: string, args: JsonObject = {}, extra: JsonObject = {}, signal?: AbortSignal) =>
    registry.run(command({ kind: "python", code, ...extra }, args), context(signal ? { signal } : {}));

  test("a call past its timeout is killed (retryable timeout) and the next call still works", async () => {
    const outcome = await run("import time\nprint('started')\ntime.sleep(30)", {}, { timeout: 0.3 });
    const error = errorOf(outcome);
    assert.equal(error.kind, "timeout");
    assert.equal(error.code, "E_TOOL_TIMEOUT");
    assert.equal(error.retryable, true);
    assert.match(String(error.message), /exceeded its timeout of 0.3s/);
    assert.equal(outcome.stdout, "started\n");
    assert.equal(responseOf(await run("result = 'after timeout'")), "after timeout");
  });

  test("os._exit(1) fails that call with a clear error and output so far; the pool replaces the process", async () => {
    const before = responseOf(await run(PID));
    const outcome = await run("import os\nprint('going down')\nos._exit(1)");
    const error = errorOf(outcome);
    assert.equal(error.kind, "python");
    assert.equal(error.code, "E_PYTHON_PROCESS_EXIT");
    assert.equal(error.exit_code, 1);
    assert.equal(error.retryable, false);
    assert.match(String(error.message), /python process died during the call \(exit code 1\)/);
    assert.equal(outcome.stdout, "going down\n");
    assert.equal(typeof responseOf(await run(PID)), "number");
    assert.ok(before !== undefined);
  });

  test("a process killed by a signal mid-call is reported with the signal", async () => {
    const error = errorOf(await run("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"));
    assert.equal(error.signal, "SIGKILL");
    assert.match(String(error.message), /killed by signal SIGKILL/);
    assert.equal(responseOf(await run("result = 1")), 1);
  });

  test("a segfault reports the Python stack that faulthandler wrote to stderr", async () => {
    const outcome = await run("import ctypes\ndef main():\n    ctypes.string_at(0)");
    const error = errorOf(outcome);
    assert.equal(error.signal, "SIGSEGV");
    assert.match(String(outcome.stderr), /Fatal Python error: Segmentation fault/);
    assert.equal(responseOf(await run("result = 2")), 2);
  });

  test("code that writes garbage to the reply pipe fails its call; the process is replaced", async () => {
    const error = errorOf(await run("import os, time\nos.write(4, b'garbage\\n')\ntime.sleep(5)"));
    assert.equal(error.code, "E_PYTHON_PROTOCOL");
    assert.equal(responseOf(await run("result = 4")), 4);
  });

  test("two calls run in parallel on a pool of 2", async () => {
    // Each call announces itself and waits for the other: this only completes if both run at once.
    const code = [
      "import os, time",
      "def main(me, other, dir):",
      "    open(os.path.join(dir, me), 'w').close()",
      "    deadline = time.monotonic() + 10",
      "    while not os.path.exists(os.path.join(dir, other)):",
      "        if time.monotonic() > deadline:",
      "            raise TimeoutError(f'{other} never started')",
      "        time.sleep(0.005)",
      "    return os.getpid()",
    ].join("\n");
    const [a, b] = await Promise.all([
      run(code, { me: "a", other: "b", dir: scratch }),
      run(code, { me: "b", other: "a", dir: scratch }),
    ]);
    assert.notEqual(responseOf(a), responseOf(b));
  });

  test("a third concurrent call waits for a free process instead of starting a third", async () => {
    const code = "import os, time\ndef main():\n    time.sleep(0.1)\n    return os.getpid()";
    const outcomes = await Promise.all([run(code), run(code), run(code)]);
    assert.ok(new Set(outcomes.map((o) => responseOf(o))).size <= 2);
  });

  test("the worker's abort signal kills a running call", async () => {
    const controller = new AbortController();
    const pending = run("import time\ntime.sleep(30)", {}, {}, controller.signal);
    setTimeout(() => controller.abort(), 100);
    const error = errorOf(await pending);
    assert.equal(error.kind, "aborted");
    assert.equal(error.retryable, true);
    assert.equal(responseOf(await run("result = 3")), 3);
  });
});

describe("python pool lifecycle", () => {
  test("an interpreter that cannot start is a clear failed call, not a crash", async () => {
    const registry = new ToolRegistry().register(createPythonTool({ pythonPath: "/nonexistent/python3" }));
    const error = errorOf(await registry.run(command({ kind: "python", code: "result = 1" }), context()));
    assert.equal(error.code, "E_PYTHON_UNAVAILABLE");
    assert.match(String(error.message), /could not start python runner with '\/nonexistent\/python3'/);
    await registry.close();
  });

  test("after close(), calls fail as aborted", async () => {
    const registry = new ToolRegistry().register(createPythonTool());
    assert.equal(
      responseOf(await registry.run(command({ kind: "python", code: "result = 1" }), context())),
      1,
    );
    await registry.close();
    const error = errorOf(await registry.run(command({ kind: "python", code: "result = 1" }), context()));
    assert.equal(error.kind, "aborted");
  });
});
