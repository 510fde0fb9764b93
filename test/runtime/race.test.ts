/**
 * Two workers, each on its own PostgreSQL pool, race for 1,000 queued commands (a parallel loop of noop
 * items) while the orchestrator runs in this process: every command is claimed and reported exactly once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../src/logger.ts";
import { LocalReporter } from "../../src/runtime/local-reporter.ts";
import { type Committed, Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { type Db, migrate } from "../../src/store/index.ts";
import { defaultTools, type ToolRegistry } from "../../src/tools/index.ts";
import { Worker } from "../../src/worker/worker.ts";
import { postgresReachable, type TestDatabase } from "../helpers/db.ts";
import { waitUntil } from "../helpers/processes.ts";
import { postgresDatabase } from "./support.ts";

const ITEMS = 1000;

const PLAYBOOK = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: race, path: tests/race}
workload: {n: ${ITEMS}}
workflow:
  - step: start
    loop: {in: "{{ range(workload.n) | list }}", iterator: i, mode: parallel}
    tool: {kind: noop, args: {i: "{{ i }}"}}
`;

const skip = (await postgresReachable()) ? false : "PostgreSQL not reachable (the race needs two pools)";

describe("two workers racing on 1,000 queued commands", { skip }, () => {
  let database: TestDatabase;
  let db: Db;
  let orchestrator: Orchestrator;
  let tools: ToolRegistry;
  const workers: Worker[] = [];

  before(async () => {
    database = await postgresDatabase();
    db = await database.open();
    await migrate(db);
    const log = silentLogger();
    orchestrator = new Orchestrator(db, new PlaybookCatalog(db), log);
    tools = defaultTools();
    for (const id of ["racer-a", "racer-b"]) {
      workers.push(
        new Worker({
          db: await database.open({ max: 4 }),
          tools,
          reporter: new LocalReporter(orchestrator),
          id,
          concurrency: 16,
          leaseMs: 60_000,
          pollMs: 100,
          shutdownGraceMs: 1_000,
          log,
        }),
      );
    }
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await tools?.close();
    await database?.cleanup();
  });

  test("every command is claimed once and the execution completes with 1,000 results", async () => {
    let ended: string | undefined;
    let executionId = "";
    orchestrator.onCommit((c: Committed) => {
      if (c.execution_id === executionId && c.ended !== undefined) ended = c.ended;
    });
    // Queue everything first, then let both workers loose on the backlog at once.
    ({ execution_id: executionId } = await orchestrator.execute({ playbook_yaml: PLAYBOOK }));
    const [counted] = await db.query<{ queued: number }>(
      "SELECT count(*)::int AS queued FROM command WHERE execution_id = $1 AND status = 'queued'",
      [executionId],
    );
    assert.equal(counted?.queued, ITEMS);
    await Promise.all(workers.map((w) => w.start()));

    await waitUntil("the execution to end", () => ended, { timeoutMs: 60_000 });
    assert.equal(ended, "completed");

    const perCommand = await db.query<{ command_id: string; n: number; worker_id: string }>(
      `SELECT command_id, count(*)::int AS n, min(worker_id) AS worker_id FROM event
       WHERE execution_id = $1 AND name = 'call.done' GROUP BY command_id`,
      [executionId],
    );
    assert.equal(perCommand.length, ITEMS, "one command per loop item");
    assert.deepEqual(
      perCommand.filter((c) => c.n !== 1),
      [],
      "commands reported more than once",
    );
    const byWorker = new Map<string, number>();
    for (const c of perCommand) byWorker.set(c.worker_id, (byWorker.get(c.worker_id) ?? 0) + 1);
    assert.deepEqual([...byWorker.keys()].sort(), ["racer-a", "racer-b"], "both workers claimed commands");

    const [row] = await db.query<{ result: Array<{ i: number }>; leftover: number }>(
      `SELECT result, (SELECT count(*)::int FROM command WHERE execution_id = $1) AS leftover
       FROM execution WHERE id = $1`,
      [executionId],
    );
    assert.equal(row!.leftover, 0, "finished commands leave the queue");
    assert.equal(row!.result.length, ITEMS);
    assert.deepEqual(
      row!.result.map((r) => r.i),
      Array.from({ length: ITEMS }, (_, i) => i),
      "results in item order",
    );
  });
});
