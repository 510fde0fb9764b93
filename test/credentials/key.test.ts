/** The master key: hex, base64 or passphrase from NOETL_SECRET_KEY, or a 0600 key file made on first use. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  CredentialError,
  decryptCredential,
  defaultKeyFile,
  encryptCredential,
  loadSecretKey,
  openCredentialKey,
  parseSecretKey,
} from "../../src/credentials/index.ts";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "noetl-key-"));
  dirs.push(dir);
  return dir;
}
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("credentials: key sources", () => {
  test("hex, base64 and base64url of the same 32 bytes are the same key", () => {
    const bytes = randomBytes(32);
    const hex = parseSecretKey(bytes.toString("hex"), "hex");
    const b64 = parseSecretKey(bytes.toString("base64"), "b64");
    const b64url = parseSecretKey(bytes.toString("base64url"), "b64url");
    assert.deepEqual(hex.bytes, bytes);
    assert.deepEqual(b64.bytes, bytes);
    assert.deepEqual(b64url.bytes, bytes);
    assert.equal(hex.id, b64.id);
    assert.equal(parseSecretKey(` ${bytes.toString("hex").toUpperCase()}\n`, "padded").id, hex.id);
  });

  test("a passphrase derives the same key in every process, and another passphrase another key", () => {
    const one = parseSecretKey("correct horse battery staple", "NOETL_SECRET_KEY");
    const again = parseSecretKey("correct horse battery staple", "NOETL_SECRET_KEY");
    const other = parseSecretKey("correct horse battery stapler", "NOETL_SECRET_KEY");
    assert.equal(one.bytes.length, 32);
    assert.deepEqual(one.bytes, again.bytes);
    assert.notDeepEqual(one.bytes, other.bytes);
    const blob = encryptCredential(one, { name: "x", type: "t", data: { a: 1 } });
    assert.deepEqual(decryptCredential(again, { name: "x", type: "t", data: blob }), { a: 1 });
  });

  test("a short passphrase is refused with a message that does not repeat it", () => {
    assert.throws(
      () => parseSecretKey("hunter2", "NOETL_SECRET_KEY"),
      (err: unknown) =>
        err instanceof CredentialError &&
        err.code === "E_CREDENTIAL_KEY" &&
        /NOETL_SECRET_KEY/.test(err.message) &&
        /12 characters/.test(err.message) &&
        !err.message.includes("hunter2"),
    );
  });

  test("the key file is created on first use with mode 0600, then reused", async () => {
    const dir = await tempDir();
    const keyFile = join(dir, "nested", "secret.key");
    const first = await loadSecretKey({ keyFile }, { create: true });
    assert.equal(first.created, true);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, "nested"))).mode & 0o077, 0);
    assert.equal(first.key.source, keyFile);
    const second = await loadSecretKey({ keyFile }, { create: true });
    assert.equal(second.created, false);
    assert.deepEqual(second.key.bytes, first.key.bytes);
    assert.equal(Buffer.from((await readFile(keyFile, "utf8")).trim(), "base64").length, 32);
  });

  test("processes creating the key file at once agree on one key", async () => {
    const keyFile = join(await tempDir(), "secret.key");
    const all = await Promise.all(
      Array.from({ length: 8 }, () => loadSecretKey({ keyFile }, { create: true })),
    );
    assert.equal(all.filter((loaded) => loaded.created).length, 1);
    for (const loaded of all) assert.deepEqual(loaded.key.bytes, all[0]?.key.bytes);
  });

  test("without create (a worker) a missing key file is not created", async () => {
    const keyFile = join(await tempDir(), "secret.key");
    assert.equal(await loadSecretKey({ keyFile }, { create: false }), undefined);
    await assert.rejects(stat(keyFile), { code: "ENOENT" });
  });

  test("NOETL_SECRET_KEY wins over the key file", async () => {
    const keyFile = join(await tempDir(), "secret.key");
    await writeFile(keyFile, `${"33".repeat(32)}\n`, { mode: 0o600 });
    const fromFile = await loadSecretKey({ keyFile }, { create: false });
    const fromEnv = await loadSecretKey({ keyFile, secretKey: "44".repeat(32) }, { create: false });
    assert.deepEqual(fromFile?.key.bytes, Buffer.alloc(32, 0x33));
    assert.deepEqual(fromEnv?.key.bytes, Buffer.alloc(32, 0x44));
    assert.equal(fromEnv?.key.source, "NOETL_SECRET_KEY");
  });

  test("a key file that is not a key is a clear error naming the file", async () => {
    const keyFile = join(await tempDir(), "secret.key");
    await writeFile(keyFile, "short\n");
    await assert.rejects(loadSecretKey({ keyFile }, { create: true }), (err: unknown) => {
      return (
        err instanceof CredentialError && err.code === "E_CREDENTIAL_KEY" && err.message.includes(keyFile)
      );
    });
  });

  test("default key file: <dataDir>/secret.key embedded, ~/.noetl/secret.key with PostgreSQL", async () => {
    assert.equal(defaultKeyFile({ databaseUrl: undefined, dataDir: "/srv/noetl" }), "/srv/noetl/secret.key");
    assert.equal(
      defaultKeyFile({ databaseUrl: "postgres://db/noetl", dataDir: ".noetl" }, "/home/etl"),
      "/home/etl/.noetl/secret.key",
    );
    const dataDir = await tempDir();
    const config = { databaseUrl: undefined, dataDir, secretKey: undefined };
    assert.equal(await openCredentialKey(config, { create: false }), undefined);
    const created = await openCredentialKey(config, { create: true });
    assert.deepEqual((await openCredentialKey(config, { create: false }))?.bytes, created.bytes);
  });
});
