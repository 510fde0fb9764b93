import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExprError, evaluate, render } from "../../src/expr/index.ts";

const ctx = { lst: [1, 2], d: { a: 1 }, nothing: null, s: "abc" };

function evalCode(expression: string): string {
  try {
    evaluate(expression, ctx);
    return "ok";
  } catch (e) {
    return e instanceof ExprError ? e.code : "not an ExprError";
  }
}

describe("undefined: missing names and attributes are values, not errors", () => {
  const cases: [string, unknown][] = [
    ["missing", undefined],
    ["missing.a.b.c", undefined],
    ["d.zz", undefined],
    ["d.a.b", undefined],
    ["nothing.a", undefined],
    ["lst[5]", undefined],
    ["lst.zz", undefined],
    ["missing[0]", undefined],
    ["missing[1:2]", undefined],
    ["s.upper", undefined],
    ["missing is defined", false],
    ["missing is undefined", true],
    ["d.zz is not defined", true],
    ["missing is none", false],
    ["nothing is none", true],
    ["nothing is defined", true],
    ["missing | default(5)", 5],
    ["missing | d(5)", 5],
    ["nothing | default(5)", null],
    ["nothing | default(5, true)", 5],
    ["missing ~ 'x'", "x"],
    ["missing | length", 0],
    ["missing | upper", ""],
    ["missing | string", ""],
    ["missing | list", []],
    ["missing | join(',')", ""],
    ["missing | first", undefined],
    ["missing | items", []],
    ["missing or 3", 3],
    ["missing and 3", undefined],
    ["not missing", true],
    ["1 if missing", undefined],
    ["'yes' if missing else 'no'", "no"],
  ];
  for (const [expression, expected] of cases) {
    test(expression, () => assert.deepEqual(evaluate(expression, ctx), expected));
  }
});

describe("comparisons with undefined are false, != is true", () => {
  const cases: [string, boolean][] = [
    ["missing == 1", false],
    ["missing == missing", false],
    ["missing != 1", true],
    ["missing < 1", false],
    ["missing > 1", false],
    ["1 <= missing", false],
    ["missing >= missing", false],
    ["missing in lst", false],
    ["1 in missing", false],
    ["1 not in missing", true],
    ["missing is eq 1", false],
    ["missing is gt 1", false],
  ];
  for (const [expression, expected] of cases) {
    test(expression, () => assert.equal(evaluate(expression, ctx), expected));
  }
});

describe("arithmetic and numeric filters on undefined are E_EXPR_EVAL errors (as Jinja's Undefined)", () => {
  for (const expression of [
    "missing + 1",
    "1 - missing",
    "missing * 2",
    "-missing",
    "missing / 2",
    "missing | int",
    "missing | float",
    "missing | round",
    "missing | abs",
    "missing | tojson",
    "missing.upper()",
  ]) {
    test(expression, () => assert.equal(evalCode(expression), "E_EXPR_EVAL"));
  }
  test("the message names the undefined operand", () => {
    assert.throws(() => evaluate("response.data.page + 1", {}), {
      message: "'response.data.page' is undefined (used with '+')",
    });
  });
});

describe("undefined in text and typed rendering", () => {
  test("prints as an empty string inside text", () => assert.equal(render("a{{ missing }}b", {}), "ab"));
  test("is JS undefined as a typed value", () => assert.equal(render("{{ missing.x }}", {}), undefined));
});
