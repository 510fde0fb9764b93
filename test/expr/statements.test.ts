import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExprError, render } from "../../src/expr/index.ts";
import { jinjaContext } from "./jinja-context.ts";

/** Expected strings were printed by Python Jinja2 3.1.6 for the same template and context. */
const context = jinjaContext;

const cases: [string, string][] = [
  [
    "{% for u in users %}{{ loop.index }}:{{ u.name }}{% if not loop.last %}, {% endif %}{% endfor %}",
    "1:bob, 2:alice, 3:carl",
  ],
  [
    "{% for u in users %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.length }}|{% endfor %}",
    "032True3|121False3|210False3|",
  ],
  ["{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;"],
  ["{% for x in [] %}x{% else %}empty{% endfor %}", "empty"],
  ["{% for u in users if u.active %}{{ u.name }}{{ loop.length }}{% else %}none{% endfor %}", "bob2carl2"],
  [
    "{% set t = users | selectattr('age', 'defined') | map(attribute='age') | sum %}total={{ t }}",
    "total=56",
  ],
  ["{% set a, b = [1, 2] %}{{ a }}+{{ b }}", "1+2"],
  ["{% set x = 1 %}{% for i in [1, 2] %}{% set x = x + i %}{{ x }}{% endfor %}|{{ x }}", "23|1"],
  ["{% if users | length > 5 %}big{% elif users %}some{% else %}none{% endif %}", "some"],
  ["{% if false %}a{% else %}b{% endif %}", "b"],
  ["{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}"],
  ["a\n  {%- if true %} b {% endif -%}\n c", "a b c"],
  ["{% set greeting %}hi {{ users[0].name }}{% endset %}{{ greeting | upper }}", "HI BOB"],
  ["{% for row in [[1, 2], [3, 4]] %}{% for c in row %}{{ c }}{% endfor %};{% endfor %}", "12;34;"],
  [
    "{% for u in users %}{{ loop.previtem.name if loop.previtem is defined else '-' }}>{{ loop.nextitem.name if loop.nextitem is defined else '-' }} {% endfor %}",
    "->alice bob>carl alice>- ",
  ],
  ["{# comment #}x{#- trimmed -#}   y", "xy"],
  ["{% for c in 'ab' %}{{ c }}{% endfor %}{% for k in {'z': 1} %}{{ k }}{% endfor %}", "abz"],
];

describe("{% if %}, {% for %}, {% set %}, {% raw %} and whitespace control match Python Jinja2", () => {
  for (const [source, expected] of cases) {
    test(source, () => assert.equal(render(`${source}.`, context), `${expected}.`));
  }
});

describe("statement errors", () => {
  const ERRORS: [string, string][] = [
    ["{% if x %}", "'if' is never closed (missing '{% endif %}') at 0"],
    ["a {% for x in y %}", "'for' is never closed (missing '{% endfor %}') at 2"],
    ["{% endif %}", "unexpected '{% endif %}' at 0"],
    ["{% macro m() %}{% endmacro %}", "unknown statement 'macro' at 3"],
    ["{% include 'x' %}", "unknown statement 'include' at 3"],
    ["{% for x y %}{% endfor %}", "expected 'in' in for statement at 9"],
    ["{% set x.y = 1 %}", "expected '=', got '.' at 8"],
    ["{% %}", "expected a statement name after '{%' at 3"],
  ];
  for (const [source, message] of ERRORS) {
    test(source, () =>
      assert.throws(
        () => render(source, {}),
        (e: unknown) => e instanceof ExprError && e.code === "E_EXPR_SYNTAX" && e.message === message,
      ),
    );
  }
  test("unpacking a value of the wrong shape is an evaluation error", () => {
    assert.throws(() => render("{% for a, b in [1] %}{% endfor %}", {}), { code: "E_EXPR_EVAL" });
  });
  test("loop variables do not leak out of the loop", () => {
    assert.equal(render("{% for i in [1] %}{% endfor %}[{{ i }}]", {}), "[]");
  });
});
