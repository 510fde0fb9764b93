import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Draft } from "../../src/engine/draft.ts";
import { createEngine, type ExecutionState } from "../../src/engine/index.ts";
import { Harness, ok } from "./driver.ts";
import { playbook } from "./helpers.ts";
import { pagedApi } from "./paged-api.ts";
import { loadPlaybook } from "./replay-scenarios.ts";

describe("purity", () => {
  test("handle() never modifies the state it is given", () => {
    const recorded = new Harness(loadPlaybook("city_report.yaml"));
    recorded.start();
    recorded.runAll((c) => ok(c.kind === "python" ? { city: c.args.city ?? null, temp: 1 } : c.args));
    const engine = createEngine(loadPlaybook("city_report.yaml"));
    let state: ExecutionState | undefined;
    for (const event of recorded.inputs) {
      const before = JSON.stringify(state);
      const result = engine.handle(state, event);
      assert.equal(JSON.stringify(state), before, `${event.name} modified its input state`);
      state = result.state;
    }
    assert.equal(state!.status, "completed");
  });

  test("the same events give the same commands, events and state", () => {
    const run = () => {
      const h = new Harness(loadPlaybook("http_pagination.yaml"));
      h.start();
      h.runAll(pagedApi());
      return { issued: h.issued, events: h.events, state: h.state };
    };
    assert.deepEqual(run(), run());
  });

  test("an event that changes nothing returns the very same state object", () => {
    const h = new Harness(loadPlaybook("http_pagination.yaml"));
    h.start();
    const before = h.state;
    h.send({ name: "call.done", command_id: "unknown", payload: { response: 1 } });
    assert.equal(h.state, before);
  });

  test("a copied map keeps an own __proto__ key as a key, never as the copy's prototype", () => {
    const ctx = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const h = new Harness(loadPlaybook("city_report.yaml"));
    h.start();
    const base = { ...h.state!, ctx };
    const d = new Draft({ playbook: loadPlaybook("city_report.yaml"), steps: new Map() }, base, "now");
    d.setCtx("b", 2);
    assert.deepEqual(Object.keys(d.state.ctx), ["__proto__", "a", "b"]);
    assert.equal(Object.getPrototypeOf(d.state.ctx), Object.prototype);
    assert.equal((d.state.ctx as { polluted?: boolean }).polluted, undefined);
    assert.equal(JSON.stringify(d.state.ctx), '{"__proto__":{"polluted":true},"a":1,"b":2}');
  });

  test("state does not grow with the number of events", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    max_calls: 100000
    tool: {kind: noop, args: {i: 0}}
    case:
      - when: "{{ event.name == 'call.done' and response.i < workload.limit }}"
        then: {call: {args: {i: "{{ response.i + 1 }}"}}}
workload: {}
`),
    );
    const sizes: number[] = [];
    h.start({ limit: 300 });
    h.runAll((c) => {
      sizes.push(JSON.stringify(h.state).length);
      return ok(c.args);
    });
    assert.equal(h.status, "completed");
    // after the first calls (which add the last response and the overrides), only counters gain digits
    assert.ok(sizes.at(-1)! - sizes[5]! < 20, `state grew from ${sizes[5]} to ${sizes.at(-1)} bytes`);
  });
});

describe("call: {step}", () => {
  test("invokes another step like next, with rendered args", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ event.name == 'call.done' }}"
        then: {call: {step: other, args: {x: "{{ response.x }}"}}}
    next: never
  - step: other
    tool: {kind: noop}
  - step: never
    tool: {kind: noop}
`),
    );
    h.start();
    h.runAll((c) => ok(c.step === "start" ? { x: 5 } : c.args));
    assert.deepEqual(
      h.issued.map((c) => [c.step, c.args]),
      [
        ["start", {}],
        ["other", { x: 5 }],
      ],
    );
  });
});
