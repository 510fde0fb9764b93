import assert from "node:assert/strict";
import { test } from "node:test";
import { noopTool } from "../../src/tools/index.ts";
import { context } from "./helpers.ts";

test("noop echoes its args back as the response", async () => {
  const args = { city: "Paris", n: 3, nested: { ok: true } };
  const outcome = await noopTool.execute({ kind: "noop" }, args, context());
  assert.deepEqual(outcome, { ok: true, response: args });
});

test("noop returns a copy, not the args object itself", async () => {
  const args = { a: 1 };
  const outcome = await noopTool.execute({ kind: "noop" }, args, context());
  assert.ok(outcome.ok);
  assert.notEqual(outcome.response, args);
});

test("noop accepts any config", () => {
  assert.deepEqual(noopTool.validate({ kind: "noop", whatever: 1 }), []);
});
