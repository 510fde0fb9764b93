/**
 * The orchestrator's playbook cache is bounded: a server that gets `playbook_yaml` with every execution
 * registers a version per execution, and must not keep every parsed version in memory forever.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { type Db, migrate } from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";

const version = (n: number) => `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: cached, path: tests/cached}
workload: {n: ${n}}
workflow:
  - step: start
    tool: {kind: noop}
`;

await forEachDatabase("playbook cache", (database) => {
  let db: Db;

  before(async () => {
    db = await database.open();
    await migrate(db);
  });

  test("keeps at most maxCached parsed versions; an evicted version is parsed again on demand", async () => {
    const catalog = new PlaybookCatalog(db, 2);
    for (let n = 1; n <= 5; n++) assert.equal((await catalog.register(version(n))).version, n);
    assert.equal(catalog.cached, 2);
    const first = await catalog.load("tests/cached", 1);
    assert.equal(first.version, 1);
    assert.deepEqual(first.playbook.workload, { n: 1 });
    assert.equal(typeof first.engine.handle, "function");
    assert.equal(catalog.cached, 2);
    // Recently used versions stay: loading v1 again is the cached object.
    assert.equal(await catalog.load("tests/cached", 1), first);
    assert.equal((await catalog.load("tests/cached")).version, 5, "latest by default");
  });
});
