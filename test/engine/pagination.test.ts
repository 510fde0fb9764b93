import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Harness, ok } from "./driver.ts";
import { playbook } from "./helpers.ts";
import { pagedApi } from "./paged-api.ts";
import { loadPlaybook } from "./replay-scenarios.ts";

const paginationPlaybook = loadPlaybook("http_pagination.yaml");

describe("pagination (DSL.md §9)", () => {
  test("re-invokes the step with the next page and ends with every item collected", () => {
    const h = new Harness(paginationPlaybook);
    h.start();
    const state = h.runAll(pagedApi());
    const fetches = h.issued.filter((c) => c.step === "fetch");
    assert.deepEqual(
      fetches.map((c) => [(c.tool.params as { page: number }).page, c.call_index, c.attempt]),
      [
        [1, 0, 1],
        [2, 1, 1],
        [2, 1, 2],
        [3, 2, 1],
      ],
    );
    assert.equal(fetches[0]!.tool.endpoint, "http://127.0.0.1:5555/items");
    // every fetch belongs to one step run
    assert.equal(new Set(fetches.map((c) => c.step_run_id)).size, 1);
    assert.deepEqual(state.ctx.items, ["item1", "item2", "item3", "item4", "item5", "item6"]);
    assert.deepEqual(state.results.fetch, ["item1", "item2", "item3", "item4", "item5", "item6"]);
    const end = h.issued.find((c) => c.step === "end")!;
    assert.deepEqual(end.args, { count: 6 });
    assert.equal(state.status, "completed");
    assert.deepEqual(state.result, { count: 6 });
  });

  test("set on step.enter, then collect with extend accumulates items in ctx", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ event.name == 'step.enter' }}"
        then: {set: {ctx: {items: [], seen: 0}}}
      - when: "{{ event.name == 'call.done' }}"
        then:
          - collect: {from: "response.batch", into: items, mode: extend}
          - collect: {from: "response.batch[0]", into: firsts}
          - set: {seen: "{{ ctx.items | length }}"}
`),
    );
    h.start();
    const command = h.take();
    h.complete(command, ok({ batch: ["a", "b"] }));
    // set runs before collect whatever the written order: `seen` was computed before the items arrived
    assert.deepEqual(h.state!.ctx, { items: ["a", "b"], seen: 0, firsts: ["a"] });
  });

  test("max_calls stops a step that re-invokes itself forever", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    max_calls: 3
    tool: {kind: noop, args: {page: 1}}
    case:
      - when: "{{ event.name == 'call.done' }}"
        then: {call: {args: {page: "{{ response.page + 1 }}"}}}
`),
    );
    h.start();
    h.runAll();
    assert.deepEqual(
      h.issued.map((c) => c.args.page),
      [1, 2, 3, 4],
    );
    assert.equal(h.status, "failed");
    assert.equal(h.state!.error!.code, "E_MAX_CALLS");
    assert.match(h.state!.error!.message, /Step 'start'.*max_calls \(3\)/);
  });

  test("call overrides' args are visible as args when the tool is rendered", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    args: {cursor: none}
    tool: {kind: http, endpoint: "http://api/list?cursor={{ args.cursor }}"}
    case:
      - when: "{{ response.next is defined }}"
        then: {call: {args: {cursor: "{{ response.next }}"}}}
`),
    );
    h.start();
    h.runAll((c) => (c.call_index === 0 ? ok({ next: "abc" }) : ok({ done: true })));
    assert.deepEqual(
      h.issued.map((c) => c.tool.endpoint),
      ["http://api/list?cursor=none", "http://api/list?cursor=abc"],
    );
    assert.equal(h.issued[1]!.args.cursor, "abc");
  });
});
