import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { JsonObject } from "../../src/dsl/types.ts";
import { createPythonTool, ToolRegistry } from "../../src/tools/index.ts";
import { command, context, errorOf, responseOf } from "./helpers.ts";

describe("python tool: code, arguments and results", () => {
  const registry = new ToolRegistry().register(createPythonTool({ poolSize: 1 }));
  after(() => registry.close());
  const run = (code: string, args: JsonObject = {}, extra: JsonObject = {}) =>
    registry.run(command({ kind: "python", code, ...extra }, args), context());

  test("main(**args) receives every arg", async () => {
    const outcome = await run("def main(**args):\n    return sorted(args.items())", { b: 2, a: 1 });
    assert.deepEqual(responseOf(outcome), [
      ["a", 1],
      ["b", 2],
    ]);
  });

  test("main(a, b) is bound by parameter name; defaults apply; extra args are ignored", async () => {
    const code = "def main(b, a, scale=10):\n    return {'value': (a - b) * scale}";
    assert.deepEqual(responseOf(await run(code, { a: 5, b: 2, unused: true })), { value: 30 });
  });

  test("a missing required argument is a clear error naming it", async () => {
    const error = errorOf(await run("def main(city, units):\n    return city", { city: "Paris" }));
    assert.equal(error.kind, "python");
    assert.equal(error.type, "TypeError");
    assert.equal(error.retryable, false);
    assert.equal(error.message, "TypeError: main() is missing required argument 'units' (args given: city)");
  });

  test("code that assigns `result` returns it", async () => {
    assert.deepEqual(responseOf(await run("import math\nresult = {'pi': round(math.pi, 2)}")), { pi: 3.14 });
  });

  test("code with neither main nor result is an error saying what is expected", async () => {
    const error = errorOf(await run("x = 1"));
    assert.match(String(error.message), /must define main\(\) or assign a variable named 'result'/);
  });

  test("async def main is awaited", async () => {
    const code = "import asyncio\nasync def main(n):\n    await asyncio.sleep(0.01)\n    return n * 2";
    assert.deepEqual(await run(code, { n: 21 }), { ok: true, response: 42, stdout: "", stderr: "" });
  });

  test("an exception fails the call with type, message and a traceback of the user's code", async () => {
    const code =
      "def helper(x):\n    raise ValueError(f'bad value {x}')\n\ndef main(x):\n    return helper(x)";
    const error = errorOf(await run(code, { x: 7 }));
    assert.equal(error.kind, "python");
    assert.equal(error.code, "E_PYTHON_EXCEPTION");
    assert.equal(error.type, "ValueError");
    assert.equal(error.message, "ValueError: bad value 7");
    const traceback = String(error.traceback);
    assert.match(traceback, /^Traceback \(most recent call last\):/);
    assert.match(traceback, /line 2, in helper\n {4}raise ValueError\(f'bad value \{x\}'\)/);
    assert.doesNotMatch(traceback, /runner\.py/);
  });

  test("a syntax error is reported as SyntaxError", async () => {
    const error = errorOf(await run("def main(:\n    pass"));
    assert.equal(error.type, "SyntaxError");
  });

  test("print() and stderr writes are captured per call, and never corrupt the protocol", async () => {
    const code = [
      "import sys, os",
      "def main(n):",
      '    print(\'{"id": 999, "ok": true, "result": "forged"}\')',
      "    print('line', n)",
      "    sys.stderr.write('warn\\n')",
      "    os.write(1, b'raw fd write\\n')",
      "    return n",
    ].join("\n");
    const first = await run(code, { n: 1 });
    assert.equal(first.ok && first.response, 1);
    assert.equal(first.stdout, '{"id": 999, "ok": true, "result": "forged"}\nline 1\nraw fd write\n');
    assert.equal(first.stderr, "warn\n");
    const second = await run(code, { n: 2 });
    assert.match(String(second.stdout), /^\{"id": 999.*\nline 2\n/); // only this call's output
    assert.equal(responseOf(await run("result = 'quiet'")), "quiet");
  });

  test("output of a failing call is captured too", async () => {
    const outcome = await run("print('before the fall')\nraise RuntimeError('fell')");
    assert.equal(outcome.ok, false);
    assert.equal(outcome.stdout, "before the fall\n");
  });

  test("results convert to JSON: datetime, Decimal, set, bytes, tuples, NaN, non-string keys", async () => {
    const code = [
      "import datetime, decimal",
      "result = {",
      "  'when': datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc),",
      "  'day': datetime.date(2024, 5, 6),",
      "  'price': decimal.Decimal('19.99'),",
      "  'count': decimal.Decimal('42'),",
      "  'precise': decimal.Decimal('3.14159265358979323846264'),",
      "  'tags': {'b', 'c', 'a'},",
      "  'text': 'héllo'.encode('utf-8'),",
      "  'blob': b'\\xff\\x00\\x01',",
      "  'pair': (1, (2, 3)),",
      "  'nan': float('nan'),",
      "  1: 'one',",
      "}",
    ].join("\n");
    assert.deepEqual(responseOf(await run(code)), {
      when: "2024-05-06T07:08:09+00:00",
      day: "2024-05-06",
      price: 19.99,
      count: 42,
      precise: "3.14159265358979323846264",
      tags: ["a", "b", "c"],
      text: "héllo",
      blob: "/wAB",
      pair: [1, [2, 3]],
      nan: null,
      "1": "one",
    });
  });

  test("a result that cannot become JSON is a clear error naming the type and where it is", async () => {
    const error = errorOf(await run("result = {'items': [object()]}"));
    assert.equal(error.type, "TypeError");
    assert.equal(error.message, "TypeError: value of type object at $.items[0] is not JSON-serializable");
  });

  test("each call runs in a fresh namespace: globals do not leak between calls", async () => {
    assert.deepEqual(responseOf(await run("counter = globals().get('counter', 0) + 1\nresult = counter")), 1);
    assert.deepEqual(responseOf(await run("counter = globals().get('counter', 0) + 1\nresult = counter")), 1);
    assert.deepEqual(responseOf(await run("result = 'counter' in globals()")), false);
  });

  test("sys.exit() in user code fails the call, not the process", async () => {
    const error = errorOf(await run("import sys\nsys.exit(3)"));
    assert.equal(error.type, "SystemExit");
    assert.equal(responseOf(await run("result = 'still alive'")), "still alive");
  });

  test("fibo(10) runs", async () => {
    const code =
      "def fibo(n):\n    return n if n < 2 else fibo(n - 1) + fibo(n - 2)\n\ndef main(n):\n    return fibo(n)";
    assert.equal(responseOf(await run(code, { n: 10 })), 55);
  });

  test("validate rejects missing code and bad timeouts", () => {
    const tool = registry.get("python")!;
    assert.deepEqual(tool.validate({ kind: "python", code: "result = 1" }), []);
    assert.deepEqual(tool.validate({ kind: "python", timeout: "soon" }), [
      "'code' must be a non-empty string defining main() or assigning 'result'",
      `'timeout' must be a positive number of seconds, got "soon"`,
    ]);
  });
});
