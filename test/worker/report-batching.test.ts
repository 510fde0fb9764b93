/**
 * Reports that queue up share a request (ReportQueue), each still answered on its own; and a command frees
 * its worker slot when its tool ends, not when the server has answered its report.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { silentLogger } from "../../src/logger.ts";
import { LocalReporter } from "../../src/runtime/local-reporter.ts";
import { buildServer } from "../../src/server/app.ts";
import type { Orchestrator } from "../../src/server/orchestrator.ts";
import {
  type ClaimedCommand,
  claimCommands,
  type Db,
  getExecution,
  migrate,
  openDb,
  requeueExpiredLeases,
} from "../../src/store/index.ts";
import { defaultTools } from "../../src/tools/index.ts";
import { HttpReporter } from "../../src/worker/http-reporter.ts";
import {
  type BatchOutcome,
  commandEvents,
  type EventReporter,
  ReportRejectedError,
  type ReportStatus,
  type WorkerEvent,
} from "../../src/worker/report.ts";
import { ReportQueue } from "../../src/worker/report-queue.ts";
import { Worker } from "../../src/worker/worker.ts";
import { noopChain } from "../helpers/playbooks.ts";
import { waitUntil } from "../helpers/processes.ts";

const loop = (n: number) => `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: batch_loop}
workflow:
  - step: start
    loop: {in: "{{ range(${n}) | list }}", iterator: i, mode: parallel}
    tool: {kind: noop, args: {i: "{{ i }}"}}
`;

/** A reporter whose answers are held until released: shows what the queue sends, and when. */
class HeldReporter implements EventReporter {
  readonly requests: WorkerEvent[][][] = [];
  private readonly held: Array<() => void> = [];

  constructor(private readonly inner?: EventReporter) {}

  async report(events: WorkerEvent[]): Promise<ReportStatus> {
    await this.hold([events]);
    return this.inner ? this.inner.report(events) : "accepted";
  }

  async reportMany(reports: WorkerEvent[][]): Promise<BatchOutcome[]> {
    await this.hold(reports);
    return this.inner?.reportMany ? this.inner.reportMany(reports) : reports.map(() => "accepted");
  }

  release(): void {
    for (const go of this.held.splice(0)) go();
  }

  private hold(reports: WorkerEvent[][]): Promise<void> {
    this.requests.push(reports);
    return new Promise((resolve) => this.held.push(resolve));
  }
}

const fakeReport = (id: string): WorkerEvent[] => [
  {
    name: "call.done",
    execution_id: "e",
    step: "s",
    step_run_id: "s:1",
    command_id: id,
    attempt: 1,
    worker_id: "w",
    lease_token: "t",
    payload: {},
  },
];

describe("ReportQueue", () => {
  test("a report goes at once while requests are free; the ones finished meanwhile leave together", async () => {
    const reporter = new HeldReporter();
    const queue = new ReportQueue(reporter, { maxRequests: 1 });
    const answers = ["a", "b", "c", "d"].map((id) => queue.send(fakeReport(id)));
    assert.deepEqual(
      reporter.requests.map((r) => r.map((events) => events[0]!.command_id)),
      [["a"]],
    );
    reporter.release();
    await waitUntil("the second request", () => reporter.requests.length === 2);
    assert.deepEqual(
      reporter.requests.map((r) => r.map((events) => events[0]!.command_id)),
      [["a"], ["b", "c", "d"]],
    );
    reporter.release();
    assert.deepEqual(await Promise.all(answers), ["accepted", "accepted", "accepted", "accepted"]);
  });
});

/** Large enough for one report of the split test, too small for two of them together. */
const BODY_LIMIT = 64 * 1024;

