/**
 * Group commit must not let a stale report ride along: when the old holder's report and the new holder's
 * report of the same command are applied in one batch, only the current lease token counts.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import type { JsonValue } from "../../src/dsl/types.ts";
import { silentLogger } from "../../src/logger.ts";
import { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import {
  type ClaimedCommand,
  claimCommands,
  type Db,
  migrate,
  openDb,
  requeueExpiredLeases,
} from "../../src/store/index.ts";
import { commandEvents } from "../../src/worker/report.ts";

const TWO_ITEM_LOOP = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: two_items}
workflow:
  - step: start
    loop: {in: [1, 2], iterator: n, mode: parallel}
    tool: {kind: noop}
`;

let db: Db;
let orchestrator: Orchestrator;
let executionId: string;
/** The loop's two commands, claimed by worker A. */
let first: ClaimedCommand;
let second: ClaimedCommand;

beforeEach(async () => {
  db = await openDb({ memory: true });
  await migrate(db);
  orchestrator = new Orchestrator(db, new PlaybookCatalog(db), silentLogger());
  executionId = (await orchestrator.execute({ playbook_yaml: TWO_ITEM_LOOP })).execution_id;
  [first, second] = (await claimCommands(db, { workerId: "A", limit: 10, leaseMs: 60_000 })) as [
    ClaimedCommand,
    ClaimedCommand,
  ];
});
afterEach(() => db.close());

/** The three events a worker posts for a command that succeeded with `response`. */
const report = (c: ClaimedCommand, worker: string, response: JsonValue) =>
  commandEvents(c, worker, { ok: true, response });

test("a stale report in the same batch as the current holder's is refused; the holder's result counts", async () => {
  await db.query("UPDATE command SET lease_expires_at = now() - interval '1 second' WHERE command_id = $1", [
    second.command_id,
  ]);
  await requeueExpiredLeases(db);
  const [again] = await claimCommands(db, { workerId: "B", limit: 10, leaseMs: 60_000 });
  assert.equal(again!.command_id, second.command_id);
  // Submitted together: the first goes alone, the other two wait and share the next transaction.
  const outcomes = await Promise.allSettled([
    orchestrator.accept(report(first, "A", "one")),
    orchestrator.accept(report(second, "A", "stale")),
    orchestrator.accept(report(again!, "B", "fresh")),
  ]);
  assert.equal(outcomes[0]!.status, "fulfilled");
  assert.equal(outcomes[1]!.status, "rejected");
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /not leased with this token/);
  assert.equal(outcomes[2]!.status, "fulfilled");
  const [row] = await db.query<{ status: string; result: JsonValue }>(
    "SELECT status, result FROM execution WHERE id = $1",
    [executionId],
  );
  assert.deepEqual(row, { status: "completed", result: ["one", "fresh"] });
});

test("a batch of several reports is answered group by group: a lost lease refuses only its own group", async () => {
  const stale = { ...second, lease_token: "00000000-0000-0000-0000-000000000000" };
  const outcomes = await orchestrator.acceptEach([
    ...report(first, "A", "one"),
    ...report(stale, "A", "stale"),
  ]);
  assert.equal(outcomes.length, 2);
  assert.ok("ack" in outcomes[0]! && outcomes[0].ack.status === "accepted");
  assert.ok("error" in outcomes[1]! && /not leased with this token/.test(outcomes[1].error.message));
});
