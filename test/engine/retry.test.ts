import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RETRY_DEFAULTS, retryDelaySeconds } from "../../src/engine/index.ts";
import { failure, Harness, ok } from "./driver.ts";
import { playbook } from "./helpers.ts";

const retrying = playbook(`
workflow:
  - step: start
    tool: {kind: http, endpoint: "http://api/items", params: {page: 1}}
    case:
      - when: "{{ event.name == 'call.done' and error is defined and error.status in [500, 502, 503] }}"
        then: {retry: {max_attempts: 3, initial_delay: 0.5, backoff_multiplier: 2}}
`);

describe("retry", () => {
  test("a 503 re-issues the same call with attempt 2 after the initial delay", () => {
    const h = new Harness(retrying);
    h.start();
    const first = h.take();
    h.send({
      name: "step.enter",
      step: "start",
      step_run_id: first.step_run_id,
      command_id: first.command_id,
      payload: {},
    });
    const result = h.send({
      name: "call.done",
      step: "start",
      step_run_id: first.step_run_id,
      command_id: first.command_id,
      attempt: 1,
      payload: failure("Service Unavailable", { status: 503 }) as never,
    });
    assert.equal(result.commands.length, 1);
    const again = result.commands[0]!;
    assert.equal(again.step, "start");
    assert.equal(again.step_run_id, first.step_run_id);
    assert.equal(again.attempt, 2);
    assert.equal(again.call_index, first.call_index);
    assert.deepEqual(again.tool, first.tool);
    assert.notEqual(again.command_id, first.command_id);
    // call.done's timestamp + 0.5 s
    const doneAt = Date.parse(h.inputs.at(-1)!.timestamp);
    assert.equal(Date.parse(again.run_at!) - doneAt, 500);
  });

  test("the backoff doubles, and once attempts are used up the error stands and the execution fails", () => {
    const h = new Harness(retrying);
    h.start();
    h.runAll(() => failure("boom", { status: 503 }));
    const attempts = h.issued.map((c) => c.attempt);
    assert.deepEqual(attempts, [1, 2, 3]);
    const waits = h.issued.slice(1).map((c, i) => {
      const doneAt = Date.parse(h.inputs.filter((e) => e.name === "call.done")[i]!.timestamp);
      return Date.parse(c.run_at!) - doneAt;
    });
    assert.deepEqual(waits, [500, 1000]);
    assert.equal(h.status, "failed");
    assert.equal(h.state!.error!.code, "E_STEP_FAILED");
    assert.equal(h.state!.error!.step, "start");
    assert.match(h.state!.error!.message, /Step 'start' failed: boom/);
  });

  test("a retry that succeeds continues normally", () => {
    const h = new Harness(retrying);
    h.start();
    h.runAll((command) => (command.attempt < 2 ? failure("flaky", { status: 502 }) : ok({ fine: true })));
    assert.equal(h.status, "completed");
    assert.deepEqual(h.state!.result, { fine: true });
  });

  test("backoff formula: min(max_delay, initial_delay * multiplier^(attempt-1)) with defaults 1 s, x2, 60 s", () => {
    const policy = { ...RETRY_DEFAULTS };
    assert.deepEqual(
      [1, 2, 3, 4, 7, 8].map((attempt) => retryDelaySeconds(policy, attempt)),
      [1, 2, 4, 8, 60, 60],
    );
    assert.equal(retryDelaySeconds({ ...policy, initial_delay: 0.2, max_delay: 0.5 }, 3), 0.5);
  });
});
