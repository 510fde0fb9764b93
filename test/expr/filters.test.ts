import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExprError, evaluate, render } from "../../src/expr/index.ts";

const ctx = {
  users: [
    { name: "bob", age: 31, active: true },
    { name: "alice", age: 25, active: false },
    { name: "carl", active: true },
  ],
  page: "3",
  rows: [{ id: 1 }, { id: 2 }],
};

/** Typed results of filters (the text forms are compared with Python Jinja2 in jinja-compat.test.ts). */
const TYPED: [string, unknown][] = [
  ["page | int", 3],
  ["'12' | int", 12],
  ["'x' | int", 0],
  ["'x' | int(7)", 7],
  ["'x' | int(default=7)", 7],
  ["3.9 | int", 3],
  ["-3.9 | int", -3],
  ["'42.23' | int", 42],
  ["'0x1A' | int(base=16)", 26],
  ["'0b11' | int(0)", 0],
  ["'0b11' | int(base=0)", 3],
  ["true | int", 1],
  ["none | int", 0],
  ["'1.5' | float", 1.5],
  ["'x' | float", 0],
  ["' 1e3 ' | float", 1000],
  ["'constructor' | float", 0],
  ["1 | string", "1"],
  ["1.0 | string", "1.0"],
  ["[1, 'a'] | string", "[1, 'a']"],
  ["rows | length", 2],
  ["rows | count", 2],
  ["'é😀' | length", 2],
  ["rows | map(attribute='id') | list", [1, 2]],
  ["rows | map(attribute='id') | sum", 3],
  ["rows | map(attribute='zz', default=0) | list", [0, 0]],
  ["['1', '2'] | map('int') | list", [1, 2]],
  ["[1.5, 2.5] | map('round') | list", [2, 2]],
  ["['a'] | map('default', 'x') | list", ["a"]],
  ["[1, 2, 3, 4] | select('odd') | list", [1, 3]],
  ["[1, 2, 3, 4] | select('divisibleby', 2) | list", [2, 4]],
  ["[1, 2, 3, 4] | reject('gt', 2) | list", [1, 2]],
  ["[0, 1, '', 'a', none] | select | list", [1, "a"]],
  ["users | selectattr('active') | map(attribute='name') | list", ["bob", "carl"]],
  ["users | rejectattr('age', 'defined') | map(attribute='name') | list", ["carl"]],
  ["users | selectattr('name', 'equalto', 'bob') | list | length", 1],
  ["users | sort(attribute='name') | map(attribute='name') | list", ["alice", "bob", "carl"]],
  ["users[:2] | sort(attribute='age', reverse=true) | map(attribute='name') | join(',')", "bob,alice"],
  ["['b', 'A', 'c'] | sort", ["A", "b", "c"]],
  ["[3, 1, 2] | sort(true)", [3, 2, 1]],
  ["[1, 2, 1, 3] | unique | list", [1, 2, 3]],
  ["['a', 'A'] | unique | list", ["a"]],
  ["['a', 'A'] | unique(true) | list", ["a", "A"]],
  ["[1, 2] | reverse | list", [2, 1]],
  ["'abc' | reverse", "cba"],
  ["[1.5, 2] | sum", 3.5],
  ["[1, 2] | sum(start=10)", 13],
  ["users[:2] | sum(attribute='age')", 56],
  ["[3, 1] | min", 1],
  ["['b', 'A'] | max", "b"],
  ["users[:2] | max(attribute='age') | attr('name')", "bob"],
  ["[] | max", undefined],
  ["[3, 1] | first", 3],
  ["[3, 1] | last", 1],
  ["[] | last", undefined],
  ["{'a': 1, 'b': 2} | first", "a"],
  ["'abc' | list", ["a", "b", "c"]],
  ["{'a': 1} | list", ["a"]],
  [
    "{'b': 1, 'a': 2} | items",
    [
      ["b", 1],
      ["a", 2],
    ],
  ],
  [
    "{'b': 1, 'a': 2} | dictsort",
    [
      ["a", 2],
      ["b", 1],
    ],
  ],
  [
    "{'b': 1, 'a': 2} | dictsort(by='value')",
    [
      ["b", 1],
      ["a", 2],
    ],
  ],
  [
    "[1, 2, 3, 4, 5] | batch(2, 0)",
    [
      [1, 2],
      [3, 4],
      [5, 0],
    ],
  ],
  [
    "[1, 2, 3, 4, 5] | slice(2)",
    [
      [1, 2, 3],
      [4, 5],
    ],
  ],
  ["users | groupby('active') | map('first') | list", [false, true]],
  ["'a-b' | replace('-', '+')", "a+b"],
  ["'Hello world foo' | truncate(9)", "Hello..."],
  ["'  x ' | trim", "x"],
  ["'hello WORLD' | capitalize", "Hello world"],
  ["'big-world (x)' | title", "Big-World (X)"],
  ["'%s=%d' | format('a', 3)", "a=3"],
  ["'<a>' | escape", "&lt;a&gt;"],
  ["'<b>x</b>  y' | striptags", "x y"],
  ["'a b' | wordcount", 2],
  ["-3 | abs", 3],
  ["2.5 | round", 2],
  ["2.675 | round(2)", 2.67],
  ["2.1 | round(method='ceil')", 3],
  ["1234 | round(-2)", 1200],
];

