/** An event that arrives after an execution ended (here a cancel) changes nothing and is answered with the final status. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { EmbeddedRuntime } from "../../src/runtime/embedded.ts";
import { getExecution, listEvents } from "../../src/store/index.ts";

let runtime: EmbeddedRuntime;
before(async () => {
  runtime = await EmbeddedRuntime.start({ ...loadConfig({}, {}), memory: true });
});
after(() => runtime?.close());

test("cancelling a completed execution keeps it completed, with one workflow.end, counted once", async () => {
  const yaml =
    "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: done}\nworkflow:\n  - step: start\n    tool: {kind: noop}\n";
  const outcome = await runtime.run(yaml);
  assert.equal(outcome.status, "completed");
  const endedBefore = runtime.orchestrator.metrics.executionsEnded.render();
  const ack = await runtime.orchestrator.cancel(outcome.execution_id, "too late");
  assert.equal(ack.execution_status, "completed");
  assert.equal((await getExecution(runtime.db, outcome.execution_id))?.status, "completed");
  const ends = (await listEvents(runtime.db, outcome.execution_id)).filter((e) => e.name === "workflow.end");
  assert.equal(ends.length, 1);
  assert.equal(runtime.orchestrator.metrics.executionsEnded.render(), endedBefore);
});
