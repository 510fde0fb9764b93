/**
 * How the server starts executions that are requested together: execute requests waiting while start
 * transactions run go together in the next one (group commit), and a request at fault in such a batch is
 * refused alone, with its own error.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { silentLogger } from "../../src/logger.ts";
import { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { type Db, migrate } from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";

const ONE_STEP = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: start_batch}
workflow:
  - step: start
    tool: {kind: noop}
`;

await forEachDatabase("server: execute requests together", (database) => {
  let db: Db;
  let orchestrator: Orchestrator;
  let path: string;
  before(async () => {
    db = await database.open();
    await migrate(db);
    orchestrator = new Orchestrator(db, new PlaybookCatalog(db), silentLogger());
    path = (await orchestrator.catalog.register(ONE_STEP)).path;
  });

  const createdAt = async (ids: string[]) =>
    (
      await db.query<{ created_at: string }>(
        "SELECT created_at::text AS created_at FROM execution WHERE id = ANY($1::text[])",
        [ids],
      )
    ).map((r) => r.created_at);

  test("requests arriving together share transactions, and each execution starts", async () => {
    const started = await Promise.all(
      Array.from({ length: 30 }, (_, i) => orchestrator.execute({ path, execution_id: `together-${i}` })),
    );
    const ids = started.map((s) => s.execution_id);
    // now() is the transaction's start time: executions inserted by one transaction share it.
    const times = await createdAt(ids);
    assert.equal(times.length, 30);
    assert.ok(new Set(times).size < 30, `30 requests took ${new Set(times).size} transactions`);
    const queued = await db.query<{ n: number | string }>(
      "SELECT count(*) AS n FROM command WHERE execution_id = ANY($1::text[]) AND step = 'start'",
      [ids],
    );
    assert.equal(Number(queued[0]?.n), 30);
  });

  test("an id that exists refuses only its own request; the others in its batch start", async () => {
    await orchestrator.execute({ path, execution_id: "taken" });
    const ids = ["fresh-1", "taken", "fresh-2", "fresh-3"];
    const outcomes = await Promise.allSettled(
      ids.map((id) => orchestrator.execute({ path, execution_id: id })),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ["fulfilled", "rejected", "fulfilled", "fulfilled"],
    );
    const refused = outcomes[1] as PromiseRejectedResult;
    assert.equal(refused.reason.code, "E_EXECUTION_EXISTS");
    assert.equal(refused.reason.statusCode, 409);
    const rows = await db.query<{ id: string; status: string }>(
      "SELECT id, status FROM execution WHERE id = ANY($1::text[]) ORDER BY id",
      [ids],
    );
    assert.deepEqual(
      rows.map((r) => [r.id, r.status]),
      [
        ["fresh-1", "running"],
        ["fresh-2", "running"],
        ["fresh-3", "running"],
        ["taken", "running"],
      ],
    );
  });
});
