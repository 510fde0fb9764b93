import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExprError, evaluate, LIMITS, render } from "../../src/expr/index.ts";

function code(run: () => unknown): string {
  try {
    run();
    return "ok";
  } catch (e) {
    return e instanceof ExprError ? e.code : `not an ExprError: ${String(e)}`;
  }
}

const big = { s: "x".repeat(1_000_000), lst: Array.from({ length: 200_000 }, (_, i) => i) };

describe("size and work budgets stop blowups with E_EXPR_BUDGET", () => {
  const BLOWUPS = [
    "'a' * 10**9",
    "[0] * 10**8",
    "range(10**9)",
    "range(10**9) | list",
    "('a' * 10**7) ~ ('a' * 10**7)",
    "([s] * 1000) | join",
    "([s] * 1000) | tojson",
    "([s] * 1000) ~ ''",
    "s | center(10**9)",
    "'{:>999999999}'.format('a')",
    "'%999999999s' % 'a'",
    "s | indent(10**9)",
    "[1] | batch(10**9, 0)",
    "s | replace('x', 'yyyyyyyyyyyyyyyyyyyy')",
    "([[0] * 10**6] * 10**6) | sum(start=[])",
  ];
  for (const expression of BLOWUPS) {
    test(expression, () =>
      assert.equal(
        code(() => evaluate(expression, big)),
        "E_EXPR_BUDGET",
      ),
    );
  }

  test("nested loops run out of steps", () => {
    const template = "{% for a in range(2000) %}{% for b in range(2000) %}{{ a }}{% endfor %}{% endfor %}";
    assert.equal(
      code(() => render(template, {})),
      "E_EXPR_BUDGET",
    );
  });

  test("membership tests inside a loop count the items they scan", () => {
    const template = "{% for i in range(100) %}{{ 5 in lst }}{% endfor %}";
    assert.equal(
      code(() => render(template, big)),
      "E_EXPR_BUDGET",
    );
  });

  test("a source longer than the limit is refused", () => {
    const source = `{{ ${"1 + ".repeat(LIMITS.maxSourceLength / 4)}1 }}`;
    assert.equal(
      code(() => render(source, {})),
      "E_EXPR_BUDGET",
    );
  });

  test("deep nesting is a syntax error, long flat chains still work or fail cleanly", () => {
    assert.equal(
      code(() => evaluate(`${"(".repeat(500)}1${")".repeat(500)}`, {})),
      "E_EXPR_SYNTAX",
    );
    assert.equal(
      code(() => evaluate(`${"not ".repeat(500)}1`, {})),
      "E_EXPR_SYNTAX",
    );
    assert.equal(evaluate(Array.from({ length: 2000 }, () => "1").join(" + "), {}), 2000);
    assert.match(
      code(() => evaluate(Array.from({ length: 30_000 }, () => "a").join(".b."), {})),
      /^(ok|E_EXPR_BUDGET)$/,
    );
  });

  test("printing deeply nested data fails cleanly", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.match(
      code(() => render("x{{ deep }}", { deep })),
      /^(ok|E_EXPR_BUDGET)$/,
    );
    assert.match(
      code(() => render("{{ deep | tojson }}", { deep })),
      /^(ok|E_EXPR_BUDGET)$/,
    );
  });

  test("regex-prone inputs stay linear", () => {
    const spaces = `${" ".repeat(200_000)}x`;
    const tags = "<".repeat(200_000);
    const data = { spaces, tags, pct: "%(".repeat(100_000) };
    assert.equal(evaluate("spaces.strip() | length", data), 1);
    assert.equal(evaluate("spaces | trim | length", data), 1);
    assert.equal(evaluate("spaces.rstrip('y') | length", data), 200_001);
    assert.equal(evaluate("tags | striptags | length", data), 200_000);
    assert.equal(evaluate("spaces.split() | length", data), 1);
    assert.equal(evaluate("pct % {}", data), data.pct);
  });

  test("ordinary work on large data fits in the budget", () => {
    assert.equal(evaluate("lst | map('string') | select('ne', '7') | list | length", big), 199_999);
    assert.equal(evaluate("lst | sum", big), 19_999_900_000);
    assert.equal(evaluate("s | length", big), 1_000_000);
  });
});
