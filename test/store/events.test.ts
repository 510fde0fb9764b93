import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  appendEvents,
  type Db,
  eventsByIdempotencyKey,
  listEvents,
  migrate,
  type NewEvent,
} from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";

const event = (name: string, extra: Partial<NewEvent> = {}): NewEvent => ({
  execution_id: "exec-e",
  name,
  payload: { n: name },
  ...extra,
});

await forEachDatabase("store: event log", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
  });

  test("appendEvents stores a batch in input order with one timestamp per transaction", async () => {
    const rows = await db.transaction((tx) =>
      appendEvents(tx, [
        event("step.enter", { step: "s", step_run_id: "s#1", command_id: "c1", attempt: 1, worker_id: "w" }),
        event("call.done", { idempotency_key: "k-call" }),
        event("step.exit"),
      ]),
    );
    assert.equal(rows.length, 3);
    const [a, b, c] = rows;
    assert.ok(a && b && c);
    assert.ok(a.id < b.id && b.id < c.id);
    assert.equal(a.created_at, c.created_at);
    assert.deepEqual(
      { ...a, id: 0, created_at: "" },
      {
        id: 0,
        execution_id: "exec-e",
        step: "s",
        step_run_id: "s#1",
        command_id: "c1",
        name: "step.enter",
        payload: { n: "step.enter" },
        attempt: 1,
        worker_id: "w",
        created_at: "",
        idempotency_key: null,
      },
    );
    assert.equal(b.idempotency_key, "k-call");
    assert.deepEqual(await appendEvents(db, []), []);
  });

  test("a re-posted event is stored once; the answer says which inputs were new", async () => {
    const first = await appendEvents(db, [event("call.done", { idempotency_key: "k-1" })]);
    const again = await appendEvents(db, [
      event("step.exit", { idempotency_key: "k-2" }),
      event("call.done", { idempotency_key: "k-1", payload: { changed: true } }),
      event("step.exit", { idempotency_key: "k-2" }),
      event("note"),
    ]);
    assert.deepEqual(
      again.map((r) => r?.name ?? null),
      ["step.exit", null, null, "note"],
    );
    const stored = await eventsByIdempotencyKey(db, ["k-1", "k-2", "unknown"]);
    assert.deepEqual(
      stored.map((r) => [r.idempotency_key, r.payload]),
      [
        ["k-1", { n: "call.done" }],
        ["k-2", { n: "step.exit" }],
      ],
    );
    assert.equal(stored[0]?.id, first[0]?.id);
    assert.deepEqual(await eventsByIdempotencyKey(db, []), []);
  });

  test("two transactions racing to append the same key store it once", async () => {
    const [a, b] = [await database.open({ max: 1 }), await database.open({ max: 1 })];
    const results = await Promise.all(
      [a, b].map((handle, i) =>
        handle.transaction((tx) =>
          appendEvents(tx, [event("call.done", { idempotency_key: "race", worker_id: `w${i}` })]),
        ),
      ),
    );
    assert.equal(results.flat().filter((r) => r !== null).length, 1);
    assert.equal((await eventsByIdempotencyKey(db, ["race"])).length, 1);
  });

  test("listEvents pages through one execution's log in append order", async () => {
    await appendEvents(
      db,
      Array.from({ length: 5 }, (_, i) => event(`e${i}`, { execution_id: "exec-list" })),
    );
    await appendEvents(db, [event("elsewhere", { execution_id: "exec-other" })]);
    const page1 = await listEvents(db, "exec-list", { limit: 3 });
    const page2 = await listEvents(db, "exec-list", { afterId: page1[page1.length - 1]?.id, limit: 3 });
    assert.deepEqual(
      [...page1, ...page2].map((r) => r.name),
      ["e0", "e1", "e2", "e3", "e4"],
    );
    assert.deepEqual(await listEvents(db, "exec-none"), []);
  });
});