/** Filters that are not Jinja2 builtins but are common in NoETL playbooks. */
const EXTRA: [string, unknown][] = [
  ["{'b': [1, 2.0], 'a': none} | tojson", '{"a": null, "b": [1, 2.0]}'],
  ["{'a': 1} | to_json", '{"a": 1}'],
  ["'<&>' | tojson", '"\\u003c\\u0026\\u003e"'],
  ["[1] | tojson(indent=2)", "[\n  1\n]"],
  ['\'{"a": [1, 2.5], "b": null}\' | fromjson', { a: [1, 2.5], b: null }],
  ["('{\"a\": 1}' | from_json).a", 1],
  ["'hello' | b64encode", "aGVsbG8="],
  ["'aGVsbG8=' | b64decode", "hello"],
  ["'é' | b64encode | b64decode", "é"],
  ["'yes' | bool", true],
  ["'False' | bool", false],
  ["0 | bool", false],
  ["{'a': 1, 'b': 2} | keys", ["a", "b"]],
  ["{'a': 1, 'b': 2} | values", [1, 2]],
  ["[['a', 1], ['b', 2]] | dict", { a: 1, b: 2 }],
  ["{'a': 1} | items | dict", { a: 1 }],
  ["'a b&c/d?é' | urlencode", "a%20b%26c/d%3F%C3%A9"],
  ["{'q': 'a b', 'n': 1} | urlencode", "q=a+b&n=1"],
];

describe("filters give Python Jinja2's values", () => {
  for (const [expression, expected] of [...TYPED, ...EXTRA]) {
    test(expression, () => assert.deepEqual(evaluate(expression, ctx), expected));
  }
  test("{{ 2.0 | int }} and floats print like Python in text", () => {
    assert.equal(
      render("{{ 2.0 | int }} {{ 2 | float }} {{ 2.5 | round }} {{ [1.5] | map('round') | list }}", {}),
      "2 2.0 2.0 [2.0]",
    );
  });
});

describe("filter errors", () => {
  const ERRORS: [string, string][] = [
    ["'{oops' | fromjson", "E_EXPR_EVAL"],
    ["'%%%' | b64decode", "E_EXPR_EVAL"],
    ["3 | length", "E_EXPR_EVAL"],
    ["3 | items", "E_EXPR_EVAL"],
    ["[1, 'a'] | sort", "E_EXPR_EVAL"],
    ["[1] | map('nope') | list", "E_EXPR_EVAL"],
    ["[1] | select('nope') | list", "E_EXPR_EVAL"],
    ["'a' | round", "E_EXPR_EVAL"],
    ["[1] | batch(0)", "E_EXPR_EVAL"],
  ];
  for (const [expression, code] of ERRORS) {
    test(expression, () =>
      assert.throws(
        () => evaluate(expression, ctx),
        (e: unknown) => e instanceof ExprError && e.code === code,
      ),
    );
  }
});