describe("batched reports over HTTP", () => {
  let db: Db;
  let app: FastifyInstance;
  let orchestrator: Orchestrator;
  let reporter: HttpReporter;

  beforeEach(async () => {
    db = await openDb({ memory: true });
    await migrate(db);
    ({ app, orchestrator } = buildServer({ db, log: silentLogger(), bodyLimit: BODY_LIMIT }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    assert.ok(address !== null && typeof address === "object");
    reporter = new HttpReporter({ serverUrl: `http://127.0.0.1:${address.port}` });
  });
  afterEach(async () => {
    await reporter.close();
    await app.close();
    await db.close();
  });

  test("a chain's next steps come back in the answers to the reports: the worker claims only the first", async () => {
    const chain = noopChain("pushed", ["start", "b", "c"]);
    let claims = 0;
    const counting: Db = {
      ...db,
      driver: db.driver,
      query: <T>(sql: string, params?: readonly unknown[]) => {
        if (sql.startsWith("WITH picked AS")) claims++;
        return db.query<T>(sql, params);
      },
    };
    const tools = defaultTools();
    const worker = new Worker({
      db: counting,
      tools,
      reporter,
      id: "pusher",
      concurrency: 4,
      leaseMs: 30_000,
      pollMs: 60_000,
      shutdownGraceMs: 1_000,
      log: silentLogger(),
      listen: false,
    });
    const { execution_id } = await orchestrator.execute({ playbook_yaml: chain });
    await worker.start();
    try {
      await waitUntil(
        "the chain to complete",
        async () => (await getExecution(db, execution_id))?.status === "completed",
      );
      // The start-up claim took the first step; b and c came leased in the answers (no NOTIFY, no poll: 60 s).
      assert.equal(claims, 1);
    } finally {
      await worker.stop();
      await tools.close();
    }
  });

  test("one request carries several reports and each gets its own answer", async () => {
    const { execution_id } = await orchestrator.execute({ playbook_yaml: loop(3) });
    const claimed = await claimCommands(db, { workerId: "A", limit: 10, leaseMs: 60_000 });
    const [first, second, third] = claimed as [ClaimedCommand, ClaimedCommand, ClaimedCommand];
    // The second command's lease expires and worker B takes it: A's report of it is stale.
    await db.query(
      "UPDATE command SET lease_expires_at = now() - interval '1 second' WHERE command_id = $1",
      [second.command_id],
    );
    await requeueExpiredLeases(db);
    await claimCommands(db, { workerId: "B", limit: 10, leaseMs: 60_000 });
    const unknown = commandEvents({ ...third, execution_id: "no-such-execution" }, "A", {
      ok: true,
      response: 0,
    });

    const outcomes = await reporter.reportMany([
      commandEvents(first, "A", { ok: true, response: 1 }),
      commandEvents(second, "A", { ok: true, response: 2 }),
      unknown,
      commandEvents(third, "A", { ok: true, response: 3 }),
    ]);
    assert.equal(outcomes[0], "accepted");
    assert.equal(outcomes[1], "stale");
    assert.ok(outcomes[2] instanceof ReportRejectedError && outcomes[2].status === 404, String(outcomes[2]));
    assert.equal(outcomes[3], "accepted");
    // Posting the same batch again changes nothing: the applied reports are duplicates now.
    const again = await reporter.reportMany([commandEvents(first, "A", { ok: true, response: 1 })]);
    assert.deepEqual(again, ["duplicate"]);
    const events = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM event WHERE execution_id = $1 AND name = 'call.done'",
      [execution_id],
    );
    assert.equal(events[0]!.n, 2);
  });

  test("a batch too large for the server together is sent again report by report, each accepted", async () => {
    const { execution_id } = await orchestrator.execute({ playbook_yaml: loop(2) });
    const claimed = await claimCommands(db, { workerId: "A", limit: 10, leaseMs: 60_000 });
    // Each report carries the result twice (call.done and step.exit): 40 KB alone, 80 KB together.
    const big = "x".repeat(20 * 1024);
    const outcomes = await reporter.reportMany(
      claimed.map((c) => commandEvents(c, "A", { ok: true, response: big })),
    );
    assert.deepEqual(outcomes, ["accepted", "accepted"]);
    assert.equal((await getExecution(db, execution_id))?.status, "completed");
  });
});

describe("worker slots", () => {
  let db: Db;
  let orchestrator: Orchestrator;
  const tools = defaultTools();

  before(async () => {
    db = await openDb({ memory: true });
    await migrate(db);
    ({ orchestrator } = buildServer({ db, log: silentLogger() }));
  });
  after(async () => {
    await tools.close();
    await db.close();
  });

  test("a command frees its slot when its tool ends, before the server has answered its report", async () => {
    const { execution_id } = await orchestrator.execute({ playbook_yaml: loop(3) });
    const reporter = new HeldReporter(new LocalReporter(orchestrator));
    const worker = new Worker({
      db,
      tools,
      reporter,
      id: "one-slot",
      concurrency: 1,
      leaseMs: 30_000,
      pollMs: 20,
      shutdownGraceMs: 1_000,
      log: silentLogger(),
      listen: false,
    });
    await worker.start();
    try {
      // With one slot and no report answered, all three commands still run.
      await waitUntil("all three commands reported", () => reporter.requests.flat().length === 3);
      assert.equal((await getExecution(db, execution_id))?.status, "running");
      const release = setInterval(() => reporter.release(), 5);
      await waitUntil(
        "the execution to complete",
        async () => (await getExecution(db, execution_id))?.status === "completed",
      );
      clearInterval(release);
    } finally {
      reporter.release();
      await worker.stop();
    }
  });
});
