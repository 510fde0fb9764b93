/**
 * `noetl credential add|list|delete`, directly on an embedded data dir (where `noetl run` finds them) and
 * through a server's API. Nothing printed ever contains a value.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { ApiRequestError } from "../../src/cli/client.ts";
import {
  credentialAdd,
  credentialDelete,
  credentialList,
  credentialRekey,
} from "../../src/cli/commands/credential.ts";
import { UsageError } from "../../src/cli/payload.ts";
import { loadConfig } from "../../src/config.ts";
import { createCredentialResolver, openCredentialKey, parseSecretKey } from "../../src/credentials/index.ts";
import { silentLogger } from "../../src/logger.ts";
import { buildServer } from "../../src/server/app.ts";
import { credentialRoutes } from "../../src/server/routes/credentials.ts";
import { openPglite } from "../../src/store/db-pglite.ts";
import { type Db, migrate, openDb, pgliteDir } from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { command } from "../tools/helpers.ts";

const PASSWORD = "cli-Pa55word-0123";
const noStdin = async () => "";

/**
 * Seeds a data dir from the initialised-PGlite dump that test/helpers/db.ts caches in the temp folder:
 * initdb of a fresh data dir took 9 s here under load, loading the dump well under 1 s.
 */
async function seedDataDir(dataDir: string): Promise<void> {
  const manifest = join(
    dirname(fileURLToPath(import.meta.resolve("@electric-sql/pglite"))),
    "..",
    "package.json",
  );
  const { version } = JSON.parse(await readFile(manifest, "utf8")) as { version: string };
  let dump: Blob;
  try {
    dump = new Blob([await readFile(join(tmpdir(), `noetl-pglite-template-${version}.tar`))]);
  } catch {
    return; // no cached dump yet: the first command runs initdb itself
  }
  const db = await openPglite(pgliteDir(dataDir), { loadDataDir: dump });
  await db.close();
}

