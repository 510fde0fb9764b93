/**
 * Two workers, each on its own PostgreSQL pool, race for 1,000 queued commands (a parallel loop of noop
 * items) while the orchestrator runs in this process: every command is claimed and reported exactly once.
 * Then parallel loops that fail half-way while the other items keep reporting: the failure cancels the
 * remaining commands without deadlocking against those reports.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
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

/** Fails at item 150 (the `fail` action) while the other items of the loop are being reported. */
const FAILS_HALF_WAY = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: fails_half_way, path: tests/fails_half_way}
workflow:
  - step: start
    loop: {in: "{{ range(300) | list }}", iterator: i, mode: parallel}
    tool: {kind: noop, args: {i: "{{ i }}"}}
    case:
      - when: "{{ event.name == 'call.done' and response.i == 150 }}"
        then: {fail: {message: "item 150 is bad"}}
`;

const skip = (await postgresReachable()) ? false : "PostgreSQL not reachable (the race needs two pools)";

describe("two workers racing on 1,000 queued commands", { skip }, () => {
  let database: TestDatabase;
  let db: Db;
  let orchestrator: Orchestrator;
  let tools: ToolRegistry;
  const workers: Worker[] = [];
  /** Warnings and errors of the orchestrator and workers (transaction conflicts, lost reports). */
  const logged: Array<{ msg: string }> = [];

  before(async () => {
    database = await postgresDatabase();
    db = await database.open();
    await migrate(db);
    const log = pino({ level: "warn" }, { write: (line: string) => logged.push(JSON.parse(line)) });
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

  test("loops failing half-way cancel their other commands without deadlocking against their reports", async () => {
    logged.length = 0;
    const ids = await Promise.all(
      [1, 2, 3].map(async () => (await orchestrator.execute({ playbook_yaml: FAILS_HALF_WAY })).execution_id),
    );
    const statuses = await waitUntil("the three executions to end", async () => {
      const rows = await db.query<{ status: string }>(
        "SELECT status FROM execution WHERE id = ANY($1::text[])",
        [ids],
      );
      return rows.every((r) => r.status !== "running") ? rows.map((r) => r.status) : undefined;
    });
    assert.deepEqual(statuses, ["failed", "failed", "failed"]);
    const [left] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM command WHERE execution_id = ANY($1::text[])",
      [ids],
    );
    assert.equal(left?.n, 0, "every other command was cancelled");
    const conflicts = logged.filter((l) => /conflict|could not report/.test(l.msg));
    assert.deepEqual(
      conflicts.map((l) => l.msg),
      [],
    );
  });
});
