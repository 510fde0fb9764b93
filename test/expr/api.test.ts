import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkSyntax,
  compileTemplate,
  ExprError,
  evaluate,
  isTruthy,
  references,
  render,
  renderDeep,
} from "../../src/expr/index.ts";

describe("compileTemplate", () => {
  test("plain text is not a template and renders to itself", () => {
    const t = compileTemplate("just text { not } a template");
    assert.equal(t.isTemplate, false);
    assert.equal(t.render({}), "just text { not } a template");
  });
  test("templates are compiled once and cached by source", () => {
    const t = compileTemplate("{{ a }}");
    assert.equal(t.isTemplate, true);
    assert.equal(t.source, "{{ a }}");
    assert.equal(compileTemplate("{{ a }}"), t);
    assert.ok(Array.isArray(t.render({ a: [1] })));
  });
  test("syntax errors throw ExprError E_EXPR_SYNTAX with an offset", () => {
    assert.throws(
      () => compileTemplate("abc {{ a + }}"),
      (e: unknown) => e instanceof ExprError && e.code === "E_EXPR_SYNTAX" && e.offset === 11,
    );
  });
});

describe("typed versus text rendering", () => {
  const cases: [string, unknown][] = [
    ["{{ x }}", [1, 2]],
    ["  {{ x }}\n", [1, 2]],
    ["{# note #}{{ x }}", [1, 2]],
    ["{{ x }}{{ x }}", "[1, 2][1, 2]"],
    ["a {{ x }}", "a [1, 2]"],
    ["{% if true %}{{ x }}{% endif %}", "[1, 2]"],
    ["{{ n }}", 1.5],
    ["{{ n }} ", 1.5],
    ["{{ n }}.", "1.5."],
    ["{{ ok }}", true],
    ["{{ ok }}!", "True!"],
    ["{{ none }}", null],
    ["{{ none }}!", "None!"],
  ];
  for (const [source, expected] of cases) {
    test(JSON.stringify(source), () =>
      assert.deepEqual(render(source, { x: [1, 2], n: 1.5, ok: true }), expected),
    );
  }
  test("typed results are the context's own values (no copy)", () => {
    const items = [{ id: 1 }];
    assert.equal(render("{{ r.items }}", { r: { items } }), items);
  });
});

describe("evaluate", () => {
  const scope = { a: { b: [1, 2] }, flag: "false" };
  test("a bare expression and one {{ expr }} mean the same", () => {
    for (const e of ["a.b | length > 1", "{{ a.b | length > 1 }}", " {{- a.b | length > 1 -}} "]) {
      assert.equal(evaluate(e, scope), true, e);
    }
    assert.deepEqual(evaluate("a.b", scope), [1, 2]);
  });
  test("text with several templates renders to a string", () => {
    assert.equal(evaluate("{{ a.b[0] }}-{{ a.b[1] }}", scope), "1-2");
  });
  test("an empty expression is a syntax error", () => {
    assert.throws(() => evaluate("", scope), { code: "E_EXPR_SYNTAX" });
    assert.throws(() => evaluate("{{ }}", scope), { code: "E_EXPR_SYNTAX" });
  });
});

describe("isTruthy", () => {
  const cases: [unknown, boolean][] = [
    [true, true],
    [false, false],
    ["true", true],
    ["TRUE", true],
    ["false", false],
    ["False", false],
    ["FALSE", false],
    ["no", true],
    ["", false],
    ["0", true],
    [0, false],
    [0.0, false],
    [2, true],
    [Number.NaN, true],
    [null, false],
    [undefined, false],
    [[], false],
    [[0], true],
    [{}, false],
    [{ a: 1 }, true],
  ];
  for (const [value, expected] of cases) {
    test(`${JSON.stringify(value)} -> ${expected}`, () => assert.equal(isTruthy(value), expected));
  }
});

describe("renderDeep", () => {
  const scope = { n: 2, name: "x" };
  test("renders every string, keeps other values, rebuilds containers", () => {
    const input = {
      url: "http://h/{{ name }}",
      count: "{{ n }}",
      list: ["{{ n * 2 }}", 3, true, null, "plain"],
      nested: { deeper: { v: "{{ [n] }}" } },
      "{{ key }}": "keys are not rendered",
    };
    const out = renderDeep(input, scope);
    assert.deepEqual(out, {
      url: "http://h/x",
      count: 2,
      list: [4, 3, true, null, "plain"],
      nested: { deeper: { v: [2] } },
      "{{ key }}": "keys are not rendered",
    });
    assert.notEqual(out, input);
    assert.equal(input.count, "{{ n }}");
  });
  test("skip leaves paths unrendered", () => {
    const input = { tool: { kind: "python", code: "x = '{{ n }}'", args: { v: "{{ n }}" } } };
    const out = renderDeep(input, scope, (path) => path.join(".") === "tool.code");
    assert.deepEqual(out, { tool: { kind: "python", code: "x = '{{ n }}'", args: { v: 2 } } });
  });
  test("paths given to skip include list indexes", () => {
    const seen: string[] = [];
    renderDeep({ a: ["x", { b: "y" }] }, scope, (path) => {
      seen.push(path.join("/"));
      return false;
    });
    assert.deepEqual(seen, ["a", "a/0", "a/1", "a/1/b"]);
  });
  test("evaluation errors are ExprErrors", () => {
    assert.throws(() => renderDeep({ a: "{{ n + 'x' }}" }, scope), { code: "E_EXPR_EVAL" });
  });
});

