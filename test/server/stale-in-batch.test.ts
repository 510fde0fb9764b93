/**
 * Group commit must not let a stale report ride along: when the old holder's report and the new holder's
 * report of the same command are applied in one batch, only the current lease token counts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JsonObject, JsonValue } from "../../src/dsl/types.ts";
import { silentLogger } from "../../src/logger.ts";
import { type IncomingEvent, Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import {
  type ClaimedCommand,
  claimCommands,
  migrate,
  openDb,
  requeueExpiredLeases,
} from "../../src/store/index.ts";

const report = (
  executionId: string,
  c: ClaimedCommand,
  worker: string,
  response: JsonValue,
): IncomingEvent[] =>
  (["step.enter", "call.done", "step.exit"] as const).map((name) => ({
    execution_id: executionId,
    name,
    step: c.step,
    step_run_id: c.step_run_id,
    command_id: c.command_id,
    attempt: c.attempt,
    worker_id: worker,
    lease_token: c.lease_token,
    payload: (name === "call.done"
      ? { response }
      : name === "step.exit"
        ? { status: "completed" }
        : {}) as JsonObject,
  }));

test("a stale report in the same batch as the current holder's is refused; the holder's result counts", async () => {
  const db = await openDb({ memory: true });
  try {
    await migrate(db);
    const orchestrator = new Orchestrator(db, new PlaybookCatalog(db), silentLogger());
    const yaml = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: stale_batch}
workflow:
  - step: start
    loop: {in: [1, 2], iterator: n, mode: parallel}
    tool: {kind: noop}
`;
    const { execution_id } = await orchestrator.execute({ playbook_yaml: yaml });
    const [first, second] = await claimCommands(db, { workerId: "A", limit: 10, leaseMs: 60_000 });
    await db.query(
      "UPDATE command SET lease_expires_at = now() - interval '1 second' WHERE command_id = $1",
      [second!.command_id],
    );
    await requeueExpiredLeases(db);
    const [again] = await claimCommands(db, { workerId: "B", limit: 10, leaseMs: 60_000 });
    assert.equal(again!.command_id, second!.command_id);
    // Submitted together: the first goes alone, the other two wait and share the next transaction.
    const outcomes = await Promise.allSettled([
      orchestrator.accept(report(execution_id, first!, "A", "one")),
      orchestrator.accept(report(execution_id, second!, "A", "stale")),
      orchestrator.accept(report(execution_id, again!, "B", "fresh")),
    ]);
    assert.equal(outcomes[0]!.status, "fulfilled");
    assert.equal(outcomes[1]!.status, "rejected");
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /not leased with this token/);
    assert.equal(outcomes[2]!.status, "fulfilled");
    const [row] = await db.query<{ status: string; result: JsonValue }>(
      "SELECT status, result FROM execution WHERE id = $1",
      [execution_id],
    );
    assert.deepEqual(row, { status: "completed", result: ["one", "fresh"] });
  } finally {
    await db.close();
  }
});

test("a batch of several reports is answered group by group: a lost lease refuses only its own group", async () => {
  const db = await openDb({ memory: true });
  try {
    await migrate(db);
    const orchestrator = new Orchestrator(db, new PlaybookCatalog(db), silentLogger());
    const yaml = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: group_by_group}
workflow:
  - step: start
    loop: {in: [1, 2], iterator: n, mode: parallel}
    tool: {kind: noop}
`;
    const { execution_id } = await orchestrator.execute({ playbook_yaml: yaml });
    const [first, second] = await claimCommands(db, { workerId: "A", limit: 10, leaseMs: 60_000 });
    const stale = { ...second!, lease_token: "00000000-0000-0000-0000-000000000000" };
    const outcomes = await orchestrator.acceptEach([
      ...report(execution_id, first!, "A", "one"),
      ...report(execution_id, stale, "A", "stale"),
    ]);
    assert.equal(outcomes.length, 2);
    assert.ok("ack" in outcomes[0]! && outcomes[0].ack.status === "accepted");
    assert.ok("error" in outcomes[1]! && /not leased with this token/.test(outcomes[1].error.message));
  } finally {
    await db.close();
  }
});
