/** Key rotation: every credential re-encrypted with the new key in one transaction, or none at all. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  CredentialError,
  createCredentialResolver,
  parseSecretKey,
  readCredential,
  rekeyCredentials,
  storeCredential,
} from "../../src/credentials/index.ts";
import { type Db, getCredential, migrate } from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { command } from "../tools/helpers.ts";

const OLD = parseSecretKey("aa".repeat(32), "old key");
const NEW = parseSecretKey("bb".repeat(32), "new key");
const STRAY = parseSecretKey("cc".repeat(32), "stray key");

await forEachDatabase("credentials: rekey", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
    await storeCredential(db, OLD, { name: "one", type: "bearer", data: { token: "token-one" } });
    await storeCredential(db, OLD, { name: "two", type: "bearer", data: { token: "token-two" } });
    await storeCredential(db, NEW, { name: "fresh", type: "bearer", data: { token: "token-fresh" } });
  });

  test("a credential no given key opens aborts the whole rotation, changing nothing", async () => {
    await storeCredential(db, STRAY, { name: "stray", type: "bearer", data: { token: "token-stray" } });
    const before = (await getCredential(db, "one"))?.data;
    await assert.rejects(rekeyCredentials(db, [OLD], NEW), (err: unknown) => {
      return (
        err instanceof CredentialError && err.code === "E_CREDENTIAL_WRONG_KEY" && err.credential === "stray"
      );
    });
    assert.deepEqual((await getCredential(db, "one"))?.data, before);
    await db.query("DELETE FROM credential WHERE name = 'stray'");
  });

  test("old blobs move to the new key; blobs already under it stay; the old key no longer opens anything", async () => {
    const result = await rekeyCredentials(db, [OLD], NEW);
    assert.deepEqual(result, { rekeyed: ["one", "two"], unchanged: ["fresh"] });
    for (const name of ["one", "two", "fresh"]) {
      assert.equal((await getCredential(db, name))?.data[1], NEW.id);
      await assert.rejects(readCredential(db, OLD, name), CredentialError);
    }
    const { command: resolved } = await createCredentialResolver(db, NEW).resolve(
      command({ kind: "noop", auth: "two" }),
    );
    assert.deepEqual(resolved.tool.auth, { type: "bearer", token: "token-two" });
  });
});
