import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { failure, Harness, ok } from "./driver.ts";
import { playbook } from "./helpers.ts";

const sinking = playbook(`
workflow:
  - step: start
    tool: {kind: http, endpoint: "http://api/rows"}
    case:
      - when: "{{ event.name == 'call.done' }}"
        then:
          next: [report]
          sink:
            tool: {kind: postgres, auth: pg, command: "insert into t select * from json_populate_recordset(null::t, $1)", params: ["{{ result }}"]}
          result: {from: response.rows}
  - step: report
    tool: {kind: noop}
`);

describe("sink", () => {
  test("is issued with the current result; the next in the same then waits for its success", () => {
    const h = new Harness(sinking);
    h.start();
    h.complete(h.take(), ok({ rows: [{ id: 1 }] }));
    assert.equal(h.queue.length, 1);
    const sink = h.queue[0]!;
    assert.equal(sink.purpose, "sink");
    assert.equal(sink.kind, "postgres");
    assert.equal(sink.step, "start");
    assert.deepEqual(sink.tool.params, [[{ id: 1 }]]);
    h.complete(h.take(), ok({ row_count: 1 }));
    assert.deepEqual(
      h.queue.map((c) => c.step),
      ["report"],
    );
    // the sink's outcome is not the step's result
    assert.deepEqual(h.state!.results.start, [{ id: 1 }]);
  });

  test("a failed sink fails the step and the execution", () => {
    const h = new Harness(sinking);
    h.start();
    h.complete(h.take(), ok({ rows: [] }));
    h.complete(h.take(), failure("permission denied"));
    assert.equal(h.status, "failed");
    assert.equal(h.state!.error!.code, "E_SINK_FAILED");
    assert.match(h.state!.error!.message, /Step 'start': sink failed: permission denied/);
    assert.equal(
      h.issued.some((c) => c.step === "report"),
      false,
    );
  });
});
