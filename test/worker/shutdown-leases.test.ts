/**
 * A worker that is stopping keeps extending the leases of what it still runs during the grace period:
 * otherwise the reaper re-queued a command the worker was about to finish, and another worker ran it again
 * (a chaos run saw a python step running twice, 29 s after SIGTERM with the default lease and grace).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { silentLogger } from "../../src/logger.ts";
import { LocalReporter } from "../../src/runtime/local-reporter.ts";
import { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { type Db, migrate, openDb, requeueExpiredLeases } from "../../src/store/index.ts";
import { ToolRegistry } from "../../src/tools/index.ts";
import type { Tool } from "../../src/tools/types.ts";
import { Worker } from "../../src/worker/worker.ts";
import { waitUntil } from "../helpers/processes.ts";

const LEASE_MS = 600;

/** A tool that takes 4 lease periods, unless aborted. */
const slow: Tool = {
  kind: "noop",
  validate: () => [],
  execute: (_config, args, ctx) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: true, response: args }), 4 * LEASE_MS);
      ctx.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
    }),
};

let db: Db;
before(async () => {
  db = await openDb({ memory: true });
  await migrate(db);
});
after(() => db?.close());

test("leases are extended during the grace period, so nothing is reaped and run twice", async () => {
  const orchestrator = new Orchestrator(db, new PlaybookCatalog(db), silentLogger());
  const worker = new Worker({
    db,
    tools: new ToolRegistry().register(slow),
    reporter: new LocalReporter(orchestrator),
    id: "stopping",
    concurrency: 1,
    leaseMs: LEASE_MS,
    pollMs: 50,
    shutdownGraceMs: 10 * LEASE_MS,
    log: silentLogger(),
    listen: false,
  });
  const yaml =
    "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: slow}\nworkflow:\n  - step: start\n    tool: {kind: noop}\n";
  const { execution_id: id } = await orchestrator.execute({ playbook_yaml: yaml });
  await worker.start();
  await waitUntil("the command is claimed", async () => worker.busy === 1 || undefined);
  const stopped = worker.stop();
  // The reaper runs throughout: with the heartbeat stopped, the lease expired after one period.
  const requeued: unknown[] = [];
  while (worker.busy > 0) {
    requeued.push(...(await requeueExpiredLeases(db)));
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 4));
  }
  await stopped;
  assert.deepEqual(requeued, []);
  const [row] = await db.query<{ status: string }>("SELECT status FROM execution WHERE id = $1", [id]);
  assert.equal(row?.status, "completed");
});