describe("references", () => {
  const cases: [string, string[][], boolean?][] = [
    ["{{ (response.data.paging.page | int) + 1 }}", [["response", "data", "paging", "page"]]],
    [
      "{{ a.b[0]['c'] | default(x.y) }}",
      [
        ["a", "b", "0", "c"],
        ["x", "y"],
      ],
    ],
    [
      "{{ z.w[k.v] }}",
      [
        ["z", "w"],
        ["k", "v"],
      ],
    ],
    ["{{ d.get('k') }} {{ s.split(',') }}", [["d"], ["s"]]],
    ["{{ a }} {{ a }} {{ a.b }}", [["a"], ["a", "b"]]],
    ["{{ [x, {'k': y}] }}", [["x"], ["y"]]],
    ["{{ 'y' if c.ok else n }}", [["c", "ok"], ["n"]]],
    ["{{ (f | first).name }}", [["f"]]],
    ["{% for i in items %}{{ i.n }}{{ loop.index }}{{ other.x }}{% endfor %}", [["items"], ["other", "x"]]],
    ["{% set q = w.v %}{{ q.r }}", [["w", "v"]]],
    ["plain", []],
    ["error is defined and error.status in [500, 502]", [["error"], ["error", "status"]], true],
  ];
  for (const [source, expected, expression] of cases) {
    test(source, () => assert.deepEqual(references(source, { expression: expression === true }), expected));
  }
  test("throws ExprError on a syntax error", () => {
    assert.throws(() => references("{{ a + }}"), { code: "E_EXPR_SYNTAX" });
  });
});

describe("checkSyntax", () => {
  const cases: [string, string, number][] = [
    ["{{ a | lenght }}", "unknown filter 'lenght' (did you mean 'length'?) at 7", 7],
    ["text {{ a is definned }}", "unknown test 'definned' (did you mean 'defined'?) at 13", 13],
    ["x {{ a + }}", "unexpected end of expression at 9", 9],
    ["{{ a", "missing '}}' to close the expression at 4", 4],
    ["{{ a b }}", "unexpected 'b' at 5", 5],
    ["{{ 'abc }}", "unterminated string at 3", 3],
    ["{{ (a }}", "unexpected '}' (the '(' at 3 is not closed) at 6", 6],
    ["{{ {'a': 1} }", "unexpected '}' at 12", 12],
    ["{{ a | int(1, 2, 3) }}", "filter 'int' takes at most 2 arguments (3 given) at 7", 7],
    ["{{ a | round(x=1) }}", "filter 'round' got an unexpected keyword argument 'x' at 7", 7],
    ["{{ a | batch }}", "filter 'batch' missing required argument 'linecount' at 7", 7],
    ["{{ foo(1) }}", "unknown function 'foo' at 3", 3],
    ["{{ rnage(3) }}", "unknown function 'rnage' (did you mean 'range'?) at 3", 3],
    ["{{ a ! b }}", "unexpected character '!' at 5", 5],
    ["{% if a %}", "'if' is never closed (missing '{% endif %}') at 0", 0],
  ];
  for (const [source, message, offset] of cases) {
    test(source, () => {
      const e = checkSyntax(source);
      assert.ok(e instanceof ExprError);
      assert.equal(e.code, "E_EXPR_SYNTAX");
      assert.equal(e.message, message);
      assert.equal(e.offset, offset);
    });
  }
  test("valid sources give null", () => {
    assert.equal(checkSyntax("{{ a | length > 0 }} and {% for x in y %}{{ x }}{% endfor %}"), null);
    assert.equal(checkSyntax("plain"), null);
    assert.equal(checkSyntax("a.b | length > 0", { expression: true }), null);
  });
  test("bare expressions report offsets in the expression", () => {
    assert.equal(checkSyntax("a and", { expression: true })?.offset, 5);
    assert.equal(checkSyntax("a | nope", { expression: true })?.offset, 4);
  });
});
