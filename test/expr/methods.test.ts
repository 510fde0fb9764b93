import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExprError, evaluate } from "../../src/expr/index.ts";

const ctx = { d: { a: 1, items: "the items key", keys: [9] }, s: "a,b,,c", lst: [1, 2, 1] };

const CASES: [string, unknown][] = [
  ["s.split(',')", ["a", "b", "", "c"]],
  ["' a  b '.split()", ["a", "b"]],
  ["'a,b,c'.split(',', 1)", ["a", "b,c"]],
  ["'a b  c '.split(none, 1)", ["a", "b  c "]],
  ["'a,b'.split(sep=',')", ["a", "b"]],
  ["'xxhixx'.strip('x')", "hi"],
  ["'  x '.strip()", "x"],
  ["'  x '.lstrip()", "x "],
  ["'  x '.rstrip()", "  x"],
  ["'Hello'.upper()", "HELLO"],
  ["'Hello'.lower()", "hello"],
  ["\"they're bill's\".title()", "They'Re Bill'S"],
  ["'abc'.startswith('ab')", true],
  ["'abc'.startswith(('x', 'a'))", true],
  ["'abc'.endswith('bc')", true],
  ["'a-b-a'.replace('a', 'x')", "x-b-x"],
  ["'a-b-a'.replace('a', 'x', 1)", "x-b-a"],
  ["'-'.join(['a', 'b'])", "a-b"],
  ["'{} and {}'.format(1, 'b')", "1 and b"],
  ["'{0}{1}{0}'.format('a', 'b')", "aba"],
  ["'{name}!'.format(name='x')", "x!"],
  ["'{:.2f}'.format(3.14159)", "3.14"],
  ["'{:>4}|{:<4}|{:^5}'.format('a', 'b', 'c')", "   a|b   |  c  "],
  ["'{:05d}'.format(42)", "00042"],
  ["'{:,}'.format(1234567)", "1,234,567"],
  ["'{!r}'.format('a')", "'a'"],
  ["'{}'.format(1.0)", "1.0"],
  ["'{0[a]}'.format(d)", "1"],
  ["d.get('a')", 1],
  ["d.get('zz')", null],
  ["d.get('zz', 'dflt')", "dflt"],
  ["d.keys()", ["a", "items", "keys"]],
  ["{'a': 1}.values()", [1]],
  ["{'a': 1}.items()", [["a", 1]]],
  ["lst.count(1)", 2],
  ["lst.index(2)", 1],
  // Attribute access prefers the data key; only a call invokes the method.
  ["d.items", "the items key"],
  ["d.keys", [9]],
  ["d.items() | length", 3],
];

describe("allow-listed methods", () => {
  for (const [expression, expected] of CASES) {
    test(expression, () => assert.deepEqual(evaluate(expression, ctx), expected));
  }
});

describe("anything else is E_EXPR_EVAL", () => {
  const ERRORS: [string, string][] = [
    ["'a'.foo()", "'str' has no method 'foo'"],
    ["d.split(',')", "'dict' has no method 'split'"],
    ["lst.append(1)", "'list' has no method 'append'"],
    ["(1).upper()", "'int' has no method 'upper'"],
    ["missing.get('a')", "cannot call method 'get' of an undefined value"],
    ["lst.index(5)", "5 is not in list"],
    ["'-'.join([1, 2])", "sequence item 0: expected str instance, int found"],
    ["'a'.split('')", "empty separator"],
    ["'{} {}'.format(1)", "format string refers to argument 1 which was not given"],
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
