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

test("embedded PGlite keeps its data in <dataDir>/pgdata across reopen", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "noetl-store-"));
  try {
    const first = await openDb({ dataDir });
    assert.equal(first.driver, "pglite");
    assert.deepEqual(await migrate(first), { applied: ["0001_init"] });
    await insertExecution(first, { id: "kept", playbookPath: "p", playbookVersion: 1, workload: { a: 1 } });
    await first.close();
    assert.ok(existsSync(join(pgliteDir(dataDir), "PG_VERSION")));

    const second = await openDb({ dataDir });
    assert.deepEqual(await migrate(second), { applied: [] });
    assert.deepEqual((await getExecution(second, "kept"))?.workload, { a: 1 });
    await second.close();
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
