/**
 * A worker whose report the server refuses for good (here: larger than the server's body limit) reports a
 * failed call with the real cause, once, instead of dropping the result and letting the command run again
 * until its claims are spent ("worker_lost").
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { silentLogger } from "../../src/logger.ts";
import { buildServer } from "../../src/server/app.ts";
import type { Orchestrator } from "../../src/server/orchestrator.ts";
import { type Db, getExecution, migrate } from "../../src/store/index.ts";
import { defaultTools, type ToolRegistry } from "../../src/tools/index.ts";
import { HttpReporter } from "../../src/worker/http-reporter.ts";
import { Worker } from "../../src/worker/worker.ts";
import { forEachDatabase } from "../helpers/db.ts";

const BODY_LIMIT = 64 * 1024;

const ECHO = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: echo, path: tests/echo}
workflow:
  - step: start
    tool: {kind: noop, args: {blob: "{{ workload.blob }}"}}
`;

await forEachDatabase("reports the server refuses", (database) => {
  let db: Db;
  let app: FastifyInstance;
  let orchestrator: Orchestrator;
  let tools: ToolRegistry;
  let reporter: HttpReporter;
  let worker: Worker;

  before(async () => {
    db = await database.open();
    await migrate(db);
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
    const { execution_id } = await orchestrator.execute({ playbook_yaml: ECHO, payload: { blob: "small" } });
    assert.equal(await worker.runOnce(), 1);
    const row = await getExecution(db, execution_id);
    assert.equal(row?.status, "completed", JSON.stringify(row?.error));
    assert.deepEqual(row?.result, { blob: "small" });
  });
});
