/**
 * Group commit across executions: the reports of several executions that arrive together are applied in
 * one transaction, and one execution's failure refuses only its own reports.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { silentLogger } from "../../src/logger.ts";
import { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { type ClaimedCommand, claimCommands, type Db, migrate } from "../../src/store/index.ts";
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
  async function started(n: number): Promise<ClaimedCommand[]> {
    const ids = new Set<string>();
    for (let i = 0; i < n; i++)
      ids.add((await orchestrator.execute({ playbook_yaml: TWO_STEPS })).execution_id);
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

  test("a database error in one execution refuses its reports only; the others are applied", async () => {
    const [bad, good1, good2] = await started(3);
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
  });
});
