import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Harness, ok } from "./driver.ts";
import { playbook } from "./helpers.ts";

describe("workflow.start", () => {
  test("issues the start step's command with its tool kind and rendered config", () => {
    const h = new Harness(
      playbook(`
workload: {base: "http://x", page: 1}
workflow:
  - step: start
    tool: {kind: http, method: GET, endpoint: "{{ workload.base }}/items", params: {page: "{{ workload.page }}"}}
`),
    );
    const result = h.start({ page: 7 });
    assert.equal(result.commands.length, 1);
    const [command] = result.commands;
    assert.equal(command!.kind, "http");
    assert.equal(command!.step, "start");
    assert.equal(command!.purpose, "call");
    assert.equal(command!.attempt, 1);
    assert.equal(command!.call_index, 0);
    assert.deepEqual(command!.tool, {
      kind: "http",
      method: "GET",
      endpoint: "http://x/items",
      params: { page: 7 },
    });
    assert.equal(result.state.status, "running");
  });

  test("the execution payload is deep-merged over the workload", () => {
    const h = new Harness(
      playbook(`
workload: {db: {host: a, port: 5432}, tags: [x]}
workflow:
  - step: start
    tool: {kind: noop, args: {w: "{{ workload }}"}}
`),
    );
    const [command] = h.start({ db: { host: "b" }, tags: ["y"] }).commands;
    assert.deepEqual(command!.args, { w: { db: { host: "b", port: 5432 }, tags: ["y"] } });
  });
});

describe("transitions", () => {
  test("a then with both result and next issues exactly the next step's command", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ event.name == 'call.done' }}"
        then:
          result: {ok: true}
          next: [{step: second}]
  - step: second
    tool: {kind: python, code: "def main(): return 1"}
`),
    );
    h.start();
    const first = h.take();
    h.complete(first, ok({}));
    assert.equal(h.issued.length, 2);
    assert.equal(h.queue.length, 1);
    assert.equal(h.queue[0]!.step, "second");
    assert.equal(h.queue[0]!.kind, "python");
    assert.deepEqual(h.state!.results.start, { ok: true });
  });

  test("a conditional transition carries args rendered when the rule fired", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ event.name == 'call.done' and response.n > 10 }}"
        then: {next: [{step: big, args: {value: "{{ response.n * 2 }}", label: "n={{ response.n }}"}}]}
      - when: "{{ event.name == 'call.done' }}"
        then: {next: [small]}
  - step: big
    args: {value: 0, source: static}
    tool: {kind: noop, args: {from_tool: true}}
  - step: small
    tool: {kind: noop}
`),
    );
    h.start();
    h.complete(h.take(), ok({ n: 21 }));
    assert.equal(h.queue.length, 1);
    const big = h.queue[0]!;
    assert.equal(big.step, "big");
    assert.deepEqual(big.args, { from_tool: true, value: 42, source: "static", label: "n=21" });
  });

  test("structural next with several targets starts parallel branches; the execution completes after both", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    next: [left, right]
  - step: left
    tool: {kind: noop, args: {side: L}}
    next: end
  - step: right
    tool: {kind: noop, args: {side: R}}
    next: end
  - step: end
    tool: {kind: noop, args: {done: true}}
`),
    );
    h.start();
    h.complete(h.take(), ok({}));
    assert.deepEqual(
      h.queue.map((c) => c.step),
      ["left", "right"],
    );
    const state = h.runAll();
    assert.equal(state.status, "completed");
    // no implicit join: `end` runs once per transition
    assert.equal(h.issued.filter((c) => c.step === "end").length, 2);
    assert.deepEqual(state.result, { done: true });
    const end = h.eventsNamed("workflow.end");
    assert.equal(end.length, 1);
    assert.deepEqual(end[0]!.payload, { status: "completed", result: { done: true }, error: null });
  });

  test("a rule-fired transition replaces the structural next", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ event.name == 'step.exit' }}"
        then: {next: [b]}
    next: a
  - step: a
    tool: {kind: noop}
  - step: b
    tool: {kind: noop}
`),
    );
    h.start();
    h.runAll();
    assert.deepEqual(
      h.issued.map((c) => c.step),
      ["start", "b"],
    );
    assert.equal(h.status, "completed");
  });

  test("structural next args see the finished step's result", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop, args: {n: 3}}
    next: [{step: show, args: {n: "{{ result.n }}", again: "{{ start.n }}"}}]
  - step: show
    tool: {kind: noop}
`),
    );
    h.start();
    h.runAll();
    assert.deepEqual(h.issued[1]!.args, { n: 3, again: 3 });
  });
});

describe("results, vars and termination", () => {
  test("step vars render with the result into ctx; the last completed step's result is the execution's", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop, args: {rows: [1, 2, 3]}}
    vars: {count: "{{ result.rows | length }}"}
    next: report
  - step: report
    tool: {kind: noop, args: {count: "{{ ctx.count }}", alias: "{{ vars.count }}"}}
`),
    );
    h.start();
    const state = h.runAll();
    assert.equal(state.ctx.count, 3);
    assert.deepEqual(h.issued[1]!.args, { count: 3, alias: 3 });
    assert.equal(state.status, "completed");
    assert.deepEqual(state.result, { count: 3, alias: 3 });
  });

  test("step.start and step.done frame each step run; step.done has the result and the duration", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop, args: {a: 1}}
`),
    );
    h.start();
    h.runAll();
    const done = h.eventsNamed("step.done");
    assert.equal(done.length, 1);
    assert.equal(done[0]!.step, "start");
    assert.match(done[0]!.step_run_id!, /^start:/);
    // workflow.start at t+1 ms, the worker's step.exit at t+4 ms
    assert.deepEqual(done[0]!.payload, { status: "completed", result: { a: 1 }, duration_ms: 3 });
    const started = h.eventsNamed("step.start");
    assert.deepEqual(
      started.map((e) => [e.step, e.step_run_id, e.payload]),
      [["start", done[0]!.step_run_id, { args: {} }]],
    );
  });
});
