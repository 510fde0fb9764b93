import assert from "node:assert/strict";
import { before, beforeEach, test } from "node:test";
import {
  type ClaimedCommand,
  cancelCommands,
  claimCommands,
  type Db,
  extendLeases,
  getCommand,
  insertCommands,
  migrate,
  queueStats,
  releaseCommands,
} from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { completes, makeCommand, makeCommands } from "./fixtures.ts";

const MINUTE_MS = 60_000;

await forEachDatabase("store: command queue", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
  });
  beforeEach(async () => {
    await db.query("DELETE FROM command");
  });

  test("inserted commands keep the engine's fields and get queue defaults", async () => {
    assert.equal(await insertCommands(db, [makeCommand("a", { loop_index: 2 }), makeCommand("b")]), 2);
    const a = await getCommand(db, "a");
    assert.ok(a);
    assert.deepEqual(
      {
        tool: a.tool,
        args: a.args,
        loop_index: a.loop_index,
        status: a.status,
        claims: a.claims,
        max_claims: a.max_claims,
        priority: a.priority,
        lease_token: a.lease_token,
      },
      {
        tool: { kind: "http", url: "http://localhost/x" },
        args: { page: 1 },
        loop_index: 2,
        status: "queued",
        claims: 0,
        max_claims: 3,
        priority: 0,
        lease_token: null,
      },
    );
    assert.equal("loop_index" in ((await getCommand(db, "b")) ?? {}), false);
    assert.equal(await insertCommands(db, []), 0);
  });

  test("re-inserting a queued command_id fails", async () => {
    await insertCommands(db, [makeCommand("dup")]);
    await assert.rejects(
      insertCommands(db, [makeCommand("dup")]),
      (err: { code?: string }) => err.code === "23505",
    );
  });

  test("two claimers racing over 1,000 commands claim disjoint sets that cover all of them", async () => {
    await insertCommands(db, makeCommands(1000));
    // Two pools on PostgreSQL (real concurrent transactions); on PGlite both share its one connection.
    const [first, second] = [await database.open({ max: 2 }), await database.open({ max: 2 })];
    const drain = async (claimer: Db, workerId: string) => {
      const got: ClaimedCommand[] = [];
      for (;;) {
        const batch = await claimCommands(claimer, { workerId, limit: 7, leaseMs: MINUTE_MS });
        if (batch.length === 0) return got;
        got.push(...batch);
      }
    };
    const [a, b] = await Promise.all([drain(first, "w-a"), drain(second, "w-b"), drain(first, "w-a")]).then(
      ([a1, b1, a2]) => [[...a1, ...a2], b1],
    );
    const idsA = new Set(a?.map((c) => c.command_id));
    const idsB = new Set(b?.map((c) => c.command_id));
    assert.equal(idsA.size, a?.length, "a claimer got the same command twice");
    assert.equal([...idsA].filter((id) => idsB.has(id)).length, 0, "both claimers got a command");
    assert.equal(idsA.size + idsB.size, 1000);
    const rows = await db.query<{ claims: number; n: number }>(
      "SELECT claims, count(*)::int AS n FROM command WHERE status = 'leased' GROUP BY claims",
    );
    assert.deepEqual(rows, [{ claims: 1, n: 1000 }]);
    const owners = await db.query<{ lease_owner: string; n: number }>(
      "SELECT lease_owner, count(*)::int AS n FROM command GROUP BY lease_owner ORDER BY lease_owner",
    );
    assert.deepEqual(
      owners,
      [
        { lease_owner: "w-a", n: idsA.size },
        { lease_owner: "w-b", n: idsB.size },
      ].filter((o) => o.n > 0),
    );
  });

  test("a claim sets owner, a fresh token per command, an expiry from the database clock, and counts the claim", async () => {
    await insertCommands(db, makeCommands(3));
    const claimed = await claimCommands(db, { workerId: "w1", limit: 2, leaseMs: MINUTE_MS });
    assert.equal(claimed.length, 2);
    assert.equal(new Set(claimed.map((c) => c.lease_token)).size, 2);
    const [check] = await db.query<{ ok: boolean }>(
      `SELECT bool_and(lease_expires_at BETWEEN now() + interval '59 seconds' AND now() + interval '61 seconds'
         AND status = 'leased' AND lease_owner = 'w1' AND claims = 1) AS ok
       FROM command WHERE command_id = ANY($1::text[])`,
      [claimed.map((c) => c.command_id)],
    );
    assert.equal(check?.ok, true);
    for (const c of claimed) assert.deepEqual([c.status, c.lease_owner, c.claims], ["leased", "w1", 1]);
    assert.equal((await claimCommands(db, { workerId: "w1", limit: 0, leaseMs: MINUTE_MS })).length, 0);
  });

  test("claims go by priority (lower first), then run_at", async () => {
    await insertCommands(db, [
      makeCommand("late-low", { priority: 5, run_at: "2020-01-01T00:00:02.000Z" }),
      makeCommand("early-low", { priority: 5, run_at: "2020-01-01T00:00:01.000Z" }),
      makeCommand("urgent", { priority: -1, run_at: "2020-01-01T00:00:09.000Z" }),
      makeCommand("normal", { run_at: "2020-01-01T00:00:05.000Z" }),
    ]);
    const first = await claimCommands(db, { workerId: "w", limit: 2, leaseMs: MINUTE_MS });
    assert.deepEqual(
      first.map((c) => c.command_id),
      ["urgent", "normal"],
    );
    const rest = await claimCommands(db, { workerId: "w", limit: 10, leaseMs: MINUTE_MS });
    assert.deepEqual(
      rest.map((c) => c.command_id),
      ["early-low", "late-low"],
    );
  });

  test("a command whose run_at is in the future is not claimable until then", async () => {
    await db.transaction(async (tx) => {
      const [row] = await tx.query<{ later: string }>(
        "SELECT (now() + interval '1 hour')::timestamptz AS later",
      );
      await insertCommands(tx, [makeCommand("delayed", { run_at: row?.later })]);
    });
    assert.equal((await claimCommands(db, { workerId: "w", limit: 10, leaseMs: MINUTE_MS })).length, 0);
    assert.equal((await queueStats(db)).ready, 0);
    // Move time: the hour has "passed".
    await db.query("UPDATE command SET run_at = now() - interval '1 second' WHERE command_id = 'delayed'");
    const claimed = await claimCommands(db, { workerId: "w", limit: 10, leaseMs: MINUTE_MS });
    assert.deepEqual(
      claimed.map((c) => c.command_id),
      ["delayed"],
    );
  });

  test("extendLeases extends only the caller's live leases and reports which it still holds", async () => {
    await insertCommands(db, makeCommands(3));
    const [mine] = await claimCommands(db, { workerId: "w1", limit: 1, leaseMs: 1000 });
    const [theirs] = await claimCommands(db, { workerId: "w2", limit: 1, leaseMs: 1000 });
    assert.ok(mine && theirs);
    const held = await extendLeases(db, {
      workerId: "w1",
      commandIds: [mine.command_id, theirs.command_id, "c-0002", "missing"],
      leaseMs: 10 * MINUTE_MS,
    });
    assert.deepEqual(held, [mine.command_id]);
    const [row] = await db.query<{ ok: boolean }>(
      "SELECT lease_expires_at > now() + interval '9 minutes' AS ok FROM command WHERE command_id = $1",
      [mine.command_id],
    );
    assert.equal(row?.ok, true);
    assert.deepEqual(await extendLeases(db, { workerId: "w1", commandIds: [], leaseMs: 1000 }), []);
  });

  test("completeCommands removes the command for the lease holder's token, and its own execution, only", async () => {
    await insertCommands(db, [makeCommand("x")]);
    const [claimed] = await claimCommands(db, { workerId: "w1", limit: 1, leaseMs: MINUTE_MS });
    assert.ok(claimed);
    const before = await getCommand(db, "x");
    for (const token of ["00000000-0000-0000-0000-000000000000", "not-a-uuid"]) {
      assert.equal(await completes(db, "x", token), false);
    }
    // The holder's token on a report that names another execution: a client mixing up its commands.
    assert.equal(await completes(db, "x", claimed.lease_token, "another-execution"), false);
    assert.deepEqual(await getCommand(db, "x"), before);
    assert.equal(await completes(db, "x", claimed.lease_token), true);
    assert.equal(await getCommand(db, "x"), undefined);
    assert.equal(await completes(db, "x", claimed.lease_token), false);
  });

  test("releaseCommands re-queues the caller's commands and gives the claim back", async () => {
    await insertCommands(db, makeCommands(2));
    const [a] = await claimCommands(db, { workerId: "w1", limit: 1, leaseMs: MINUTE_MS });
    const [b] = await claimCommands(db, { workerId: "w2", limit: 1, leaseMs: MINUTE_MS });
    assert.ok(a && b);
    assert.deepEqual(
      await releaseCommands(db, { workerId: "w1", commandIds: [a.command_id, b.command_id] }),
      [a.command_id],
    );
    const released = await getCommand(db, a.command_id);
    assert.deepEqual(
      [released?.status, released?.claims, released?.lease_owner, released?.lease_token],
      ["queued", 0, null, null],
    );
    assert.equal((await getCommand(db, b.command_id))?.status, "leased");
    assert.equal(await completes(db, a.command_id, a.lease_token), false);
    const again = await claimCommands(db, { workerId: "w3", limit: 5, leaseMs: MINUTE_MS });
    assert.deepEqual(
      again.map((c) => [c.command_id, c.claims]),
      [[a.command_id, 1]],
    );
  });

  test("cancelCommands removes queued and leased commands of one execution", async () => {
    await insertCommands(db, [
      ...makeCommands(3, "e1"),
      ...makeCommands(2, "e2", { execution_id: "exec-2" }),
    ]);
    await claimCommands(db, { workerId: "w", limit: 1, leaseMs: MINUTE_MS });
    assert.deepEqual(await cancelCommands(db, "exec-1", ["e1-0001", "e2-0000", "nope"]), ["e1-0001"]);
    assert.deepEqual((await cancelCommands(db, "exec-1", "all")).sort(), ["e1-0000", "e1-0002"]);
    assert.deepEqual(await cancelCommands(db, "exec-1", []), []);
    const left = await db.query<{ command_id: string }>("SELECT command_id FROM command ORDER BY command_id");
    assert.deepEqual(
      left.map((r) => r.command_id),
      ["e2-0000", "e2-0001"],
    );
  });

  test("queueStats counts queued, ready, leased and expired commands", async () => {
    await insertCommands(db, makeCommands(5));
    await db.query("UPDATE command SET run_at = now() + interval '1 hour' WHERE command_id = 'c-0004'");
    await db.query("UPDATE command SET run_at = now() - interval '2 seconds' WHERE command_id <> 'c-0004'");
    await claimCommands(db, { workerId: "w", limit: 2, leaseMs: MINUTE_MS });
    await db.query(
      "UPDATE command SET lease_expires_at = now() - interval '1 second' WHERE command_id = (SELECT min(command_id) FROM command WHERE status = 'leased')",
    );
    const stats = await queueStats(db);
    assert.deepEqual(
      { ...stats, oldest_ready_ms: stats.oldest_ready_ms >= 2000 },
      {
        queued: 3,
        ready: 2,
        leased: 2,
        expired: 1,
        oldest_ready_ms: true,
      },
    );
  });
});
