import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  type Db,
  deleteCredential,
  getCredential,
  listCredentials,
  migrate,
  putCredential,
} from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";

await forEachDatabase("store: credentials", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
  });

  test("store, replace, list and delete encrypted blobs", async () => {
    await putCredential(db, { name: "pg_main", type: "postgres", data: new Uint8Array([1, 2, 3]) });
    await putCredential(db, { name: "api", type: "http_bearer", data: new Uint8Array([9]) });
    const first = await getCredential(db, "pg_main");
    assert.deepEqual([first?.type, first?.data], ["postgres", new Uint8Array([1, 2, 3])]);

    await putCredential(db, { name: "pg_main", type: "postgres", data: new Uint8Array([4, 0, 255]) });
    const replaced = await getCredential(db, "pg_main");
    assert.deepEqual(replaced?.data, new Uint8Array([4, 0, 255]));
    assert.equal(replaced?.created_at, first?.created_at);

    const list = await listCredentials(db);
    assert.deepEqual(
      list.map((c) => [c.name, c.type, "data" in c]),
      [
        ["api", "http_bearer", false],
        ["pg_main", "postgres", false],
      ],
    );
    assert.equal(await deleteCredential(db, "api"), true);
    assert.equal(await deleteCredential(db, "api"), false);
    assert.equal(await getCredential(db, "api"), undefined);
  });
});
