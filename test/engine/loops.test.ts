import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { failure, Harness, ok } from "./driver.ts";
import { playbook } from "./helpers.ts";

function loopPlaybook(loop: string, extra = "") {
  return playbook(`
workload: {cities: [Paris, Oslo, Rome, Lima, Kyiv]}
workflow:
  - step: start
    loop: ${loop}
    tool: {kind: noop, args: {city: "{{ city }}", i: "{{ loop.index0 }}", last: "{{ loop.last }}"}}
${extra}
    next: end
  - step: end
    tool: {kind: noop, args: {got: "{{ start }}"}}
`);
}

describe("loops", () => {
  test("an empty list issues no command, emits loop.done with [] and the step completes at once", () => {
    const h = new Harness(
      loopPlaybook(
        `{in: "{{ workload.cities }}", iterator: city}`,
        `
    case:
      - when: "{{ event.name == 'loop.done' }}"
        then: {set: {stats: "{{ event.payload.stats }}"}}`,
      ),
    );
    const result = h.start({ cities: [] });
    assert.deepEqual(
      result.commands.map((c) => c.step),
      ["end"],
    );
    const loopDone = result.events.find((e) => e.name === "loop.done")!;
    assert.deepEqual(loopDone.payload, {
      results: [],
      stats: { total: 0, succeeded: 0, failed: 0, skipped: 0 },
    });
    assert.deepEqual(result.state.ctx.stats, { total: 0, succeeded: 0, failed: 0, skipped: 0 });
    assert.deepEqual(result.commands[0]!.args, { got: [] });
  });

  test("sequential: one item at a time, in order; the result is the item results in order", () => {
    const h = new Harness(loopPlaybook(`{in: "{{ workload.cities }}", iterator: city}`));
    h.start();
    const order: string[] = [];
    h.runAll((command) => {
      if (command.step === "start") {
        assert.equal(h.queue.length, 0, "a sequential loop never has two items queued");
        order.push(String(command.args.city));
      }
      return ok(command.args);
    });
    assert.deepEqual(order, ["Paris", "Oslo", "Rome", "Lima", "Kyiv"]);
    const items = h.issued.filter((c) => c.step === "start");
    assert.deepEqual(
      items.map((c) => c.loop_index),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(
      items.map((c) => c.args.last),
      [false, false, false, false, true],
    );
    assert.equal(h.status, "completed");
    const results = h.state!.results.start as { city: string }[];
    assert.deepEqual(
      results.map((r) => r.city),
      ["Paris", "Oslo", "Rome", "Lima", "Kyiv"],
    );
  });

  test("parallel: at most max_in_flight items at once, results still in item order", () => {
    const h = new Harness(
      loopPlaybook(`{in: "{{ workload.cities }}", iterator: city, mode: parallel, max_in_flight: 2}`),
    );
    h.start();
    assert.equal(h.queue.length, 2);
    let peak = 0;
    // finish the newest item first, to scramble completion order
    while (h.queue.length > 0 && h.status === "running") {
      peak = Math.max(peak, h.queue.filter((c) => c.step === "start").length);
      const newest = h.queue.filter((c) => c.step === "start").at(-1);
      const command = h.take(newest === undefined ? undefined : (c) => c === newest);
      h.complete(command, ok(command.args));
    }
    assert.equal(peak, 2);
    assert.equal(h.status, "completed");
    assert.deepEqual(
      (h.state!.results.start as { city: string }[]).map((r) => r.city),
      ["Paris", "Oslo", "Rome", "Lima", "Kyiv"],
    );
  });

  test("parallel without max_in_flight issues every item at once", () => {
    const h = new Harness(loopPlaybook(`{in: "{{ workload.cities }}", iterator: city, mode: parallel}`));
    assert.equal(h.start().commands.length, 5);
  });

  test("an item failing unhandled fails the step and the execution, and cancels the other items", () => {
    const h = new Harness(
      loopPlaybook(`{in: "{{ workload.cities }}", iterator: city, mode: parallel, max_in_flight: 3}`),
    );
    h.start();
    const rome = h.take((c) => c.args.city === "Oslo");
    const result = h.send({
      name: "call.done",
      step: "start",
      step_run_id: rome.step_run_id,
      command_id: rome.command_id,
      attempt: 1,
      payload: failure("no such city") as never,
    });
    assert.equal(result.state.status, "failed");
    assert.deepEqual(
      result.cancel_commands.sort(),
      h.issued
        .filter((c) => c !== rome)
        .map((c) => c.command_id)
        .sort(),
    );
    assert.equal(h.queue.length, 0);
    const end = result.events.find((e) => e.name === "workflow.end")!;
    assert.equal(end.payload.status, "failed");
    assert.match(
      String((end.payload.error as { message: string }).message),
      /Step 'start' failed: no such city/,
    );
    assert.deepEqual(result.commands, []);
  });

  test("skip drops an item's error; stats count it and its result is null", () => {
    const h = new Harness(
      loopPlaybook(
        `{in: "{{ workload.cities }}", iterator: city}`,
        `    case:
      - when: "{{ error is defined }}"
        then: {skip: {reason: "bad city"}}
      - when: "{{ event.name == 'loop.done' }}"
        then: {set: {stats: "{{ event.payload.stats }}"}}`,
      ),
    );
    h.start();
    h.runAll((c) => (c.args.city === "Rome" ? failure("gone") : ok(c.args.city ?? null)));
    assert.equal(h.status, "completed");
    assert.deepEqual(h.state!.results.start, ["Paris", "Oslo", null, "Lima", "Kyiv"]);
    assert.deepEqual(h.state!.ctx.stats, { total: 5, succeeded: 4, failed: 0, skipped: 1 });
  });

  test("a result action on an item's call.done sets that item's result; on loop.done the step's", () => {
    const h = new Harness(
      loopPlaybook(
        `{in: "{{ workload.cities }}", iterator: city}`,
        `    case:
      - when: "{{ event.name == 'call.done' }}"
        then: {result: "{{ city | upper }}"}
      - when: "{{ event.name == 'loop.done' }}"
        then: {result: {from: "result | join('-')"}}`,
      ),
    );
    h.start({ cities: ["a", "b"] });
    h.runAll();
    assert.equal(h.state!.results.start, "A-B");
  });

  test("loop.in that is not a list fails the step with a clear error", () => {
    const h = new Harness(loopPlaybook(`{in: "{{ workload.cities }}", iterator: city}`));
    const result = h.start({ cities: "Paris" });
    assert.equal(result.state.status, "failed");
    assert.equal(result.state.error!.code, "E_LOOP_NOT_LIST");
    assert.match(result.state.error!.message, /Step 'start': loop.in must render to a list, got string/);
  });

  test("a literal loop list works too", () => {
    const h = new Harness(loopPlaybook(`{in: [1, 2], iterator: city}`));
    h.start();
    h.runAll();
    assert.deepEqual(
      h.issued.filter((c) => c.step === "start").map((c) => c.args.city),
      [1, 2],
    );
  });
});
