/**
 * Resolution on the worker: `auth: <name>` becomes the decrypted credential just before the tool runs, an
 * unknown name fails the call, lookups are cached, and what the call reports is masked.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import {
  CredentialError,
  createCredentialResolver,
  parseSecretKey,
  runWithCredentials,
  storeCredential,
} from "../../src/credentials/index.ts";
import type { JsonObject } from "../../src/dsl/types.ts";
import { type Db, migrate } from "../../src/store/index.ts";
import { defaultTools, type ToolOutcome } from "../../src/tools/index.ts";
import { commandEvents } from "../../src/worker/report.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { command, context } from "../tools/helpers.ts";

const KEY = parseSecretKey("55".repeat(32), "test key");
const TOKEN = "tok_live_9f8e7d6c5b4a";
const PASSWORD = "pg-pa55word-xyz";

/** The real database, counting the statements that reach it. */
function counting(db: Db): { db: Db; reads: () => number } {
  let n = 0;
  const wrapped: Db = {
    get driver() {
      return db.driver;
    },
    query: <T>(sql: string, params?: readonly unknown[]) => {
      n++;
      return db.query<T>(sql, params);
    },
    transaction: (fn) => db.transaction(fn),
    defer: (write) => db.defer(write),
    exec: (sql) => db.exec(sql),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    notify: (channel, payload) => db.notify(channel, payload),
    close: () => db.close(),
  };
  return { db: wrapped, reads: () => n };
}

