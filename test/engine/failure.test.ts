import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { failure, Harness, ok } from "./driver.ts";
import { playbook } from "./helpers.ts";

const twoSteps = playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    next: [a, b]
  - step: a
    tool: {kind: http, endpoint: "http://a"}
  - step: b
    tool: {kind: http, endpoint: "http://b"}
`);

describe("failure handling", () => {
  test("an unhandled failed call fails the execution at once and cancels the other commands", () => {
    const h = new Harness(twoSteps);
    h.start();
    h.complete(h.take(), ok({}));
    const a = h.take((c) => c.step === "a");
    const b = h.queue[0]!;
    h.complete(a, failure("connection refused"));
    assert.equal(h.status, "failed");
    assert.deepEqual(h.cancelled, [b.command_id]);
    assert.deepEqual(h.state!.error, {
      code: "E_STEP_FAILED",
      message: "Step 'a' failed: connection refused",
      step: "a",
      step_run_id: a.step_run_id,
      call_error: { kind: "test", message: "connection refused", retryable: false },
    });
    const stepDone = h.eventsNamed("step.done");
    assert.deepEqual(
      stepDone.map((e) => [e.step, e.payload.status]),
      [
        ["start", "completed"],
        ["a", "failed"],
        ["b", "cancelled"],
      ],
    );
    assert.equal(h.eventsNamed("workflow.end").length, 1);
    assert.deepEqual(h.state!.runs, {});
    assert.deepEqual(h.state!.commands, {});
  });

  test("a failed step run's step.exit rules are not evaluated", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ event.name == 'step.exit' }}"
        then: {set: {exited: true}}
`),
    );
    h.start();
    h.runAll(() => failure("nope"));
    assert.equal(h.status, "failed");
    assert.equal(h.state!.ctx.exited, undefined);
  });

  test("a rule that fires on the failed call handles it: next routes elsewhere", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: http, endpoint: "http://x"}
    case:
      - when: "{{ error is defined }}"
        then: {next: [{step: fallback, args: {why: "{{ error.message }}"}}]}
    next: happy
  - step: happy
    tool: {kind: noop}
  - step: fallback
    tool: {kind: noop}
`),
    );
    h.start();
    h.runAll((c) => (c.kind === "http" ? failure("timeout") : ok(c.args)));
    assert.equal(h.status, "completed");
    assert.deepEqual(
      h.issued.map((c) => c.step),
      ["start", "fallback"],
    );
    assert.deepEqual(h.state!.result, { why: "timeout" });
  });

  test("fail fails the execution with the rendered message", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ response.rows | length == 0 }}"
        then: {fail: {message: "no rows for {{ workload.day }}"}}
    next: more
  - step: more
    tool: {kind: noop}
workload: {day: monday}
`),
    );
    h.start();
    h.runAll(() => ok({ rows: [] }));
    assert.equal(h.status, "failed");
    assert.equal(h.state!.error!.code, "E_FAIL_ACTION");
    assert.equal(h.state!.error!.message, "no rows for monday");
    assert.equal(h.state!.error!.step, "start");
    assert.equal(h.issued.length, 1);
  });

  test("a when that cannot be evaluated does not fire and leaves a warning", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ response.n + 'x' }}"
        then: {set: {first: true}}
      - when: "{{ event.name == 'call.done' }}"
        then: {set: {second: true}}
`),
    );
    h.start();
    h.runAll(() => ok({ n: 1 }));
    assert.equal(h.status, "completed");
    assert.deepEqual(h.state!.ctx, { second: true });
    const [warning] = h.eventsNamed("warning");
    assert.equal(warning!.step, "start");
    assert.equal(warning!.payload.rule, 0);
    assert.match(String(warning!.payload.message), /case\[0\]\.when/);
  });

  test("a template that fails while building a command fails the step with a clear error", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop, args: {n: "{{ workload.n + 'x' }}"}}
workload: {n: 1}
`),
    );
    const result = h.start();
    assert.equal(result.state.status, "failed");
    assert.equal(result.state.error!.code, "E_RENDER");
    assert.match(result.state.error!.message, /^Step 'start': cannot render tool config: /);
  });

  test("workflow.cancel cancels every queued command and ends the execution", () => {
    const h = new Harness(twoSteps);
    h.start();
    h.complete(h.take(), ok({}));
    const queued = h.queue.map((c) => c.command_id);
    const result = h.send({ name: "workflow.cancel", payload: { reason: "user" } });
    assert.equal(result.state.status, "cancelled");
    assert.deepEqual(result.cancel_commands, queued);
    assert.equal(result.events.at(-1)!.name, "workflow.end");
    assert.equal(result.events.at(-1)!.payload.status, "cancelled");
    assert.equal(result.state.error!.message, "Execution cancelled: user");
  });

  test("a cancel without a reason says so, without repeating the word", () => {
    const h = new Harness(twoSteps);
    h.start();
    const result = h.send({ name: "workflow.cancel", payload: {} });
    assert.equal(result.state.error!.message, "Execution cancelled");
  });
});

