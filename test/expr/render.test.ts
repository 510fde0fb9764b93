import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExprError, evaluate, render } from "../../src/expr/index.ts";

const ctx = {
  response: { status: 200, data: { paging: { page: "3", hasMore: true }, items: [{ id: 1 }, { id: 2 }] } },
  workload: { api_url: "http://127.0.0.1:5555", cities: ["Paris", "Oslo"] },
  n: 2,
  f: 1.5,
  s: "text",
  nothing: null,
};

describe("typed rendering: a string that is one {{ expr }} keeps the value's type", () => {
  const cases: [string, unknown][] = [
    ["{{ (response.data.paging.page | int) + 1 }}", 4],
    ["{{ response.data.items }}", [{ id: 1 }, { id: 2 }]],
    ["  {{ response.data.paging }}  ", { page: "3", hasMore: true }],
    ["{{ response.data.paging.hasMore }}", true],
    ["{{ nothing }}", null],
    ["{{ missing }}", undefined],
    ["{{ 2 * 1.5 }}", 3],
    ["{{ [1.0, {'a': 2.0}] }}", [1, { a: 2 }]],
    ["{{ s }}", "text"],
    ["{{- n -}}", 2],
  ];
  for (const [source, expected] of cases) {
    test(source, () => assert.deepEqual(render(source, ctx), expected));
  }
});

describe("text rendering prints values as Python does", () => {
  const cases: [string, string][] = [
    ["{{ workload.api_url }}/items", "http://127.0.0.1:5555/items"],
    ["a {{ 2 * 1.5 }}", "a 3.0"],
    ["{{ true }} {{ false }} {{ none }}", "True False None"],
    ["{{ [1, 'a', none, true, 1.0] }}!", "[1, 'a', None, True, 1.0]!"],
    ["{{ {'k': 'v', 'n': [1]} }}!", "{'k': 'v', 'n': [1]}!"],
    ["x{{ missing }}y", "xy"],
    ["{{ 0.5 }} {{ 1e16 }} {{ 1e-5 }} {{ 0.0001 }} {{ 1/3 }}", "0.5 1e+16 1e-05 0.0001 0.3333333333333333"],
    ['{{ "it\'s" }} {{ ["it\'s", \'a"b\'] }}', "it's [\"it's\", 'a\"b']"],
    ["{# comment #}a {{- ' b' }}", "a b"],
    ["plain text", "plain text"],
  ];
  for (const [source, expected] of cases) {
    test(source, () => assert.equal(render(source, ctx), expected));
  }
});

describe("evaluate: bare expression or one {{ expr }}", () => {
  test("same value both ways", () => {
    assert.equal(evaluate("response.data.items | length > 0", ctx), true);
    assert.equal(evaluate("{{ response.data.items | length > 0 }}", ctx), true);
    assert.deepEqual(evaluate("response.data.items", ctx), [{ id: 1 }, { id: 2 }]);
  });
  test("errors are ExprError with a code", () => {
    assert.throws(
      () => evaluate("missing + 1", ctx),
      (e: unknown) => e instanceof ExprError && e.code === "E_EXPR_EVAL",
    );
    assert.throws(
      () => evaluate("a +", ctx),
      (e: unknown) => e instanceof ExprError && e.code === "E_EXPR_SYNTAX",
    );
  });
});