await forEachDatabase("credentials: resolver", (database) => {
  let db: Db;
  let echo: Server;
  let echoUrl: string;

  before(async () => {
    db = await database.open();
    await migrate(db);
    await storeCredential(db, KEY, { name: "api", type: "bearer", data: { token: TOKEN } });
    await storeCredential(db, KEY, {
      name: "pg",
      type: "postgres",
      data: { host: "db.internal", user: "etl", password: PASSWORD, database: "warehouse" },
    });
    await storeCredential(db, KEY, {
      name: "typed",
      type: "http",
      data: { type: "api_key", api_key: TOKEN },
    });
    // Answers with everything it was sent, as a careless API would.
    echo = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.setHeader("x-echo-auth", req.headers.authorization ?? "");
      res.statusCode = req.url?.includes("fail") ? 500 : 200;
      res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization }));
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => echo.close(() => resolve())));

  test("auth names become {type, ...data}, at the top and in nested tool/sink configs; args stay data", async () => {
    const resolver = createCredentialResolver(db, KEY);
    const original = command({
      kind: "http",
      endpoint: "http://x",
      auth: "api",
      sink: { tool: { kind: "postgres", auth: "pg", command: "select 1" } },
      tool: { kind: "postgres", auth: "pg" },
      args: { auth: "api" },
    });
    const snapshot = structuredClone(original);
    const { command: resolved, secrets } = await resolver.resolve(original);
    const tool = resolved.tool as JsonObject & { sink: { tool: JsonObject }; tool: JsonObject };
    assert.deepEqual(tool.auth, { type: "bearer", token: TOKEN });
    assert.deepEqual(tool.sink.tool.auth, {
      type: "postgres",
      host: "db.internal",
      user: "etl",
      password: PASSWORD,
      database: "warehouse",
    });
    assert.deepEqual(tool.tool.auth, tool.sink.tool.auth);
    assert.deepEqual(tool.args, { auth: "api" });
    assert.deepEqual(original, snapshot, "the claimed command is not modified");
    assert.deepEqual(new Set(secrets), new Set([TOKEN, PASSWORD, `etl:${PASSWORD}`]));
  });

  test("the data's own type wins over the credential's type", async () => {
    const { command: resolved } = await createCredentialResolver(db, KEY).resolve(
      command({ kind: "http", endpoint: "http://x", auth: "typed" }),
    );
    assert.deepEqual(resolved.tool.auth, { type: "api_key", api_key: TOKEN });
  });

  test("a command without auth names is returned as it is, without reading the database", async () => {
    const { db: counted, reads } = counting(db);
    const plain = command({ kind: "http", endpoint: "http://x", auth: { type: "bearer", token: "inline" } });
    const out = await createCredentialResolver(counted, KEY).resolve(plain);
    assert.equal(out.command, plain);
    assert.deepEqual(out.secrets, []);
    assert.equal(reads(), 0);
  });

  test("an unknown name is a clear, non-retryable error; the call fails with kind credential and never runs", async () => {
    const resolver = createCredentialResolver(db, KEY);
    await assert.rejects(
      resolver.resolve(command({ kind: "noop", auth: "nope" })),
      (err: unknown) =>
        err instanceof CredentialError &&
        err.code === "E_CREDENTIAL_UNKNOWN" &&
        /credential 'nope'/.test(err.message),
    );
    let ran = false;
    const outcome = await runWithCredentials(resolver, command({ kind: "noop", auth: "nope" }), async () => {
      ran = true;
      return { ok: true, response: null };
    });
    assert.equal(ran, false);
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.error.kind, "credential");
    assert.equal(outcome.error.retryable, false);
    assert.equal(outcome.error.credential, "nope");
    assert.match(outcome.error.message, /credential 'nope' is not stored/);
  });

  test("a worker without the key fails the call naming the credential and the fix", async () => {
    const outcome = await runWithCredentials(
      createCredentialResolver(db, undefined),
      command({ kind: "noop", auth: "api" }),
      async () => ({ ok: true, response: null }),
    );
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, "E_CREDENTIAL_NO_KEY");
    assert.match(outcome.error.message, /credential 'api'.*NOETL_SECRET_KEY/);
  });

  test("credentials are cached for the TTL: one read for many calls, changes seen once it expires", async () => {
    await storeCredential(db, KEY, { name: "cached", type: "bearer", data: { token: "first-token" } });
    let now = 1_000_000;
    const { db: counted, reads } = counting(db);
    const resolver = createCredentialResolver(counted, KEY, { ttlMs: 30_000, now: () => now });
    const calls = Array.from({ length: 50 }, () =>
      resolver.resolve(command({ kind: "noop", auth: "cached" })),
    );
    for (const { command: c } of await Promise.all(calls)) {
      assert.deepEqual(c.tool.auth, { type: "bearer", token: "first-token" });
    }
    assert.equal(reads(), 1);

    await storeCredential(db, KEY, { name: "cached", type: "bearer", data: { token: "second-token" } });
    now += 29_000;
    const stale = await resolver.resolve(command({ kind: "noop", auth: "cached" }));
    assert.deepEqual(stale.command.tool.auth, { type: "bearer", token: "first-token" });
    now += 2_000;
    const fresh = await resolver.resolve(command({ kind: "noop", auth: "cached" }));
    assert.deepEqual(fresh.command.tool.auth, { type: "bearer", token: "second-token" });
    assert.equal(reads(), 2);
  });

  test("a failed lookup is not cached: a credential added afterwards works at once", async () => {
    const now = 5_000;
    const resolver = createCredentialResolver(db, KEY, { now: () => now });
    await assert.rejects(resolver.resolve(command({ kind: "noop", auth: "late" })), CredentialError);
    await storeCredential(db, KEY, { name: "late", type: "bearer", data: { token: "late-token" } });
    const { command: c } = await resolver.resolve(command({ kind: "noop", auth: "late" }));
    assert.deepEqual(c.tool.auth, { type: "bearer", token: "late-token" });
  });

  test("end to end with the http tool: the API echoes the token, the reported events only show ***", async () => {
    const tools = defaultTools();
    try {
      const resolver = createCredentialResolver(db, KEY);
      const leased = {
        ...command({ kind: "http", endpoint: `${echoUrl}/ok`, auth: "api", params: { k: TOKEN } }),
        lease_token: "t",
      };
      const run = (c: typeof leased): Promise<ToolOutcome> => tools.run(c, context());
      const outcome = await runWithCredentials(resolver, leased, run);
      assert.ok(outcome.ok, JSON.stringify(outcome));
      const response = outcome.response as JsonObject & { data: JsonObject; headers: JsonObject };
      assert.equal(response.data.authorization, "Bearer ***");
      assert.equal(response.headers["x-echo-auth"], "Bearer ***");
      assert.equal(response.data.url, "/ok?k=***");

      const failed = await runWithCredentials(
        resolver,
        { ...leased, tool: { ...leased.tool, endpoint: `${echoUrl}/fail` } },
        run,
      );
      assert.ok(!failed.ok);
      const events = [...commandEvents(leased, "w1", outcome), ...commandEvents(leased, "w1", failed)];
      const text = JSON.stringify(events);
      assert.ok(!text.includes(TOKEN), "no event carries the token");
      assert.ok(!text.includes('"token"'), "events never carry the resolved tool config");
      assert.match(JSON.stringify(failed.error), /Bearer \*\*\*/);
    } finally {
      await tools.close();
    }
  });
});
