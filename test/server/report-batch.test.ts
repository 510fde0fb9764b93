/**
 * How the server applies worker reports. Group commit across executions: the reports of several executions
 * that arrive together are applied in one transaction, and one execution's failure refuses only its own
 * reports. The push model: a report request may offer the worker's free slots; the transaction leases the
 * commands the report made runnable to that worker and the answer carries them, without a NOTIFY when
 * nothing is left for other workers.
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

const TWO_STEPS = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: two_steps}
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

const report = (c: ClaimedCommand) => commandEvents(c, "w", { ok: true, response: c.execution_id });

await forEachDatabase("server: reports of several executions", (database) => {
  let db: Db;
  let orchestrator: Orchestrator;
  before(async () => {
    db = await database.open();
    await migrate(db);
    orchestrator = new Orchestrator(db, new PlaybookCatalog(db), silentLogger());
  });

  /** Starts n executions and claims their first commands. */
  async function started(n: number, yaml = TWO_STEPS): Promise<ClaimedCommand[]> {
    const ids = new Set<string>();
    for (let i = 0; i < n; i++) ids.add((await orchestrator.execute({ playbook_yaml: yaml })).execution_id);
    const claimed = await claimCommands(db, { workerId: "w", limit: 100, leaseMs: 60_000 });
    return claimed.filter((c) => ids.has(c.execution_id));
  }

  const steps = (executionId: string) =>
    db.query<{ step: string; updated_at: string }>(
      `SELECT c.step, x.updated_at FROM execution x JOIN command c ON c.execution_id = x.id WHERE x.id = $1`,
      [executionId],
    );

  test("reports of three executions that arrive together share one transaction, and each moves on", async () => {
    const commands = await started(3);
    assert.equal(commands.length, 3);
    const acks = await Promise.all(commands.map((c) => orchestrator.accept(report(c))));
    assert.deepEqual(
      acks.map((a) => a.map((x) => x.status)),
      [["accepted"], ["accepted"], ["accepted"]],
    );
    const next = await Promise.all(commands.map((c) => steps(c.execution_id)));
    assert.deepEqual(
      next.map((rows) => rows.map((r) => r.step)),
      [["second"], ["second"], ["second"]],
    );
    // One transaction: one now() for all three rows.
    assert.equal(new Set(next.map((rows) => rows[0]!.updated_at)).size, 1);
  });

  /** How many events of `name` the server's metrics counted as applied. */
  const counted = (name: string) =>
    Number(new RegExp(`{name="${name}"} (\\d+)`).exec(orchestrator.metrics.events.render())?.[1] ?? 0);

  test("a database error in one execution refuses its reports only; the others are applied", async () => {
    const [bad, good1, good2] = await started(3);
    const callsBefore = counted("call.done");
    await db.exec(`CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
      CREATE TRIGGER refuse BEFORE UPDATE ON execution FOR EACH ROW
        WHEN (OLD.id = '${bad!.execution_id}') EXECUTE FUNCTION refuse_update();`);
    try {
      const outcomes = await Promise.allSettled(
        [bad, good1, good2].map((c) => orchestrator.accept(report(c!))),
      );
      assert.equal(outcomes[0]!.status, "rejected");
      assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /refused for the test/);
      assert.deepEqual(
        outcomes.slice(1).map((o) => o.status),
        ["fulfilled", "fulfilled"],
      );
      assert.deepEqual(
        (await steps(good1!.execution_id)).map((r) => r.step),
        ["second"],
      );
      assert.deepEqual(
        (await steps(good2!.execution_id)).map((r) => r.step),
        ["second"],
      );
      // Nothing of the refused report stayed: its command is still leased, and the worker may retry it.
      const [row] = await db.query<{ status: string }>("SELECT status FROM command WHERE command_id = $1", [
        bad!.command_id,
      ]);
      assert.equal(row?.status, "leased");
    } finally {
      await db.exec("DROP TRIGGER refuse ON execution; DROP FUNCTION refuse_update();");
    }
    const [again] = await orchestrator.accept(report(bad!));
    assert.equal(again!.status, "accepted");
    // Metrics count what committed: the failed first attempt of the batch is not counted too.
    assert.equal(counted("call.done") - callsBefore, 3);
  });

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
    const first = (await started(1))[0]!;
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
    // Nothing of this execution is left for a claim, and the pushed lease is a real one: its report
    // completes the run.
    const claimable = await claimCommands(db, { workerId: "other", limit: 100, leaseMs: 60_000 });
    assert.deepEqual(
      claimable.filter((c) => c.execution_id === pushed.execution_id),
      [],
    );
    const [ack] = await orchestrator.accept(commandEvents(pushed, "w", { ok: true, response: 2 }));
    assert.deepEqual([ack!.status, ack!.execution_status], ["accepted", "completed"]);
  });

  test("commands beyond the offered slots stay queued for any worker, and workers are woken for them", async () => {
    const first = (await started(1, FAN_OUT))[0]!;
    const offer = offerOf(1);
    const received = await notificationsDuring(async () => {
      await orchestrator.acceptEach(commandEvents(first, "w", { ok: true, response: 1 }), offer);
    });
    assert.equal(offer.pushed.length, 1);
    assert.equal(received.length, 1);
    const others = (await claimCommands(db, { workerId: "other", limit: 100, leaseMs: 60_000 })).filter(
      (c) => c.execution_id === first.execution_id,
    );
    assert.equal(others.length, 2);
    assert.ok(others.every((c) => c.command_id !== offer.pushed[0]!.command_id));
  });
});
