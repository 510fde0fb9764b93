import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { JsonObject } from "../../src/dsl/types.ts";
import { defaultTools, type Tool, ToolError, ToolRegistry } from "../../src/tools/index.ts";
import { command, context, errorOf, responseOf } from "./helpers.ts";

function tool(kind: string, execute: Tool["execute"], validate: Tool["validate"] = () => []): Tool {
  return { kind, execute, validate };
}

describe("ToolRegistry.run never throws", () => {
  const registry = defaultTools();
  after(() => registry.close());

  test("the default registry knows noop, http, python, postgres and duckdb", () => {
    assert.deepEqual(registry.kinds(), ["duckdb", "http", "noop", "postgres", "python"]);
    assert.equal(registry.get("noop")?.kind, "noop");
  });

  test("routes a command to its tool with the command's args", async () => {
    const outcome = await registry.run(command({ kind: "noop" }, { x: 1 }), context());
    assert.deepEqual(responseOf(outcome), { x: 1 });
  });

  test("an unknown kind is a non-retryable unknown_tool failure listing the known kinds", async () => {
    const error = errorOf(await registry.run(command({ kind: "ftp" }), context()));
    assert.equal(error.kind, "unknown_tool");
    assert.equal(error.retryable, false);
    assert.equal(error.message, "no tool for kind 'ftp' (known: duckdb, http, noop, postgres, python)");
  });

  test("a config the tool rejects is an invalid_config failure naming the problem", async () => {
    const error = errorOf(await registry.run(command({ kind: "http", method: "GET" }), context()));
    assert.equal(error.kind, "invalid_config");
    assert.equal(error.retryable, false);
    assert.match(String(error.message), /'endpoint' \(or 'url'\) must be a non-empty string/);
    assert.deepEqual(error.problems, ["'endpoint' (or 'url') must be a non-empty string"]);
  });

  test("an already aborted call does not start", async () => {
    const aborted = AbortSignal.abort();
    const error = errorOf(await registry.run(command({ kind: "noop" }), context({ signal: aborted })));
    assert.equal(error.kind, "aborted");
    assert.equal(error.retryable, true);
  });
});

describe("a failing tool fails its call, never the caller", () => {
  const registry = new ToolRegistry()
    .register(
      tool("boom", async () => {
        throw new TypeError("cannot read properties of undefined");
      }),
    )
    .register(
      tool("string-thrower", async () => {
        throw "plain string"; // a badly written tool must still not crash the worker
      }),
    )
    .register(
      tool(
        "bad-validate",
        async () => ({ ok: true, response: null }),
        () => {
          throw new Error("validate exploded");
        },
      ),
    )
    .register(
      tool("classified", async () => {
        throw new ToolError("E_HTTP_NETWORK", "http", "connection refused", true, { url: "http://x/" });
      }),
    );

  test("an exception becomes a tool_error with its message", async () => {
    const error = errorOf(await registry.run(command({ kind: "boom" }), context()));
    assert.deepEqual(error, {
      kind: "tool_error",
      code: "E_TOOL_EXCEPTION",
      message: "cannot read properties of undefined",
      retryable: false,
    });
  });

  test("a thrown non-Error value is reported as text", async () => {
    const error = errorOf(await registry.run(command({ kind: "string-thrower" }), context()));
    assert.equal(error.message, "plain string");
  });

  test("validate throwing is caught too", async () => {
    const error = errorOf(await registry.run(command({ kind: "bad-validate" }), context()));
    assert.equal(error.kind, "tool_error");
    assert.equal(error.message, "validate exploded");
  });

  test("a thrown ToolError keeps its kind, code, classification and details", async () => {
    const error: JsonObject = errorOf(await registry.run(command({ kind: "classified" }), context()));
    assert.deepEqual(error, {
      kind: "http",
      code: "E_HTTP_NETWORK",
      message: "connection refused",
      retryable: true,
      url: "http://x/",
    });
  });

  test("close() settles even when a tool's close fails", async () => {
    const closing = new ToolRegistry().register({
      ...tool("x", async () => ({ ok: true, response: null })),
      close: () => Promise.reject(new Error("nope")),
    });
    await closing.close();
  });
});