describe("noetl credential: direct on the embedded data dir", () => {
  let dir: string;
  let dataDir: string;
  const outputs: string[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "noetl-cred-cli-"));
    dataDir = join(dir, "data");
    await seedDataDir(dataDir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("add (from a file and from --data), list, delete; the key file is created 0600 in the data dir", async () => {
    const file = join(dir, "pg.json");
    await writeFile(file, JSON.stringify({ host: "db", user: "etl", password: PASSWORD, database: "w" }));
    const added = await credentialAdd("pg_main", { type: "postgres", file, dataDir }, {}, noStdin);
    outputs.push(added.stdout);
    assert.equal(added.exitCode, 0);
    assert.match(
      added.stdout,
      /^stored credential 'pg_main' \(type postgres\) in the data dir .*, encrypted with the key from .*secret\.key, created now; key id [0-9a-f]{2}\n$/,
    );
    assert.equal((await stat(join(dataDir, "secret.key"))).mode & 0o777, 0o600);

    const second = await credentialAdd(
      "api",
      { type: "bearer", data: `{"token": "${PASSWORD}"}`, dataDir },
      {},
    );
    outputs.push(second.stdout);
    assert.doesNotMatch(second.stdout, /created now/, "the key file is reused");

    const yaml = await credentialAdd(
      "pin",
      { type: "basic", file: "-", dataDir },
      {},
      async () => "username: u\npassword: 0123\n",
    );
    outputs.push(yaml.stdout);

    const list = await credentialList({ dataDir }, {});
    outputs.push(list.stdout);
    assert.match(
      list.stdout,
      /^NAME +TYPE +UPDATED\napi +bearer +\S+\npg_main +postgres +\S+\npin +basic +\S+\n$/,
    );
    const json = JSON.parse((await credentialList({ dataDir, json: true }, {})).stdout);
    assert.deepEqual(
      json.map((c: { name: string }) => c.name),
      ["api", "pg_main", "pin"],
    );

    const deleted = await credentialDelete("api", { dataDir }, {});
    assert.deepEqual(deleted, { stdout: "deleted credential 'api'\n", exitCode: 0 });
    assert.deepEqual(await credentialDelete("api", { dataDir }, {}), {
      stdout: "no credential named 'api'\n",
      exitCode: 1,
    });
    for (const out of outputs) assert.ok(!out.includes(PASSWORD));
  });

  test("what the CLI stored in the data dir resolves with the key `noetl run` finds there (YAML scalars stay strings)", async () => {
    const config = loadConfig({}, { dataDir });
    const key = await openCredentialKey(config, { create: false });
    assert.ok(key, "the data dir's key file is found without creating one");
    const db: Db = await openDb({ dataDir });
    try {
      const resolver = createCredentialResolver(db, key);
      const pg = await resolver.resolve(command({ kind: "postgres", auth: "pg_main", command: "select 1" }));
      assert.deepEqual(pg.command.tool.auth, {
        type: "postgres",
        host: "db",
        user: "etl",
        password: PASSWORD,
        database: "w",
      });
      const pin = await resolver.resolve(command({ kind: "http", endpoint: "http://x", auth: "pin" }));
      assert.deepEqual(pin.command.tool.auth, { type: "basic", username: "u", password: "0123" });
    } finally {
      await db.close();
    }
  });

  test("rekey: with the old key moved aside, a new key file is made and every credential moves to it", async () => {
    const oldKeyFile = join(dir, "old.key");
    await rename(join(dataDir, "secret.key"), oldKeyFile);
    const out = await credentialRekey({ dataDir, oldKeyFile: [oldKeyFile] }, {});
    assert.match(
      out.stdout,
      /^re-encrypted 2 credential\(s\) with the key from .*secret\.key \(key id [0-9a-f]{2}\)\n$/,
    );
    const config = loadConfig({}, { dataDir });
    const key = await openCredentialKey(config, { create: false });
    const db: Db = await openDb({ dataDir });
    try {
      const pg = await createCredentialResolver(db, key).resolve(
        command({ kind: "postgres", auth: "pg_main" }),
      );
      assert.equal((pg.command.tool.auth as { password: string }).password, PASSWORD);
    } finally {
      await db.close();
    }
    await assert.rejects(credentialRekey({ dataDir }, {}), UsageError);
  });

  test("usage errors: data given twice or not at all, both places, bad JSON (without echoing it)", async () => {
    const usage = (message: RegExp) => (err: unknown) =>
      err instanceof UsageError && message.test(err.message);
    await assert.rejects(
      credentialAdd("x", { type: "t", data: "{}", file: "f", dataDir }, {}),
      usage(/exactly one of --data/),
    );
    await assert.rejects(credentialAdd("x", { type: "t", dataDir }, {}), usage(/exactly one of --data/));
    await assert.rejects(
      credentialList({ serverUrl: "http://127.0.0.1:1", db: "postgres://x/y" }, {}),
      usage(/not both/),
    );
    await assert.rejects(
      credentialAdd("x", { type: "t", data: `{"password": ${PASSWORD}}`, dataDir }, {}),
      (err: unknown) =>
        err instanceof UsageError &&
        /--data is not valid JSON/.test(err.message) &&
        !err.message.includes(PASSWORD),
    );
  });
});

await forEachDatabase("noetl credential: through the server", (database) => {
  let app: FastifyInstance;
  let serverUrl: string;
  before(async () => {
    const db = await database.open();
    await migrate(db);
    ({ app } = buildServer({ db, log: silentLogger() }));
    credentialRoutes(app, { db, key: parseSecretKey("88".repeat(32), "server key") });
    await app.listen({ port: 0, host: "127.0.0.1" });
    serverUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app.close());

  test("add, list, delete with --server-url; a refused credential is an API error without the value", async () => {
    const added = await credentialAdd(
      "remote",
      { type: "bearer", data: `{"token": "${PASSWORD}"}`, serverUrl },
      {},
    );
    assert.equal(added.stdout, `stored credential 'remote' (type bearer) on ${serverUrl}\n`);
    const list = JSON.parse((await credentialList({ serverUrl, json: true }, {})).stdout);
    assert.deepEqual(
      list.map((c: { name: string; type: string }) => [c.name, c.type]),
      [["remote", "bearer"]],
    );
    await assert.rejects(
      credentialAdd("bad name", { type: "bearer", data: `{"token": "${PASSWORD}"}`, serverUrl }, {}),
      (err: unknown) =>
        err instanceof ApiRequestError && err.status === 400 && !err.message.includes(PASSWORD),
    );
    assert.equal((await credentialDelete("remote", { serverUrl }, {})).exitCode, 0);
    assert.equal((await credentialDelete("remote", { serverUrl }, {})).exitCode, 1);
  });
});
