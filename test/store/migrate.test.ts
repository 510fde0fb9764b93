import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { test } from "node:test";
import { loadMigrations, migrate } from "../../src/store/index.ts";
import { describeSchema } from "../../src/store/schema.ts";
import { forEachDatabase } from "../helpers/db.ts";

const SNAPSHOT = new URL("../fixtures/schema.txt", import.meta.url);
/** Set to regenerate test/fixtures/schema.txt after adding a migration. */
const UPDATE_SNAPSHOT = process.env.NOETL_UPDATE_SCHEMA_SNAPSHOT === "1";

test("migration files are numbered, unique and ordered", async () => {
  const migrations = await loadMigrations();
  assert.ok(migrations.length >= 1);
  assert.equal(migrations[0]?.name, "0001_init");
  const names = migrations.map((m) => m.name);
  assert.deepEqual(names, [...names].sort());
});

await forEachDatabase("store: migrations", (database) => {
  test("two processes migrating at once apply each file exactly once", async () => {
    const [a, b] = [await database.open({ max: 1 }), await database.open({ max: 1 })];
    const results = await Promise.all([migrate(a), migrate(b)]);
    const all = (await loadMigrations()).map((m) => m.name);
    assert.deepEqual([...results[0].applied, ...results[1].applied].sort(), all);
    const recorded = await a.query<{ name: string }>("SELECT name FROM noetl_migration ORDER BY name");
    assert.deepEqual(
      recorded.map((r) => r.name),
      all,
    );
  });

  test("migrating again applies nothing and changes nothing", async () => {
    const db = await database.open();
    const before = await describeSchema(db);
    assert.deepEqual(await migrate(db), { applied: [] });
    assert.deepEqual(await describeSchema(db), before);
  });

  test("a failing migration leaves no trace", async () => {
    const db = await database.open();
    const broken = [
      { name: "9999_broken", sql: "CREATE TABLE half_done (x int); SELECT no_such_column FROM half_done;" },
    ];
    await assert.rejects(migrate(db, broken));
    const tables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    assert.equal(tables.length, 0);
    assert.equal((await db.query("SELECT 1 FROM noetl_migration WHERE name = '9999_broken'")).length, 0);
  });

  test("the live schema matches test/fixtures/schema.txt (no drift from the migration files)", async () => {
    const db = await database.open();
    const live = `${(await describeSchema(db)).join("\n")}\n`;
    if (UPDATE_SNAPSHOT) await writeFile(SNAPSHOT, live);
    const expected = await readFile(SNAPSHOT, "utf8");
    assert.equal(
      live,
      expected,
      "schema drift: run with NOETL_UPDATE_SCHEMA_SNAPSHOT=1 if the change is intended",
    );
  });
});

await forEachDatabase("store: state compression", (database) => {
  test("the state checkpoint is lz4-compressed where the server has lz4, pglz elsewhere", async () => {
    const db = await database.open();
    await migrate(db);
    const [column] = await db.query<{ compression: string }>(
      "SELECT attcompression::text AS compression FROM pg_attribute WHERE attrelid = 'execution'::regclass AND attname = 'state'",
    );
    // PGlite is built without lz4 and keeps the default (an empty attcompression means pglz).
    assert.equal(column?.compression, db.driver === "postgres" ? "l" : "");
  });
});
