/**
 * The engine state is stored as a checkpoint plus a journal of the events after it (docs/storage.md). A
 * server that did not handle an execution's last events (a restart, another replica) must rebuild exactly
 * the state the others left, from the database alone.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { JsonValue } from "../../src/dsl/types.ts";
import type { ExecutionState } from "../../src/engine/index.ts";
import { silentLogger } from "../../src/logger.ts";
import { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { type ClaimedCommand, claimCommands, type Db, getExecution, migrate } from "../../src/store/index.ts";
import { commandEvents } from "../../src/worker/report.ts";
import { forEachDatabase } from "../helpers/db.ts";

const ITEMS = 40;

/** A parallel loop whose item results feed ctx and the next step's args, so a wrong replay shows. */
const PLAYBOOK = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: journal, path: tests/journal}
workflow:
  - step: start
    loop: {in: "{{ range(${ITEMS}) | list }}", iterator: i, mode: parallel}
    tool: {kind: noop, args: {i: "{{ i }}"}}
    vars: {total: "{{ start | map(attribute='v') | sum }}"}
    next:
      - step: end
        args: {total: "{{ vars.total }}", first: "{{ start[0].v }}"}
  - step: end
    tool: {kind: noop}
`;

const newServer = (db: Db) => new Orchestrator(db, new PlaybookCatalog(db), silentLogger());

/** Claims up to `batch` commands and reports each to the server `pick` chooses: what a worker does. */
async function work(
  db: Db,
  pick: (round: number) => Orchestrator,
  rounds: number,
  batch = 5,
): Promise<number> {
  let reported = 0;
  for (let round = 0; round < rounds; round++) {
    const claimed = await claimCommands(db, { workerId: "w", limit: batch, leaseMs: 60_000 });
    if (claimed.length === 0) break;
    const server = pick(round);
    await Promise.all(
      claimed.map((c: ClaimedCommand) => {
        const i = Number((c.args as { i?: JsonValue }).i ?? 0);
        const response = c.step === "start" ? { v: i * 2 } : c.args;
        return server.accept(commandEvents(c, "w", { ok: true, response }));
      }),
    );
    reported += claimed.length;
  }
  return reported;
}

const EXPECTED_TOTAL = (((ITEMS - 1) * ITEMS) / 2) * 2;

await forEachDatabase("state checkpoint and journal", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
  });

  test("a restarted server continues from the checkpoint and the journal, with the same outcome", async () => {
    const first = newServer(db);
    const { execution_id: id } = await first.execute({ playbook_yaml: PLAYBOOK });
    await work(db, () => first, 3);
    const mid = await getExecution<ExecutionState>(db, id);
    // No transaction wrote the state so far, only events: workflow.start and three events per item.
    assert.deepEqual([mid!.state, mid!.state_event_id], [null, 0]);
    assert.equal(mid!.journal_events, 1 + 15 * 3);

    // A server that never saw this execution rebuilds the same state the first one holds.
    const restarted = newServer(db);
    const row = (await getExecution<ExecutionState>(db, id))!;
    const rebuilt = await restarted.currentState(row);
    assert.deepEqual(rebuilt, await first.currentState(row));
    assert.equal(rebuilt?.runs["start:1"]?.loop?.succeeded, 15);

    await work(db, () => restarted, 100);
    const done = await getExecution<ExecutionState>(db, id);
    assert.equal(done?.status, "completed");
    assert.deepEqual(done?.result, { total: EXPECTED_TOTAL, first: 0 });
    // The final state is always checkpointed: the row alone tells how it ended.
    assert.equal(done?.state?.status, "completed");
    assert.equal(done?.state_event_id, done?.head_event_id);
    assert.equal(done?.journal_events, 0);
  });

  test("two replicas taking turns on one execution agree with a single server", async () => {
    const single = newServer(db);
    const alone = (await single.execute({ playbook_yaml: PLAYBOOK })).execution_id;
    await work(db, () => single, 100);

    const replicas = [newServer(db), newServer(db)];
    const shared = (await replicas[0]!.execute({ playbook_yaml: PLAYBOOK })).execution_id;
    await work(db, (round) => replicas[round % 2]!, 100, 3);

    const [a, b] = [await getExecution(db, alone), await getExecution(db, shared)];
    assert.equal(b?.status, "completed");
    assert.deepEqual(b?.result, a?.result);
    assert.deepEqual(b?.result, { total: EXPECTED_TOTAL, first: 0 });
  });
});
