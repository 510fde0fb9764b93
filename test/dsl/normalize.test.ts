import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parsePlaybook, toYaml } from "../../src/dsl/index.ts";
import { fixture, fixtureNames } from "./fixtures.ts";

const playbook = parsePlaybook(fixture("valid/shorthand_forms.yaml"));
const step = (name: string) => {
  const found = playbook.workflow.find((s) => s.step === name);
  assert.ok(found, `step ${name}`);
  return found;
};

describe("normalisation", () => {
  test("metadata.path defaults to the name; a numeric version becomes a string; extras are kept", () => {
    assert.deepEqual(playbook.metadata, {
      name: "shorthand_forms",
      path: "shorthand_forms",
      version: "3",
      labels: { team: "data" },
    });
  });

  test("keychain, workbook and workload are kept; absent ones default to empty", () => {
    assert.deepEqual(playbook.keychain, [{ name: "pg_main", kind: "postgres" }]);
    assert.equal(playbook.workbook[0]?.name, "score");
    const minimal = parsePlaybook(
      "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: m, path: a/m}\nworkflow:\n  - step: start\n    tool: {kind: noop}\n",
    );
    assert.deepEqual(minimal.workload, {});
    assert.deepEqual(minimal.keychain, []);
    assert.deepEqual(minimal.workbook, []);
    assert.equal(minimal.metadata.path, "a/m");
  });

  test("next: a name, a list of names, or {step, args} all become Transition[]", () => {
    assert.deepEqual(step("start").next, [{ step: "per_city" }, { step: "scored" }]);
    assert.deepEqual(step("summarize").next, [{ step: "end" }]);
    const loops = parsePlaybook(fixture("valid/loops_and_sinks.yaml"));
    assert.deepEqual(loops.workflow[0]?.next, [{ step: "fetch_pages", args: { limit: 10 } }]);
  });

  test("when: true becomes 'true'; then as a map or a list becomes a list", () => {
    const rule = step("start").case?.[0];
    assert.equal(rule?.when, "true");
    assert.equal(rule?.then.length, 2);
    assert.equal(step("per_city").case?.[0]?.then.length, 1);
  });

  test("set: {ctx: ...} and {vars: ...} are flattened, other keys kept", () => {
    const then = step("start").case?.[0]?.then;
    assert.deepEqual(then?.[0]?.set, { started: true });
    assert.deepEqual(then?.[1]?.set, { also: 1, plain: 2 });
  });

  test("result: {from} reads an expression; any other value is a value", () => {
    assert.deepEqual(step("per_city").case?.[1]?.then[0]?.result, { value: "{{ result | length }}" });
    const loops = parsePlaybook(fixture("valid/loops_and_sinks.yaml"));
    assert.deepEqual(loops.workflow[2]?.case?.[0]?.then[0]?.result, { from: "response.rows" });
  });

  test("fail: 'msg' → {message}; skip: true → {}; skip: 'r' → {reason}", () => {
    const rules = step("scored").case ?? [];
    assert.deepEqual(rules[0]?.then[0]?.skip, { reason: "score is optional" });
    assert.deepEqual(rules[1]?.then[0]?.fail, { message: "score too high" });
    assert.deepEqual(step("per_city").case?.[0]?.then[0]?.skip, {});
  });

  test("collect.mode defaults to append; loop.mode to sequential", () => {
    const loops = parsePlaybook(fixture("valid/loops_and_sinks.yaml"));
    assert.deepEqual(loops.workflow[1]?.case?.[1]?.then[0]?.collect, {
      from: "response.data.items",
      into: "items",
      mode: "append",
    });
    assert.deepEqual(step("per_city").loop, {
      in: "{{ workload.cities }}",
      iterator: "city",
      mode: "sequential",
    });
    assert.deepEqual(loops.workflow[1]?.loop, {
      in: "{{ workload.pages }}",
      iterator: "page",
      mode: "parallel",
      max_in_flight: 2,
    });
  });

  test("the workbook tool's aliases task/with become name/args; other tools stay as written", () => {
    assert.deepEqual(step("scored").tool, { kind: "workbook", name: "score", args: { x: 21 } });
    assert.deepEqual(step("per_city").tool, {
      kind: "http",
      url: "http://127.0.0.1:5555/weather/{{ city }}",
    });
  });

  test("step keys are kept: desc, args, vars, max_calls", () => {
    assert.equal(step("start").desc, "Route to the fan-out");
    assert.deepEqual(step("summarize").args, { total: "{{ per_city | length }}" });
    assert.deepEqual(step("summarize").vars, { summary: "{{ result }}" });
    assert.equal(step("scored").max_calls, 5);
  });

  test("a YAML null for an optional key means absent", () => {
    const text =
      "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: n}\nworkload:\nworkflow:\n  - step: start\n    args:\n    next:\n    tool: {kind: noop}\n";
    const parsed = parsePlaybook(text);
    assert.deepEqual(parsed.workload, {});
    assert.deepEqual(parsed.workflow[0], { step: "start", tool: { kind: "noop" } });
  });
});

describe("toYaml", () => {
  for (const name of fixtureNames("valid")) {
    test(`parsePlaybook(toYaml(p)) deep-equals p for ${name}`, () => {
      const parsed = parsePlaybook(fixture(name));
      assert.deepEqual(parsePlaybook(toYaml(parsed)), parsed);
    });
  }

  test("set keys named ctx survive the round trip", () => {
    const text =
      "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: n}\nworkflow:\n  - step: start\n    tool: {kind: noop}\n    case:\n      - when: true\n        then: {set: {ctx: {ctx: {a: 1}}}, result: {value: {from: x}}}\n";
    const parsed = parsePlaybook(text);
    assert.deepEqual(parsed.workflow[0]?.case?.[0]?.then[0]?.set, { ctx: { a: 1 } });
    assert.deepEqual(parsePlaybook(toYaml(parsed)), parsed);
  });
});
