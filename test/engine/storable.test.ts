import assert from "node:assert/strict";
import { test } from "node:test";
import { storable } from "../../src/engine/storable.ts";

test("NUL characters and lone UTF-16 surrogates become U+FFFD, in keys and values", () => {
  const cut = JSON.parse('"emoji \\udc80 cut"') as string; // an API that cut text inside an emoji
  assert.deepEqual(storable({ "k\u0000": ["a\u0000b", cut], nested: { [cut]: 1 } }), {
    "k\uFFFD": ["a\uFFFDb", "emoji \uFFFD cut"],
    nested: { "emoji \uFFFD cut": 1 },
  });
});

test("a value with nothing to fix is returned as the same object (no copy on the hot path)", () => {
  const value = { a: ["x", 1, { b: "😀 whole emoji" }] };
  assert.equal(storable(value), value);
});
