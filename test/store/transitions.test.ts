import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  appendEvents,
  commitTransitions,
  type Db,
  getExecution,
  insertCommands,
  insertExecution,
  migrate,
  QUEUE_CHANNEL,
  type Transition,
} from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { makeCommand } from "./fixtures.ts";

const running = (executionId: string, over: Partial<Transition> = {}): Transition => ({
  executionId,
  events: [],
  commands: [],
  status: "running",
  result: null,
  error: null,
  ended: false,
  journalEvents: 0,
  ...over,
});

const commandIds = async (db: Db, executionId: string) =>
  (
    await db.query<{ command_id: string }>(
      "SELECT command_id FROM command WHERE execution_id = $1 ORDER BY command_id",
      [executionId],
    )
  ).map((r) => r.command_id);

await forEachDatabase("store: commitTransitions", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
    for (const id of ["tr-a", "tr-b", "tr-c"]) {
      await insertExecution(db, { id, playbookPath: "p", playbookVersion: 1, workload: {} });
    }
  });

  test("one statement writes several executions: events, commands, cancellations, heads and journals", async () => {
    await insertCommands(db, [
      makeCommand("tr-a-old", { execution_id: "tr-a" }),
      makeCommand("tr-b-old1", { execution_id: "tr-b" }),
      makeCommand("tr-b-old2", { execution_id: "tr-b" }),
    ]);
    const earlier = await appendEvents(db, [{ execution_id: "tr-c", name: "step.enter", payload: {} }]);
    const { heads } = await commitTransitions(db, [
      running("tr-a", {
        events: [
          { execution_id: "tr-a", name: "step.enter", payload: { n: 1 } },
          { execution_id: "tr-a", name: "call.done", payload: { n: 2 } },
        ],
        commands: [makeCommand("tr-a-next", { execution_id: "tr-a" })],
        cancel: ["tr-a-old"],
        journalEvents: 2,
      }),
      running("tr-b", {
        events: [{ execution_id: "tr-b", name: "workflow.cancel", payload: {} }],
        cancel: "all",
        status: "cancelled",
        error: { kind: "cancelled" },
        ended: true,
        journalEvents: 1,
        checkpoint: { status: "cancelled" },
      }),
      // No events of its own: the head moves to the event an earlier statement stored.
      running("tr-c", { journalEvents: 1 }),
    ]);
    const events = await db.query<{ id: number; execution_id: string }>(
      "SELECT id, execution_id FROM event WHERE execution_id IN ('tr-a', 'tr-b') ORDER BY id",
    );
    assert.deepEqual(
      events.map((e) => e.execution_id),
      ["tr-a", "tr-a", "tr-b"],
    );
    assert.deepEqual(Object.fromEntries(heads), {
      "tr-a": events[1]!.id,
      "tr-b": events[2]!.id,
      "tr-c": earlier[0]!.id,
    });
    assert.deepEqual(await commandIds(db, "tr-a"), ["tr-a-next"]);
    assert.deepEqual(await commandIds(db, "tr-b"), []);

    const a = await getExecution(db, "tr-a");
    assert.deepEqual(
      [a?.status, a?.head_event_id, a?.journal_events, a?.state_event_id, a?.ended_at],
      ["running", events[1]!.id, 2, 0, null],
    );
    const b = await getExecution(db, "tr-b");
    assert.deepEqual(
      [b?.status, b?.error, b?.state, b?.state_event_id, b?.journal_events],
      ["cancelled", { kind: "cancelled" }, { status: "cancelled" }, events[2]!.id, 0],
    );
    assert.ok(b?.ended_at);
  });

  test("an event stored before is skipped and leaves the head where it was", async () => {
    const event = { execution_id: "tr-c", name: "call.done", payload: {}, idempotency_key: "tr-c/once" };
    const [first] = (await commitTransitions(db, [running("tr-c", { events: [event] })])).heads.values();
    const [again] = (await commitTransitions(db, [running("tr-c", { events: [event] })])).heads.values();
    assert.equal(again, first);
    const stored = await db.query("SELECT id FROM event WHERE idempotency_key = 'tr-c/once'");
    assert.equal(stored.length, 1);
  });

  test("an execution given twice is refused before anything is written", async () => {
    await assert.rejects(
      commitTransitions(db, [running("tr-a"), running("tr-a", { status: "failed" })]),
      /appears twice/,
    );
    assert.equal((await getExecution(db, "tr-a"))?.status, "running");
  });

  test("workers are notified, with the wake hint, only when a command was queued", async () => {
    const received: string[] = [];
    const unlisten = await db.listen(QUEUE_CHANNEL, (payload) => received.push(payload));
    try {
      await commitTransitions(db, [running("tr-a")], "nothing queued");
      await commitTransitions(
        db,
        [running("tr-a", { commands: [makeCommand("tr-a-later", { execution_id: "tr-a" })] })],
        "delay_ms=50",
      );
      const deadline = Date.now() + 5000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(received, ["delay_ms=50"]);
    } finally {
      await unlisten();
    }
  });
});
