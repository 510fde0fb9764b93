/**
 * Lost workers and stale workers, driven in-process (claims made with the store's claim statement, time
 * moved by backdating leases, the reaper run with runOnce, reports posted through app.inject):
 * - a command whose claims are spent fails its execution with error kind worker_lost;
 * - a worker whose lease was taken over is refused (409) and changes nothing;
 * - a re-posted identical batch is answered `duplicate` and stored once;
 * - a worker whose command was cancelled under it stops the tool at its next heartbeat;
 * - a result the server refuses for good (above its body limit) fails the call as result_rejected, once,
 *   instead of being dropped and run again until its claims are spent ("worker_lost").
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { silentLogger } from "../../src/logger.ts";
import { LocalReporter } from "../../src/runtime/local-reporter.ts";
import { buildServer } from "../../src/server/app.ts";
import type { Orchestrator } from "../../src/server/orchestrator.ts";
import { Reaper } from "../../src/server/reaper.ts";
import {
  type ClaimedCommand,
  claimCommands,
  type Db,
  getCommand,
  getExecution,
  migrate,
} from "../../src/store/index.ts";
import { defaultTools, type ToolRegistry } from "../../src/tools/index.ts";
import { HttpReporter } from "../../src/worker/http-reporter.ts";
import { commandEvents, type LeasedCommand } from "../../src/worker/report.ts";
import { Worker } from "../../src/worker/worker.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { waitUntil, within } from "../helpers/processes.ts";
import { sleepyPlaybook } from "./support.ts";

const ONE_STEP = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: one_step, path: tests/one_step}
workflow:
  - step: start
    tool: {kind: noop, args: {n: 1}}
`;

const BODY_LIMIT = 64 * 1024;

const ECHO = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: echo, path: tests/echo}
workflow:
  - step: start
    tool: {kind: noop, args: {blob: "{{ workload.blob }}"}}
`;

await forEachDatabase("lost and stale workers", (database) => {
  let db: Db;
  let app: FastifyInstance;
  let orchestrator: Orchestrator;
  let reaper: Reaper;
  let dir: string;

  before(async () => {
    db = await database.open();
    await migrate(db);
    const log = silentLogger();
    ({ app, orchestrator } = buildServer({ db, log }));
    reaper = new Reaper(orchestrator, 60_000, log);
    dir = await mkdtemp(join(tmpdir(), "noetl-recovery-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function claimOne(workerId: string): Promise<ClaimedCommand> {
    const [claimed] = await claimCommands(db, { workerId, limit: 1, leaseMs: 60_000 });
    assert.ok(claimed, `${workerId} found nothing to claim`);
    return claimed;
  }

  /** Moves time: the lease is over (nobody heartbeats a dead worker's lease). */
  async function expire(commandId: string): Promise<void> {
    await db.query(
      "UPDATE command SET lease_expires_at = now() - interval '1 second' WHERE command_id = $1",
      [commandId],
    );
  }

  async function eventCount(executionId: string): Promise<number> {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM event WHERE execution_id = $1",
      [executionId],
    );
    return row!.n;
  }

  const events = (command: ClaimedCommand, workerId: string) =>
    commandEvents(command as LeasedCommand, workerId, { ok: true, response: { n: 1 } });

  test("the reaper's own loop (start/stop) requeues an expired lease without help", async () => {
    const { execution_id } = await orchestrator.execute({ playbook_yaml: ONE_STEP });
    const c = await claimOne("vanished");
    await expire(c.command_id);
    const loop = new Reaper(orchestrator, 50, silentLogger());
    loop.start();
    try {
      await waitUntil("the loop to requeue the command", async () => {
        return (await getCommand(db, c.command_id))?.status === "queued";
      });
    } finally {
      await loop.stop();
    }
    await orchestrator.cancel(execution_id);
  });

  test("a command whose workers keep dying is requeued until its claims are spent, then fails as worker_lost", async () => {
    const { execution_id } = await orchestrator.execute({ playbook_yaml: ONE_STEP });
    for (let claim = 1; claim <= 2; claim++) {
      const c = await claimOne(`doomed-${claim}`);
      assert.equal(c.claims, claim);
      await expire(c.command_id);
      assert.deepEqual(await reaper.runOnce(), { requeued: 1, failed: 0 });
      assert.equal((await getCommand(db, c.command_id))?.status, "queued");
    }
    const last = await claimOne("doomed-3");
    assert.equal(last.claims, last.max_claims);
    await expire(last.command_id);
    assert.deepEqual(await reaper.runOnce(), { requeued: 0, failed: 1 });

    const row = await getExecution(db, execution_id);
    assert.equal(row?.status, "failed");
    // The execution's error is the failed step's; the call error under it says why.
    const error = row?.error as { code?: string; call_error?: { kind?: string } } | null;
    assert.equal(error?.code, "E_STEP_FAILED", JSON.stringify(error));
    assert.equal(error?.call_error?.kind, "worker_lost", JSON.stringify(error));
    assert.equal(await getCommand(db, last.command_id), undefined, "the command left the queue");
    const done = await db.query<{ worker_id: string; payload: { error: { kind: string } } }>(
      "SELECT worker_id, payload FROM event WHERE execution_id = $1 AND name = 'call.done'",
      [execution_id],
    );
    assert.deepEqual(
      done.map((e) => [e.worker_id, e.payload.error.kind]),
      [["reaper", "worker_lost"]],
    );
  });

  test("a stale worker's late events are refused with 409 and change nothing", async () => {
    const { execution_id } = await orchestrator.execute({ playbook_yaml: ONE_STEP });
    const stale = await claimOne("slow-worker");
    await expire(stale.command_id);
    assert.deepEqual(await reaper.runOnce(), { requeued: 1, failed: 0 });
    const fresh = await claimOne("fresh-worker");
    assert.equal(fresh.command_id, stale.command_id);
    assert.notEqual(fresh.lease_token, stale.lease_token);

    const before = await eventCount(execution_id);
    const refused = await app.inject({
      method: "POST",
      url: "/api/v2/events",
      payload: { events: events(stale, "slow-worker") },
    });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error.code, "E_LEASE_LOST");
    assert.equal(await eventCount(execution_id), before, "no event stored");
    const still = await getCommand(db, fresh.command_id);
    assert.equal(still?.status, "leased");
    assert.equal(still?.lease_owner, "fresh-worker");
    assert.equal((await getExecution(db, execution_id))?.status, "running");

    // The worker holding the lease completes it.
    const accepted = await app.inject({
      method: "POST",
      url: "/api/v2/events",
      payload: { events: events(fresh, "fresh-worker") },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.deepEqual(
      accepted.json().acks.map((a: { status: string }) => a.status),
      ["accepted"],
    );
    assert.equal((await getExecution(db, execution_id))?.status, "completed");

    // Later still, after the command is done and gone: refused all the same.
    const stored = await eventCount(execution_id);
    const late = await app.inject({
      method: "POST",
      url: "/api/v2/events",
      payload: { events: events(stale, "slow-worker") },
    });
    assert.equal(late.statusCode, 409, late.body);
    assert.equal(await eventCount(execution_id), stored);
  });

  test("a re-posted identical batch (same lease token) is answered duplicate and stored once", async () => {
    const { execution_id } = await orchestrator.execute({ playbook_yaml: ONE_STEP });
    const c = await claimOne("twice");
    const batch = { events: events(c, "twice") };
    const first = await app.inject({ method: "POST", url: "/api/v2/events", payload: batch });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().acks[0].status, "accepted");
    const stored = await eventCount(execution_id);

    const again = await app.inject({ method: "POST", url: "/api/v2/events", payload: batch });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json().acks, [
      { execution_id, command_id: c.command_id, status: "duplicate", execution_status: "completed" },
    ]);
    assert.equal(await eventCount(execution_id), stored);
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM event WHERE command_id = $1 AND name = 'call.done'",
      [c.command_id],
    );
    assert.equal(row!.n, 1);
  });

  test("cancelling an execution whose command is running: the worker stops the tool at its next heartbeat", async () => {
    const tools = defaultTools();
    const worker = new Worker({
      db,
      tools,
      reporter: new LocalReporter(orchestrator),
      id: "busy",
      concurrency: 1,
      leaseMs: 60_000,
      pollMs: 60_000,
      shutdownGraceMs: 1_000,
      log: silentLogger(),
    });
    try {
      const marker = join(dir, `cancelled-${database.name}`);
      const { execution_id } = await orchestrator.execute({
        playbook_yaml: sleepyPlaybook("tests/cancelled"),
        payload: { marker, seconds: 120 },
      });
      const ran = worker.runOnce();
      await waitUntil("the python step to be sleeping", () => existsSync(marker));
      const ack = await orchestrator.cancel(execution_id, "no longer needed");
      assert.equal(ack.execution_status, "cancelled");
      await worker.heartbeat();
      // Without the abort, runOnce would wait for the 120 s sleep to end.
      assert.equal(await within("the worker to stop the tool", ran), 1);
      assert.equal(existsSync(`${marker}.done`), false, "the step never finished");
      const calls = await db.query("SELECT 1 FROM event WHERE execution_id = $1 AND name = 'call.done'", [
        execution_id,
      ]);
      assert.equal(calls.length, 0, "nothing reported");
      assert.equal((await getExecution(db, execution_id))?.status, "cancelled");
    } finally {
      await worker.stop(0);
      await tools.close();
    }
  });

  // A second server on the same database, with a small body limit, reached over HTTP.
  describe("reports the server refuses for good", () => {
    let app: FastifyInstance;
    let orchestrator: Orchestrator;
    let tools: ToolRegistry;
    let reporter: HttpReporter;
    let worker: Worker;

    before(async () => {
      const log = silentLogger();
      ({ app, orchestrator } = buildServer({ db, log, bodyLimit: BODY_LIMIT }));
      await app.listen({ port: 0, host: "127.0.0.1" });
      const address = app.server.address();
      assert.ok(address !== null && typeof address === "object");
      tools = defaultTools();
      reporter = new HttpReporter({ serverUrl: `http://127.0.0.1:${address.port}` });
      worker = new Worker({
        db,
        tools,
        reporter,
        id: "reporter-test",
        concurrency: 2,
        leaseMs: 30_000,
        pollMs: 1_000,
        shutdownGraceMs: 1_000,
        log,
      });
    });
    after(async () => {
      await reporter.close();
      await app.close();
      await tools.close();
    });

    test("a result above the server's body limit fails the call as result_rejected (413), run once", async () => {
      const { execution_id } = await orchestrator.execute({
        playbook_yaml: ECHO,
        payload: { blob: "x".repeat(BODY_LIMIT) },
      });
      assert.equal(await worker.runOnce(), 1);
      const row = await getExecution(db, execution_id);
      assert.equal(row?.status, "failed");
      const error = row?.error as { call_error?: { kind: string; status: number; message: string } };
      assert.equal(error.call_error?.kind, "result_rejected", JSON.stringify(error));
      assert.equal(error.call_error?.status, 413);
      assert.match(error.call_error?.message ?? "", /too large/i);
      const calls = await db.query<{ worker_id: string }>(
        "SELECT worker_id FROM event WHERE execution_id = $1 AND name = 'call.done'",
        [execution_id],
      );
      assert.deepEqual(
        calls.map((c) => c.worker_id),
        ["reporter-test"],
      );
      assert.equal(await worker.runOnce(), 0, "nothing requeued");
    });

    test("a result below the limit goes through unchanged", async () => {
      const { execution_id } = await orchestrator.execute({
        playbook_yaml: ECHO,
        payload: { blob: "small" },
      });
      assert.equal(await worker.runOnce(), 1);
      const row = await getExecution(db, execution_id);
      assert.equal(row?.status, "completed", JSON.stringify(row?.error));
      assert.deepEqual(row?.result, { blob: "small" });
    });
  });
});
