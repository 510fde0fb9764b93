import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExprError, evaluate } from "../../src/expr/index.ts";

const ctx = { n: 2, f: 1.5, s: "abc", lst: [1, 2, 3], d: { a: 1 } };

/** Typed results; Python Jinja2 gives the same values (ints and floats are both JS numbers here). */
const VALUES: [string, unknown][] = [
  ["1 + 2 * 3", 7],
  ["(1 + 2) * 3", 9],
  ["2 ** 3 ** 2", 64],
  ["-2 ** 2", 4],
  ["2 * -1", -2],
  ["1 / 2", 0.5],
  ["7 // 2", 3],
  ["-7 // 2", -4],
  ["7.5 // 2", 3],
  ["7 % 3", 1],
  ["-7 % 3", 2],
  ["7 % -3", -2],
  ["2 ** -1", 0.5],
  ["0.1 + 0.2", 0.30000000000000004],
  ["'a' ~ 1 ~ none ~ true", "a1NoneTrue"],
  ["'a' + 'b'", "ab"],
  ["[1] + [2]", [1, 2]],
  ["'ab' * 2", "abab"],
  ["2 * 'ab'", "abab"],
  ["[0] * 3", [0, 0, 0]],
  ["'a' * -1", ""],
  ["true + 1", 2],
  ["1 < 2 < 3", true],
  ["1 < 3 < 2", false],
  ["1 == 1.0", true],
  ["true == 1", true],
  ["[1, [2]] == [1, [2]]", true],
  ["{'a': 1} == {'a': 1.0}", true],
  ["{'a': 1} == {'a': 2}", false],
  ["'a' < 'b'", true],
  ["[1, 2] < [1, 3]", true],
  ["1 in [1, 2]", true],
  ["'ell' in 'hello'", true],
  ["'a' in {'a': 1}", true],
  ["{'x': 1} in [{'x': 1}]", true],
  ["3 not in lst", false],
  ["true and 'x'", "x"],
  ["0 or ''", ""],
  ["none or 'd'", "d"],
  ["not []", true],
  ["not 'false'", false],
  ["'y' if n > 1 else 'n'", "y"],
  ["'a' if false else 'b' if true else 'c'", "b"],
  ["s[0]", "a"],
  ["s[-1]", "c"],
  ["s[1:]", "bc"],
  ["s[::-1]", "cba"],
  ["lst[:-1]", [1, 2]],
  ["lst[::2]", [1, 3]],
  ["lst[-2:]", [2, 3]],
  ["lst.0", 1],
  ["lst[-1]", 3],
  ["d['a']", 1],
  ['d["a"]', 1],
  ["(1, 2)", [1, 2]],
  ["()", []],
  ["{'k': [1, {'n': none}]}", { k: [1, { n: null }] }],
  ["{1: 'a'}", { "1": "a" }],
  ["'x' 'y'", "xy"],
  ["'tab\\there'", "tab\there"],
  ["'\\u00e9\\x41'", "éA"],
  ["1_000 + 0x10 + 0o10 + 0b10", 1026],
  ["1e3", 1000],
  ["range(3)", [0, 1, 2]],
  ["range(1, 10, 4)", [1, 5, 9]],
  ["range(3, 0, -1)", [3, 2, 1]],
  ["dict(a=1, b='x')", { a: 1, b: "x" }],
];

describe("operators and precedence", () => {
  for (const [expression, expected] of VALUES) {
    test(expression, () => assert.deepEqual(evaluate(expression, ctx), expected));
  }
});

describe("type errors are E_EXPR_EVAL with Python's wording", () => {
  const ERRORS: [string, string][] = [
    ["'a' + 1", "unsupported operand type(s) for +: 'str' and 'int'"],
    ["'a' < 1", "'<' not supported between instances of 'str' and 'int'"],
    ["none < 1", "'<' not supported between instances of 'NoneType' and 'int'"],
    ["10 / 0", "division by zero"],
    ["10 // 0", "integer division or modulo by zero"],
    ["10 % 0", "integer division or modulo by zero"],
    ["'a' * 1.5", "can't multiply sequence by non-int of type 'float'"],
    ["-'a'", "bad operand type for unary -: 'str'"],
    ["1 in 5", "argument of type 'int' is not iterable"],
    ["1 in 'abc'", "'in <string>' requires string as left operand, not int"],
    ["{[1]: 2}", "unhashable type: 'list'"],
    ["lst[::0]", "slice step cannot be zero"],
  ];
  for (const [expression, message] of ERRORS) {
    test(expression, () =>
      assert.throws(
        () => evaluate(expression, ctx),
        (e: unknown) => e instanceof ExprError && e.code === "E_EXPR_EVAL" && e.message === message,
      ),
    );
  }
});
