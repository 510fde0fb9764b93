import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkSyntax, evaluate, isTruthy, render } from "../../src/expr/index.ts";

/**
 * Where NoETL deliberately differs from Python Jinja2 (each case says what Jinja2 does). These are the
 * behaviours docs/expressions.md lists under "Differences from Python Jinja2".
 */
describe("differences from Python Jinja2", () => {
  test("attribute access reads the data key; only a call runs a method (Jinja: the bound method)", () => {
    const d = { items: [1, 2], n: 1 };
    assert.deepEqual(evaluate("d.items", { d }), [1, 2]);
    assert.deepEqual(evaluate("d.items()", { d }), [
      ["items", [1, 2]],
      ["n", 1],
    ]);
    assert.equal(evaluate("d.keys", { d }), undefined);
  });

  test("attributes of undefined are undefined (Jinja: UndefinedError)", () => {
    assert.equal(evaluate("missing.a.b", {}), undefined);
  });

  test("ordering with undefined is false and undefined equals nothing (Jinja: error / Undefined == Undefined)", () => {
    assert.equal(evaluate("missing < 1", {}), false);
    assert.equal(evaluate("missing == missing", {}), false);
  });

  test("tuples are lists, so pairs print with brackets (Jinja: (1, 2) and ('a', 1))", () => {
    assert.equal(
      render("{{ (1, 2) }} {{ {'a': 1} | items | list }} {{ {'a': 1} | dictsort }}", {}),
      "[1, 2] [['a', 1]] [['a', 1]]",
    );
    assert.deepEqual(render("{{ [{'k': 'x'}] | groupby('k') }}", {}), [["x", [{ k: "x" }]]]);
    assert.equal(evaluate("(1, 2) == [1, 2]", {}), true);
  });

  test("dict keys are strings; numeric keys read them (Jinja: int keys stay ints)", () => {
    assert.equal(render("{{ {1: 'a'} }}.", {}), "{'1': 'a'}.");
    assert.equal(evaluate("d[1]", { d: { "1": "one" } }), "one");
  });

  test("integers beyond 2^53 are doubles (Jinja: exact big ints)", () => {
    assert.equal(render("{{ 12345678901234567890 }}.", {}), "12345678901234567168.");
  });

  test("a float from JSON with no fraction arrives as an int (JSON has one number type)", () => {
    assert.equal(render("{{ v }}.", JSON.parse('{"v": 1.0}')), "1.");
    assert.equal(render("{{ v | float }}.", JSON.parse('{"v": 1.0}')), "1.0.");
  });

  test("'%s' % list prints the list when there is one conversion, spreads it otherwise", () => {
    assert.equal(evaluate("'%s' % [1, 2]", {}), "[1, 2]");
    assert.equal(evaluate("'%s-%s' % [1, 2]", {}), "1-2");
  });

  test("isTruthy treats the strings 'true'/'false' in any case as booleans (DSL rule)", () => {
    assert.equal(isTruthy("False"), false);
    assert.equal(evaluate("not 'False'", {}), false, "inside expressions strings keep Python truthiness");
  });

  test("extra filters that Jinja2 lacks: fromjson, b64encode, b64decode, bool, keys, values, dict, to_json", () => {
    assert.equal(
      checkSyntax("{{ x | fromjson | b64encode | b64decode | bool | keys | values | dict | to_json }}"),
      null,
    );
  });

  test("unknown filters, tests and functions fail at compile time (Jinja: filters/tests too, calls at run time)", () => {
    assert.equal(checkSyntax("{{ lipsum() }}")?.code, "E_EXPR_SYNTAX");
    assert.equal(checkSyntax("{{ x | random }}")?.code, "E_EXPR_SYNTAX");
  });

  test("unsupported statements are syntax errors", () => {
    for (const s of [
      "{% macro m() %}{% endmacro %}",
      "{% include 'x' %}",
      "{% filter upper %}x{% endfilter %}",
    ]) {
      assert.equal(checkSyntax(s)?.code, "E_EXPR_SYNTAX", s);
    }
  });
});
