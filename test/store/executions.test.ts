import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  type Db,
  getExecution,
  insertExecution,
  listExecutions,
  lockExecution,
  migrate,
  readCheckpoint,
  saveExecution,
} from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";

await forEachDatabase("store: executions", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
  });

  test("insert, lock, save and read an execution", async () => {
    const row = await insertExecution(db, {
      id: "ex-1",
      playbookPath: "demo/hello",
      playbookVersion: 2,
      workload: { city: "Oslo" },
    });
    assert.deepEqual(
      { ...row, created_at: "", updated_at: "" },
      {
        id: "ex-1",
        playbook_path: "demo/hello",
        playbook_version: 2,
        status: "running",
        workload: { city: "Oslo" },
        state: null,
        state_event_id: 0,
        head_event_id: 0,
        journal_events: 0,
        result: null,
        error: null,
        parent_execution_id: null,
        parent_command_id: null,
        created_at: "",
        updated_at: "",
        ended_at: null,
      },
    );

    await db.transaction(async (tx) => {
      const locked = await lockExecution(tx, "ex-1");
      assert.equal(locked?.head_event_id, 0);
      assert.deepEqual(await readCheckpoint(tx, "ex-1"), { state: null, state_event_id: 0 });
      assert.equal(await saveExecution(tx, "ex-1", { state: { steps: 1 }, status: "running" }), true);
    });
    await db.transaction(async (tx) => {
      assert.ok(await lockExecution(tx, "ex-1"));
      assert.deepEqual((await readCheckpoint(tx, "ex-1"))?.state, { steps: 1 });
      await saveExecution(tx, "ex-1", {
        state: { steps: 2 },
        status: "completed",
        result: [1, "two"],
        ended: true,
      });
    });
    const done = await getExecution(db, "ex-1");
    assert.deepEqual([done?.status, done?.state, done?.result], ["completed", { steps: 2 }, [1, "two"]]);
    assert.ok(done?.ended_at);

    // A later save keeps the first end time; results may be any JSON value, false included.
    await db.query("UPDATE execution SET ended_at = ended_at - interval '1 hour' WHERE id = 'ex-1'");
    const endedAt = (await getExecution(db, "ex-1"))?.ended_at;
    await saveExecution(db, "ex-1", { state: { steps: 2 }, status: "completed", result: false, ended: true });
    const again = await getExecution(db, "ex-1");
    assert.deepEqual([again?.ended_at, again?.result], [endedAt, false]);

    assert.equal(await lockExecution(db, "missing"), undefined);
    assert.equal(await getExecution(db, "missing"), undefined);
    assert.equal(await saveExecution(db, "missing", { state: {}, status: "failed" }), false);
  });

  test("a save without a state moves the journal's head and keeps the checkpoint; a checkpoint resets it", async () => {
    await insertExecution(db, { id: "ex-journal", playbookPath: "p", playbookVersion: 1, workload: {} });
    await saveExecution(db, "ex-journal", { state: { n: 1 }, status: "running", headEventId: 10 });
    await saveExecution(db, "ex-journal", { status: "running", headEventId: 14, journalEvents: 3 });
    await saveExecution(db, "ex-journal", { status: "running", headEventId: 20, journalEvents: 2 });
    const journaled = await getExecution(db, "ex-journal");
    assert.deepEqual(
      [journaled?.state, journaled?.state_event_id, journaled?.head_event_id, journaled?.journal_events],
      [{ n: 1 }, 10, 20, 5],
    );
    await saveExecution(db, "ex-journal", {
      state: { n: 2 },
      status: "running",
      headEventId: 25,
      journalEvents: 1,
    });
    const checkpointed = await getExecution(db, "ex-journal");
    assert.deepEqual(
      [
        checkpointed?.state,
        checkpointed?.state_event_id,
        checkpointed?.head_event_id,
        checkpointed?.journal_events,
      ],
      [{ n: 2 }, 25, 25, 0],
    );
  });

  test("an execution row lock makes a second locker wait until the first commits", async () => {
    await insertExecution(db, {
      id: "ex-lock",
      playbookPath: "p",
      playbookVersion: 1,
      workload: {},
      state: { n: 0 },
    });
    const [a, b] = [await database.open({ max: 1 }), await database.open({ max: 1 })];
    const increment = (handle: Db) =>
      handle.transaction(async (tx) => {
        await lockExecution(tx, "ex-lock");
        const n = (await readCheckpoint<{ n: number }>(tx, "ex-lock"))?.state?.n ?? 0;
        await saveExecution(tx, "ex-lock", { state: { n: n + 1 }, status: "running" });
      });
    await Promise.all([increment(a), increment(b), increment(a), increment(b)]);
    assert.deepEqual((await getExecution(db, "ex-lock"))?.state, { n: 4 });
  });

  test("listExecutions filters by status, playbook and parent, newest first, with stable cursors", async () => {
    await db.query("DELETE FROM execution");
    // 12 executions with distinct, increasing creation times (set in SQL, no sleeping).
    for (let i = 0; i < 12; i++) {
      await insertExecution(db, {
        id: `run-${String(i).padStart(2, "0")}`,
        playbookPath: i % 3 === 0 ? "etl/a" : "etl/b",
        playbookVersion: 1,
        workload: {},
        status: i % 2 === 0 ? "completed" : "running",
        parentExecutionId: i === 5 ? "run-00" : null,
      });
    }
    await db.query(
      "UPDATE execution SET created_at = timestamptz '2024-01-01' + substr(id, 5)::int * interval '1 minute'",
    );
    const ids = (items: Array<{ id: string }>) => items.map((r) => r.id);

    const all = await listExecutions(db, { limit: 100 });
    assert.equal(all.items.length, 12);
    assert.equal(all.items[0]?.id, "run-11");
    assert.equal(all.nextCursor, undefined);
    assert.equal("state" in (all.items[0] ?? {}), false);

    assert.deepEqual(ids((await listExecutions(db, { status: "completed", playbook: "etl/a" })).items), [
      "run-06",
      "run-00",
    ]);
    assert.deepEqual(ids((await listExecutions(db, { parentExecutionId: "run-00" })).items), ["run-05"]);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listExecutions(db, { limit: 5, cursor });
      seen.push(...ids(page.items));
      cursor = page.nextCursor;
      pages++;
      // Inserted while paging: newer than the cursor, so it never appears on a later page.
      if (pages === 1) {
        await insertExecution(db, { id: "run-new", playbookPath: "etl/a", playbookVersion: 1, workload: {} });
      }
    } while (cursor !== undefined);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ids(all.items));

    // running, newest first: run-new, 11, 09 | 07, 05, 03 | 01
    const offsetPage = await listExecutions(db, { limit: 3, offset: 3, status: "running" });
    assert.deepEqual(ids(offsetPage.items), ["run-07", "run-05", "run-03"]);
    assert.equal(offsetPage.nextCursor, "run-03");
  });
});
