/**
 * The optimistic path: a lone report on an execution whose current state the server holds is written by
 * one guarded statement, without a transaction of its own (no lock round trip, no COMMIT). Whatever the
 * guard refuses (another server moved the execution on, a lease that is gone) goes to the locked path,
 * and a state rebuilt from the journal is the same as the one the server kept.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { ExecutionState } from "../../src/engine/index.ts";
import { silentLogger } from "../../src/logger.ts";
import { type Committed, Orchestrator, type PushOffer } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import {
  CLOCK_TOLERANCE,
  type ClaimedCommand,
  claimCommands,
  type Db,
  getExecution,
  migrate,
} from "../../src/store/index.ts";
import { commandEvents } from "../../src/worker/report.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { noopChain } from "../helpers/playbooks.ts";

const CHAIN = noopChain("optimistic_chain", ["start", "b", "c", "d"]);

const PAIR = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: optimistic_pair}
workflow:
  - step: start
    loop: {in: [1, 2], iterator: n, mode: parallel}
    tool: {kind: noop, args: {n: "{{ n }}"}}
`;

/** The database, counting the transactions opened through it. */
function counting(db: Db): { db: Db; transactions: () => number } {
  let n = 0;
  const wrapped = new Proxy(db, {
    get(target, key, receiver) {
      if (key === "transaction") {
        return (fn: (tx: Db) => Promise<unknown>) => {
          n++;
          return target.transaction(fn);
        };
      }
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: wrapped, transactions: () => n };
}

const done = (c: ClaimedCommand, response: unknown = { step: c.step }) =>
  commandEvents(c, "w", { ok: true, response: response as never });

await forEachDatabase("server: optimistic writes", (database) => {
  let db: Db;
  const server = (on: Db = db) => new Orchestrator(on, new PlaybookCatalog(on), silentLogger());
  const claimAll = () => claimCommands(db, { workerId: "w", limit: 10, leaseMs: 60_000 });

  before(async () => {
    db = await database.open();
    await migrate(db);
  });

  test("a chain's reports need no transaction, and a replayed state equals the kept one", async () => {
    const count = counting(db);
    const first = server(count.db);
    const { execution_id: id } = await first.execute({ playbook_yaml: CHAIN });
    const afterStart = count.transactions();
    for (const step of ["start", "b"]) {
      const [command] = await claimAll();
      assert.equal(command?.step, step);
      const [ack] = await first.accept(done(command!));
      assert.equal(ack?.status, "accepted");
    }
    assert.equal(count.transactions(), afterStart, "the two reports opened no transaction");

    // A server that never saw the execution rebuilds the state from the journal: the same state, clocks
    // included (the events carry the clock the optimistic writes used).
    const row = (await getExecution<ExecutionState>(db, id))!;
    assert.deepEqual(await server().currentState(row), await first.currentState(row));

    for (const step of ["c", "d"]) {
      const [command] = await claimAll();
      assert.equal(command?.step, step);
      await first.accept(done(command!));
    }
    const end = await getExecution(db, id);
    assert.equal(end?.status, "completed");
    assert.deepEqual(end?.result, { step: "d" });
  });

  test("reading the state from a row older than the kept one leaves the kept state in use", async () => {
    const count = counting(db);
    const a = server(count.db);
    const { execution_id: id } = await a.execute({ playbook_yaml: CHAIN });
    const polled = (await getExecution<ExecutionState>(db, id))!; // a client's GET, read before the report
    const [start] = (await claimAll()).filter((c) => c.execution_id === id);
    await a.accept(done(start!));
    assert.equal((await a.currentState(polled))?.status, "running");
    const before = count.transactions();
    const [b] = (await claimAll()).filter((c) => c.execution_id === id);
    await a.accept(done(b!));
    assert.equal(count.transactions(), before, "the next report still took the optimistic path");
    for (const command of await claimAll()) await a.accept(done(command)); // c, then d: leave nothing queued
    for (const command of await claimAll()) await a.accept(done(command));
    assert.equal((await getExecution(db, id))?.status, "completed");
  });

  test("another server moved the execution on: the guard refuses and the locked path applies the report", async () => {
    const [a, b] = [server(), server()];
    const { execution_id: id } = await a.execute({ playbook_yaml: PAIR });
    const [one, two] = await claimAll();
    assert.ok(one && two);
    await b.accept(done(one, { n: 1 })); // a's kept state is now behind the row's head
    const [ack] = await a.accept(done(two, { n: 2 }));
    assert.equal(ack?.status, "accepted");
    const end = await getExecution(db, id);
    assert.equal(end?.status, "completed");
    assert.deepEqual(end?.result, [{ n: 1 }, { n: 2 }]);
    const stored = await db.query<{ n: number | string }>(
      "SELECT count(*) AS n FROM event WHERE execution_id = $1 AND name = 'call.done'",
      [id],
    );
    assert.equal(Number(stored[0]?.n), 2);
  });

  test("a command left for any worker wakes in-process workers; one pushed to the reporter does not", async () => {
    const a = server();
    const seen: Committed[] = [];
    a.onCommit((c) => seen.push(c));
    await a.execute({ playbook_yaml: CHAIN });
    const [start] = await claimAll();
    await a.accept(done(start!));
    // Embedded mode has no LISTEN: `wake` is all that tells its worker that step b is waiting.
    assert.deepEqual([seen.at(-1)?.commands, seen.at(-1)?.wake], [1, ""]);
    const [b] = await claimAll();
    const offer: PushOffer = { worker_id: "w", slots: 1, lease_ms: 60_000, pushed: [] };
    await a.acceptEach(done(b!), offer);
    assert.equal(offer.pushed[0]?.step, "c");
    assert.deepEqual([seen.at(-1)?.commands, seen.at(-1)?.wake], [1, undefined]);
  });

  test("a report naming another execution than its command's is refused, and that command stays", async () => {
    for (const kept of [true, false]) {
      const a = server();
      const { execution_id: named } = await a.execute({ playbook_yaml: CHAIN });
      const { execution_id: owner } = await a.execute({ playbook_yaml: CHAIN });
      const commands = await claimAll();
      const theirs = commands.find((c) => c.execution_id === owner)!;
      const reporter = kept ? a : server(); // the optimistic path, then the locked one
      await assert.rejects(
        reporter.accept(done({ ...theirs, execution_id: named })),
        (err: Error & { code?: string }) => err.code === "E_LEASE_LOST",
        `kept state: ${kept}`,
      );
      const [ack] = await a.accept(done(theirs));
      assert.equal(ack?.status, "accepted", `the owner's report still goes through (kept state: ${kept})`);
      const mine = commands.find((c) => c.execution_id === named)!;
      await a.accept(done(mine));
    }
  });

  test("a clock estimate gone wrong is caught by the guard and measured again", async () => {
    const a = server();
    const steps = ["start", "b", "c", "d"];
    const { execution_id: id } = await a.execute({ playbook_yaml: noopChain("clock_jump", steps) });
    const skew = async () => {
      // The last event's time against the statement's now(), which it also wrote as updated_at.
      const [row] = await db.query<{ ms: number | string }>(
        `SELECT extract(epoch FROM (SELECT max(created_at) FROM event WHERE execution_id = $1) - updated_at)
           * 1000 AS ms FROM execution WHERE id = $1`,
        [id],
      );
      return Number(row!.ms);
    };
    for (const step of steps) {
      // (Earlier tests left commands of their own executions queued.)
      const command = (await claimAll()).find((c) => c.execution_id === id);
      assert.equal(command?.step, step);
      // The server's clock steps back 5 s after step b's write: its estimate of the database clock is 5 s
      // ahead until the guard refuses it.
      if (step === "c") (a as unknown as { clockOffset: number }).clockOffset += 5000;
      await a.accept(done(command!));
      const ms = await skew();
      assert.ok(
        ms <= CLOCK_TOLERANCE.aheadMs,
        `step ${step}: events dated ${ms} ms after the database's now()`,
      );
    }
    assert.equal((await getExecution(db, id))?.status, "completed");
  });

  test("a report whose lease is gone is refused (409) and writes nothing", async () => {
    const a = server();
    const { execution_id: id } = await a.execute({ playbook_yaml: CHAIN });
    const [command] = await claimAll();
    const before = (await getExecution(db, id))!.head_event_id;
    const stale = { ...command!, lease_token: "00000000-0000-4000-8000-000000000000" };
    await assert.rejects(
      a.accept(done(stale)),
      (err: Error & { code?: string }) => err.code === "E_LEASE_LOST",
    );
    assert.equal((await getExecution(db, id))!.head_event_id, before);
    // The real holder's report still goes through.
    const [ack] = await a.accept(done(command!));
    assert.equal(ack?.status, "accepted");
  });
});
