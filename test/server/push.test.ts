/**
 * The push model: a report request may offer the worker's free slots; the transaction that applies the
 * report leases the commands it made runnable to that worker and the answer carries them, without a
 * NOTIFY when nothing is left for other workers.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { silentLogger } from "../../src/logger.ts";
import { Orchestrator, type PushOffer } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import {
  type ClaimedCommand,
  claimCommands,
  type Db,
  migrate,
  QUEUE_CHANNEL,
} from "../../src/store/index.ts";
import { commandEvents } from "../../src/worker/report.ts";
import { forEachDatabase } from "../helpers/db.ts";

const CHAIN = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: pushed_chain}
workflow:
  - step: start
    tool: {kind: noop}
    next: [{step: second}]
  - step: second
    tool: {kind: noop}
`;

const FAN_OUT = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: pushed_fan_out}
workflow:
  - step: start
    tool: {kind: noop}
    next: [{step: items}]
  - step: items
    loop: {in: [1, 2, 3], iterator: n, mode: parallel}
    tool: {kind: noop}
`;

const offerOf = (slots: number): PushOffer => ({ worker_id: "w", slots, lease_ms: 60_000, pushed: [] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await forEachDatabase("server: commands pushed in the answer to a report", (database) => {
  let db: Db;
  let orchestrator: Orchestrator;
  before(async () => {
    db = await database.open();
    await migrate(db);
    orchestrator = new Orchestrator(db, new PlaybookCatalog(db), silentLogger());
  });

  async function firstCommand(yaml: string): Promise<ClaimedCommand> {
    const { execution_id } = await orchestrator.execute({ playbook_yaml: yaml });
    const claimed = await claimCommands(db, { workerId: "w", limit: 100, leaseMs: 60_000 });
    return claimed.find((c) => c.execution_id === execution_id)!;
  }

  async function notificationsDuring(fn: () => Promise<void>): Promise<string[]> {
    const received: string[] = [];
    const unlisten = await db.listen(QUEUE_CHANNEL, (payload) => received.push(payload));
    try {
      await fn();
      await sleep(300); // a NOTIFY sent at commit arrives within milliseconds
      return received;
    } finally {
      await unlisten();
    }
  }

  test("the next step comes back leased to the offering worker, with no NOTIFY; its report is accepted", async () => {
    const first = await firstCommand(CHAIN);
    const offer = offerOf(1);
    const received = await notificationsDuring(async () => {
      await orchestrator.acceptEach(commandEvents(first, "w", { ok: true, response: 1 }), offer);
    });
    assert.deepEqual(received, []);
    assert.equal(offer.pushed.length, 1);
    const pushed = offer.pushed[0]!;
    assert.equal(pushed.step, "second");
    const [row] = await db.query<{
      status: string;
      lease_owner: string;
      lease_token: string;
      claims: number;
    }>("SELECT status, lease_owner, lease_token::text, claims FROM command WHERE command_id = $1", [
      pushed.command_id,
    ]);
    assert.deepEqual(row, { status: "leased", lease_owner: "w", lease_token: pushed.lease_token, claims: 1 });
    // Nothing is left for a claim, and the pushed lease is a real one: its report completes the run.
    assert.deepEqual(await claimCommands(db, { workerId: "other", limit: 10, leaseMs: 60_000 }), []);
    const [ack] = await orchestrator.accept(commandEvents(pushed, "w", { ok: true, response: 2 }));
    assert.deepEqual([ack!.status, ack!.execution_status], ["accepted", "completed"]);
  });

  test("commands beyond the offered slots stay queued for any worker, and workers are woken for them", async () => {
    const first = await firstCommand(FAN_OUT);
    const offer = offerOf(1);
    const received = await notificationsDuring(async () => {
      await orchestrator.acceptEach(commandEvents(first, "w", { ok: true, response: 1 }), offer);
    });
    assert.equal(offer.pushed.length, 1);
    assert.equal(received.length, 1);
    const others = await claimCommands(db, { workerId: "other", limit: 10, leaseMs: 60_000 });
    assert.equal(others.length, 2);
    assert.ok(others.every((c) => c.command_id !== offer.pushed[0]!.command_id));
  });
});
