/**
 * The server vacuums the queue table itself after enough finished commands: dead command rows must not
 * pile up where autovacuum is off or late (PGlite has none).
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { silentLogger } from "../../src/logger.ts";
import { QueueVacuum } from "../../src/server/queue-vacuum.ts";
import { type Db, insertCommands, migrate } from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { makeCommands } from "../store/fixtures.ts";

await forEachDatabase("server: queue vacuum", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
  });

  const pages = async () =>
    Number(
      (await db.query<{ pages: number }>("SELECT pg_relation_size('command') / 8192 AS pages"))[0]!.pages,
    );

  test("after `every` finished commands the table is vacuumed, and not before", async () => {
    await insertCommands(db, makeCommands(500, "vac"));
    await db.query("DELETE FROM command");
    const before = await pages();
    assert.ok(before > 0);
    const vacuum = new QueueVacuum(db, silentLogger(), 300);
    vacuum.commandsFinished(299);
    await vacuum.idle();
    assert.equal(await pages(), before, "no vacuum before 300 commands finished");
    vacuum.commandsFinished(1);
    await vacuum.idle();
    // Every row is dead: the vacuum frees them all and truncates the empty pages away.
    assert.equal(await pages(), 0);
  });
});
