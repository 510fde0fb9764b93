import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExprError, evaluate, render } from "../../src/expr/index.ts";

/**
 * Known sandbox-escape payloads (Jinja SSTI cheat sheets, JS prototype tricks). Each must fail with a clean
 * ExprError or produce harmless plain data: never run code, never reach a JS function or a prototype,
 * never change a built-in prototype, never throw anything but an ExprError.
 */
const PAYLOADS = [
  "''.constructor.constructor('return process')()",
  "''.constructor.constructor('return process')",
  "x.__proto__.polluted",
  "x.__proto__",
  "x['__proto__']['polluted']",
  "x.constructor",
  "x.constructor.prototype",
  "[].map.constructor",
  "[].constructor.constructor('return this')()",
  '"".__class__.__mro__',
  '"".__class__.__mro__[1].__subclasses__()',
  "cycler.__init__.__globals__",
  "cycler.__init__.__globals__.os.popen('id').read()",
  "lipsum.__globals__",
  "lipsum.__globals__['os'].popen('id').read()",
  "joiner.__init__.__globals__",
  "namespace.__init__.__globals__",
  "{}.constructor.prototype",
  "{}.constructor.assign",
  "(1).toString.call",
  "(1).toString()",
  "self._TemplateReference__context",
  "self.__dict__",
  "config.__class__.__init__.__globals__",
  "request.application.__globals__.__builtins__.__import__('os')",
  "x['con' ~ 'structor']",
  "x['con' ~ 'structor']['con' ~ 'structor']('return 1')",
  "x['__pro' ~ 'to__']",
  "'' | attr('constructor')",
  "'' | attr('\\x5f\\x5fclass\\x5f\\x5f')",
  "x | attr('__proto__') | attr('polluted')",
  "[x] | map(attribute='constructor') | list",
  "[x] | map(attribute='__proto__') | list",
  "[x] | map('constructor') | list",
  "x | selectattr('constructor') | list",
  "'{0.constructor.constructor}'.format('')",
  "'{0.__class__}'.format(x)",
  "'{0[constructor]}'.format(x)",
  "x.toString()",
  "x.valueOf()",
  "x.hasOwnProperty('a')",
  "x.__lookupGetter__('a')",
  "x.__defineGetter__('a', 1)",
  "'a'.at(0)",
  "'a'.concat('b')",
  "'a'.constructor('x')",
  "[].push(1)",
  "x.keys.call(x)",
  "x.items.__self__",
  "x.get.constructor",
  "globalThis",
  "globalThis.process",
  "process.mainModule.require('child_process')",
  "require('fs')",
  "this",
  "Function('return 1')()",
  "eval('1')",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "loop.constructor",
  "range.constructor",
  "dict.constructor",
  "dict(__proto__={'polluted': 1})",
  "{'__proto__': {'polluted': 1}}",
  "{'__proto__': {'polluted': 1}}.polluted",
  "{'constructor': {'prototype': {'polluted': 1}}}",
  "[x, {'__proto__': 1}] | map('dict') | list",
  "[['__proto__', {'polluted': 1}]] | dict",
  '\'{"__proto__": {"polluted": 1}}\' | fromjson',
  '(\'{"__proto__": {"polluted": 1}}\' | fromjson).polluted',
  "x.__proto__.__proto__",
  "s.length",
  "lst.length",
  "lst.constructor.from",
  "s.__proto__.replace",
  "[1, 2] | sort(attribute='constructor')",
  "[x] | sum(attribute='constructor')",
  "[x] | groupby('__proto__') | list",
  "fn()",
  "fn",
  "x.fn()",
  "x.fn",
];

