import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  getExecution,
  insertExecution,
  migrate,
  openDb,
  pgliteDir,
  StoreError,
} from "../../src/store/index.ts";
import { postgresReachable } from "../helpers/db.ts";

test("embedded PGlite keeps its data in <dataDir>/pgdata across reopen", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "noetl-store-"));
  try {
    const first = await openDb({ dataDir });
    assert.equal(first.driver, "pglite");
    assert.deepEqual(await migrate(first), {
      applied: ["0001_init", "0002_children_and_pending", "0003_state_journal", "0004_state_lz4"],
    });
    await insertExecution(first, { id: "kept", playbookPath: "p", playbookVersion: 1, workload: { a: 1 } });
    await first.close();
    assert.ok(existsSync(join(pgliteDir(dataDir), "PG_VERSION")));

    const second = await openDb({ dataDir });
    assert.deepEqual(await migrate(second), { applied: [] });
    assert.deepEqual((await getExecution(second, "kept"))?.workload, { a: 1 });
    await second.close();
    await second.close();
    await assert.rejects(
      second.query("SELECT 1"),
      (err) => err instanceof StoreError && err.code === "E_DB_CLOSED",
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("a url that is not postgres:// is refused with a stable code", async () => {
  await assert.rejects(
    openDb({ url: "mysql://localhost/db" }),
    (err) => err instanceof StoreError && err.code === "E_DB_OPTIONS",
  );
});

test("a closed PostgreSQL pool refuses queries with a stable code", {
  skip: (await postgresReachable()) ? false : "PostgreSQL not reachable",
}, async () => {
  const db = await openDb({
    url: process.env.NOETL_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test",
  });
  assert.equal(db.driver, "postgres");
  await db.close();
  await db.close();
  await assert.rejects(
    db.query("SELECT 1"),
    (err) => err instanceof StoreError && err.code === "E_DB_CLOSED",
  );
});

test("PostgreSQL sessions use generic plans; commits wait for the WAL flush unless asked not to", {
  skip: (await postgresReachable()) ? false : "PostgreSQL not reachable",
}, async () => {
  const url = process.env.NOETL_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
  const settings = async (db: Awaited<ReturnType<typeof openDb>>) =>
    (
      await db.query<{ plan: string; sync: string }>(
        "SELECT current_setting('plan_cache_mode') AS plan, current_setting('synchronous_commit') AS sync",
      )
    )[0];
  const server = await openDb({ url });
  const worker = await openDb({ url, synchronousCommit: false });
  try {
    assert.deepEqual(await settings(server), { plan: "force_generic_plan", sync: "on" });
    assert.deepEqual(await settings(worker), { plan: "force_generic_plan", sync: "off" });
  } finally {
    await server.close();
    await worker.close();
  }
});
