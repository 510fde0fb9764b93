import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  type Db,
  getPlaybook,
  listPlaybooks,
  listPlaybookVersions,
  migrate,
  registerPlaybookVersion,
} from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";

const playbook = (path: string, marker: number) => ({
  path,
  yaml: `apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: ${path}}\n# ${marker}\n`,
  parsed: { apiVersion: "noetl.io/v2", kind: "Playbook", metadata: { name: path, path }, marker },
});

await forEachDatabase("store: playbook catalog", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
  });

  test("each registration of a path gets the next version; the latest is the default", async () => {
    const v1 = await registerPlaybookVersion(db, playbook("demo/hello", 1));
    const v2 = await registerPlaybookVersion(db, playbook("demo/hello", 2));
    const other = await registerPlaybookVersion(db, playbook("demo/other", 1));
    assert.deepEqual([v1.version, v2.version, other.version], [1, 2, 1]);
    assert.equal(v1.path, "demo/hello");
    assert.match(v1.registered_at, /Z$/);

    const latest = await getPlaybook(db, "demo/hello");
    assert.deepEqual([latest?.version, latest?.parsed.marker], [2, 2]);
    const first = await getPlaybook(db, "demo/hello", 1);
    assert.deepEqual([first?.version, first?.yaml], [1, playbook("demo/hello", 1).yaml]);
    assert.equal(await getPlaybook(db, "demo/hello", 3), undefined);
    assert.equal(await getPlaybook(db, "missing"), undefined);
    assert.deepEqual(
      (await listPlaybookVersions(db, "demo/hello")).map((v) => v.version),
      [2, 1],
    );
  });

  test("concurrent registrations of one path get distinct consecutive versions", async () => {
    const handles = await Promise.all([database.open({ max: 3 }), database.open({ max: 3 })]);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => registerPlaybookVersion(handles[i % 2]!, playbook("race/path", i))),
    );
    assert.deepEqual(results.map((r) => r.version).sort(), [1, 2, 3, 4, 5, 6]);
  });

  test("listPlaybooks gives each path's latest version and version count", async () => {
    const list = await listPlaybooks(db);
    assert.deepEqual(
      list.map((p) => [p.path, p.version, p.versions]),
      [
        ["demo/hello", 2, 2],
        ["demo/other", 1, 1],
        ["race/path", 6, 6],
      ],
    );
  });

  test("registering the latest version's text again is that version, not a new one", async () => {
    const first = await registerPlaybookVersion(db, playbook("demo/same", 1));
    const again = await registerPlaybookVersion(db, playbook("demo/same", 1));
    const changed = await registerPlaybookVersion(db, playbook("demo/same", 2));
    const back = await registerPlaybookVersion(db, playbook("demo/same", 1));
    assert.deepEqual(
      [first, again, changed, back].map((r) => [r.version, r.created]),
      [
        [1, true],
        [1, false],
        [2, true],
        [3, true], // only the latest counts: going back to an older text is a new version
      ],
    );
  });
});