const TEMPLATES = [
  "{% set __proto__ = {'polluted': 1} %}{{ __proto__ }}",
  "{% set constructor = 1 %}{{ constructor }}",
  "{% for __proto__ in [{'polluted': 1}] %}{{ __proto__.polluted }}{% endfor %}",
  "{% for k, v in x.items() %}{{ k.constructor }}{% endfor %}",
  "{% set x.__proto__.polluted = 1 %}",
  "{% import 'os' as os %}",
  "{% include '/etc/passwd' %}",
  "{% extends 'base' %}",
  "{% macro m() %}{% endmacro %}",
  "{{ ''.__class__.__mro__[2].__subclasses__()[40]('/etc/passwd').read() }}",
  "{{ x.__proto__.polluted }}{{ x.constructor.name }}",
];

function makeScope(): Record<string, unknown> {
  return {
    x: { a: 1, b: [1, 2] },
    s: "text",
    lst: [3, 1, 2],
    fn: () => {
      throw new Error("a JS function was called");
    },
  };
}

/** True when the value is plain JSON data: no functions, no objects with a foreign prototype. */
function isPlainData(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (["string", "number", "boolean"].includes(typeof value)) return true;
  if (typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) return proto === Array.prototype && value.every(isPlainData);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.keys(value).every((k) => isPlainData((value as Record<string, unknown>)[k]));
}

const builtins = [Object.prototype, Array.prototype, String.prototype, Function.prototype, Number.prototype];
const snapshot = builtins.map((p) => Object.getOwnPropertyNames(p).sort().join(","));

function assertNoPollution(): void {
  for (const [i, p] of builtins.entries()) {
    assert.equal(Object.getOwnPropertyNames(p).sort().join(","), snapshot[i]);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((globalThis as Record<string, unknown>).polluted, undefined);
}

function check(run: () => unknown): void {
  let result: unknown;
  try {
    result = run();
  } catch (e) {
    assert.ok(e instanceof ExprError, `threw a non-ExprError: ${String(e)}`);
    assert.ok(["E_EXPR_SYNTAX", "E_EXPR_EVAL", "E_EXPR_BUDGET"].includes(e.code));
    return;
  }
  assert.ok(isPlainData(result), `returned something that is not plain data: ${String(result)}`);
  assertNoPollution();
}

describe("sandbox escape payloads fail cleanly", () => {
  for (const payload of PAYLOADS) {
    test(payload, () => {
      check(() => evaluate(payload, makeScope()));
      check(() => render(`{{ ${payload} }}`, makeScope()));
      check(() => render(`text {{ ${payload} }}`, makeScope()));
      assertNoPollution();
    });
  }
  for (const template of TEMPLATES) {
    test(template, () => {
      check(() => render(template, makeScope()));
      assertNoPollution();
    });
  }
});

describe("what the payloads resolve to", () => {
  test("prototype and constructor names are undefined", () => {
    const scope = makeScope();
    for (const p of [
      "x.__proto__",
      "x.constructor",
      "''.constructor",
      "[].map",
      "constructor",
      "__proto__",
      "s.length",
    ]) {
      assert.equal(evaluate(p, scope), undefined, p);
    }
  });
  test("methods outside the allow-list are E_EXPR_EVAL errors", () => {
    assert.throws(
      () => evaluate("x.toString()", makeScope()),
      (e: unknown) =>
        e instanceof ExprError && e.code === "E_EXPR_EVAL" && e.message === "'dict' has no method 'toString'",
    );
    assert.throws(() => evaluate("'a'.constructor('x')", makeScope()), /'str' has no method 'constructor'/);
  });
  test("calling a context value or an unknown global is a syntax error", () => {
    assert.throws(() => evaluate("fn()", makeScope()), /unknown function 'fn'/);
    assert.throws(
      () => evaluate("eval('1')", makeScope()),
      (e: unknown) => (e as ExprError).code === "E_EXPR_SYNTAX",
    );
    assert.throws(() => evaluate("x.a()()", makeScope()), /only methods/);
  });
  test("a __proto__ key is stored as plain data, never as a prototype", () => {
    const made = evaluate("{'__proto__': {'polluted': 1}}", {}) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(made), Object.prototype);
    assert.deepEqual(Object.keys(made), ["__proto__"]);
    assert.equal(made.polluted, undefined);
    assertNoPollution();
  });
});