describe("robustness", () => {
  test("the reaper's failed call.done + step.exit (no step.enter) is handled", () => {
    const h = new Harness(
      playbook(`
workflow:
  - step: start
    tool: {kind: noop}
    case:
      - when: "{{ event.name == 'step.enter' }}"
        then: {set: {entered: true}}
      - when: "{{ error is defined and error.kind == 'lease' }}"
        then: {retry: {max_attempts: 2, initial_delay: 1}}
`),
    );
    h.start();
    const lost = h.take();
    const ids = { step: lost.step, step_run_id: lost.step_run_id, command_id: lost.command_id };
    const error = { kind: "lease", message: "worker lost", retryable: true };
    h.send({ ...ids, name: "call.done", attempt: 1, payload: { error } });
    h.send({ ...ids, name: "step.exit", payload: { status: "failed" } });
    assert.equal(h.state!.ctx.entered, true);
    assert.equal(h.queue.length, 1);
    const again = h.take();
    assert.equal(again.attempt, 2);
    h.send({ ...ids, command_id: again.command_id, name: "call.done", attempt: 2, payload: { error } });
    h.send({ ...ids, command_id: again.command_id, name: "step.exit", payload: { status: "failed" } });
    assert.equal(h.status, "failed");
    assert.equal(h.state!.error!.message, "Step 'start' failed: worker lost");
  });

  test("duplicates and unknown commands change nothing and leave a warning", () => {
    const h = new Harness(twoSteps);
    h.start();
    const start = h.take();
    h.complete(start, ok({}));
    const before = h.state!;
    const ids = { step: start.step, step_run_id: start.step_run_id, command_id: start.command_id };
    for (const name of ["step.enter", "call.done", "step.exit"] as const) {
      const result = h.send({ ...ids, name, payload: { response: {} } });
      assert.deepEqual(result.state, before);
      assert.deepEqual(result.commands, []);
      assert.equal(result.events[0]!.name, "warning");
    }
    const bogus = h.send({ name: "call.done", command_id: "nope", payload: { response: 1 } });
    assert.deepEqual(bogus.state, before);
    assert.equal(bogus.events[0]!.name, "warning");
  });

  test("invalid events never throw: they produce a warning and no change", () => {
    const h = new Harness(twoSteps);
    h.start();
    const before = h.state!;
    const bad = [
      { name: "nonsense", payload: {} },
      { name: "call.done", payload: {} },
      { name: "call.done", command_id: h.queue[0]!.command_id, payload: { neither: 1 } },
      { name: "step.enter", command_id: "x", payload: null },
      { name: "workflow.start", payload: {} },
    ];
    for (const event of bad) {
      const result = h.send(event as never);
      assert.equal(result.state, before);
      assert.equal(result.events[0]!.name, "warning");
    }
    const noTime = h.engine.handle(before, {
      name: "step.enter",
      execution_id: "exec-1",
      timestamp: "not a time",
      command_id: h.queue[0]!.command_id,
      payload: {},
    });
    assert.equal(noTime.state, before);
  });

  test("events after the execution ended change nothing", () => {
    const h = new Harness(twoSteps);
    h.start();
    h.complete(h.take(), ok({}));
    const a = h.take();
    const b = h.take();
    h.complete(a, failure("x"));
    const ended = h.state!;
    h.complete(b, ok({}));
    assert.equal(h.state, ended);
  });

  test("step.exit arriving before its call.done still completes the step", () => {
    const h = new Harness(twoSteps);
    h.start();
    const start = h.take();
    const ids = { step: start.step, step_run_id: start.step_run_id, command_id: start.command_id };
    h.send({ ...ids, name: "step.enter", payload: {} });
    h.send({ ...ids, name: "step.exit", payload: { status: "completed" } });
    assert.equal(h.queue.length, 0);
    h.send({ ...ids, name: "call.done", payload: { response: {} } });
    assert.deepEqual(
      h.queue.map((c) => c.step),
      ["a", "b"],
    );
  });
});

describe("cancelling before the start", () => {
  test("workflow.cancel of an execution that never started ends it cancelled, with no commands", () => {
    const h = new Harness(playbook("workflow:\n  - step: start\n    tool: {kind: noop}\n"));
    const result = h.engine.handle(undefined, {
      name: "workflow.cancel",
      execution_id: "ex",
      timestamp: "2026-01-01T00:00:00.000Z",
      payload: { reason: "not needed" },
    });
    assert.equal(result.state.status, "cancelled");
    assert.deepEqual(result.commands, []);
    assert.ok(result.events.some((e) => e.name === "workflow.end" && e.payload.status === "cancelled"));
  });
});

describe("an internal engine error", () => {
  test("fails the running execution with E_INTERNAL instead of leaving it waiting forever", () => {
    const h = new Harness(playbook("workflow:\n  - step: start\n    tool: {kind: noop}\n"));
    const started = h.start();
    const [command] = started.commands;
    // A state no engine would write (a corrupt in-flight entry) makes handling throw inside the engine.
    const corrupt = {
      ...started.state,
      commands: { [command!.command_id]: null },
    } as unknown as typeof started.state;
    const result = h.engine.handle(corrupt, {
      name: "call.done",
      execution_id: started.state.execution_id,
      timestamp: "2026-01-01T00:00:01.000Z",
      step: "start",
      step_run_id: command!.step_run_id,
      command_id: command!.command_id,
      payload: { response: {} },
    });
    assert.equal(result.state.status, "failed");
    assert.equal(result.state.error?.code, "E_INTERNAL");
    assert.ok(result.events.some((e) => e.name === "workflow.end" && e.payload.status === "failed"));
  });
});
