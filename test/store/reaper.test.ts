import assert from "node:assert/strict";
import { before, beforeEach, test } from "node:test";
import {
  claimCommands,
  type Db,
  getCommand,
  insertCommands,
  migrate,
  requeueExpiredLeases,
  takeExhaustedCommands,
} from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { completes, makeCommand } from "./fixtures.ts";

const MINUTE_MS = 60_000;

await forEachDatabase("store: leases expire, the reaper requeues or gives up", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
  });
  beforeEach(async () => {
    await db.query("DELETE FROM command");
  });

  /** The worker "died" a while ago: its lease ran out (time moved in SQL, never by sleeping). */
  const expireLease = (commandId: string) =>
    db.query("UPDATE command SET lease_expires_at = now() - interval '1 second' WHERE command_id = $1", [
      commandId,
    ]);

  test("an expired lease with claims left is re-queued and the old token is refused", async () => {
    await insertCommands(db, [makeCommand("job")]);
    const [first] = await claimCommands(db, { workerId: "dead-worker", limit: 1, leaseMs: MINUTE_MS });
    assert.ok(first);
    assert.deepEqual(await requeueExpiredLeases(db), [], "a live lease is left alone");

    await expireLease("job");
    assert.deepEqual(await requeueExpiredLeases(db), [
      { command_id: "job", lease_owner: "dead-worker", claims: 1 },
    ]);
    const row = await getCommand(db, "job");
    assert.deepEqual(
      [row?.status, row?.lease_owner, row?.lease_token, row?.lease_expires_at, row?.claims],
      ["queued", null, null, null, 1],
    );
    assert.equal(await completes(db, "job", first.lease_token), false);

    const [second] = await claimCommands(db, { workerId: "live-worker", limit: 1, leaseMs: MINUTE_MS });
    assert.deepEqual([second?.command_id, second?.claims], ["job", 2]);
    assert.equal(await completes(db, "job", first.lease_token), false);
    assert.equal((await getCommand(db, "job"))?.lease_owner, "live-worker");
    assert.equal(await completes(db, "job", second?.lease_token ?? ""), true);
  });

  test("an expired lease with no claims left is taken out of the queue and returned, not re-queued", async () => {
    await insertCommands(db, [
      makeCommand("flaky", { max_claims: 2 }),
      makeCommand("other", { priority: 1 }),
    ]);
    for (const worker of ["w1", "w2"]) {
      const claimed = await claimCommands(db, { workerId: worker, limit: 1, leaseMs: MINUTE_MS });
      assert.equal(claimed[0]?.command_id, "flaky");
      await expireLease("flaky");
      if (worker === "w1") assert.equal((await requeueExpiredLeases(db)).length, 1);
    }
    assert.deepEqual(await requeueExpiredLeases(db), [], "claims are spent: not re-queued");
    const taken = await takeExhaustedCommands(db);
    assert.deepEqual(
      taken.map((c) => [c.command_id, c.claims, c.max_claims, c.lease_owner, c.step, c.attempt]),
      [["flaky", 2, 2, "w2", "fetch", 1]],
    );
    assert.equal(await getCommand(db, "flaky"), undefined);
    assert.deepEqual(await takeExhaustedCommands(db), []);
    assert.equal((await getCommand(db, "other"))?.status, "queued");
  });

  test("taking exhausted commands inside a transaction that fails leaves them for the next pass", async () => {
    await insertCommands(db, [makeCommand("lost", { max_claims: 1 })]);
    await claimCommands(db, { workerId: "w", limit: 1, leaseMs: MINUTE_MS });
    await expireLease("lost");
    await assert.rejects(
      db.transaction(async (tx) => {
        assert.equal((await takeExhaustedCommands(tx)).length, 1);
        throw new Error("server crashed before recording the failure");
      }),
    );
    assert.equal((await getCommand(db, "lost"))?.status, "leased");
    assert.deepEqual(
      (await db.transaction((tx) => takeExhaustedCommands(tx))).map((c) => c.command_id),
      ["lost"],
    );
  });

  test("the reaper works in batches", async () => {
    await insertCommands(db, [makeCommand("a"), makeCommand("b"), makeCommand("c")]);
    await claimCommands(db, { workerId: "w", limit: 3, leaseMs: MINUTE_MS });
    await db.query("UPDATE command SET lease_expires_at = now() - interval '1 second'");
    assert.equal((await requeueExpiredLeases(db, { limit: 2 })).length, 2);
    assert.equal((await requeueExpiredLeases(db, { limit: 2 })).length, 1);
  });
});
