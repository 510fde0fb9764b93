/**
 * The credential API through app.inject on the real server (buildServer + credentialRoutes): store, list,
 * show, delete; no response ever carries a value, and no table holds one in clear.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { createCredentialResolver, parseSecretKey } from "../../src/credentials/index.ts";
import { silentLogger } from "../../src/logger.ts";
import { buildServer } from "../../src/server/app.ts";
import { credentialRoutes } from "../../src/server/routes/credentials.ts";
import { type Db, migrate } from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { command } from "../tools/helpers.ts";

const KEY = parseSecretKey("66".repeat(32), "test key");
const PASSWORD = "Very$ecretPassw0rd";
const TOKEN = "ghp_abcdefghijklmnop123456";

await forEachDatabase("credentials: HTTP API", (database) => {
  let db: Db;
  let app: FastifyInstance;
  const bodies: string[] = [];

  async function call(
    method: "GET" | "POST" | "DELETE",
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> {
    const res = await app.inject({
      method,
      url,
      ...(payload !== undefined && { payload: payload as object }),
    });
    bodies.push(res.body);
    return res;
  }

  before(async () => {
    db = await database.open();
    await migrate(db);
    ({ app } = buildServer({ db, log: silentLogger() }));
    credentialRoutes(app, { db, key: KEY });
    await app.ready();
  });

  test("POST stores (201), a second POST replaces (200); answers carry metadata only", async () => {
    const data = { host: "db.internal", user: "etl", password: PASSWORD, database: "warehouse" };
    const created = await call("POST", "/api/v2/credentials", { name: "pg_main", type: "postgres", data });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(Object.keys(created.json()).sort(), ["created_at", "name", "type", "updated_at"]);
    assert.equal(created.json().name, "pg_main");
    const replaced = await call("POST", "/api/v2/credentials", { name: "pg_main", type: "postgres", data });
    assert.equal(replaced.statusCode, 200);
    assert.equal(replaced.json().created_at, created.json().created_at);
    const api = await call("POST", "/api/v2/credentials", {
      name: "api",
      type: "bearer",
      data: { token: TOKEN },
    });
    assert.equal(api.statusCode, 201);
  });

  test("GET lists names and types; GET :name shows metadata; neither has data", async () => {
    const list = await call("GET", "/api/v2/credentials");
    assert.equal(list.statusCode, 200);
    const items = list.json().items as Record<string, unknown>[];
    assert.deepEqual(
      items.map((c) => [c.name, c.type]),
      [
        ["api", "bearer"],
        ["pg_main", "postgres"],
      ],
    );
    assert.ok(items.every((c) => !("data" in c)));
    const one = await call("GET", "/api/v2/credentials/pg_main");
    assert.equal(one.statusCode, 200);
    assert.deepEqual(Object.keys(one.json()).sort(), ["created_at", "name", "type", "updated_at"]);
    const missing = await call("GET", "/api/v2/credentials/nope");
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, "E_NOT_FOUND");
  });

  test("what the API stored is what a worker resolves", async () => {
    const { command: resolved } = await createCredentialResolver(db, KEY).resolve(
      command({ kind: "http", endpoint: "http://x", auth: "api" }),
    );
    assert.deepEqual(resolved.tool.auth, { type: "bearer", token: TOKEN });
  });

  test("bad input is a 400 that never repeats the data", async () => {
    const cases: [unknown, string][] = [
      [{ name: "bad name!", type: "t", data: { password: PASSWORD } }, "E_CREDENTIAL_INVALID"],
      [{ name: "-dash", type: "t", data: { password: PASSWORD } }, "E_CREDENTIAL_INVALID"],
      [{ name: "ok", type: "no spaces", data: { password: PASSWORD } }, "E_CREDENTIAL_INVALID"],
      [{ name: "ok", type: "t", data: PASSWORD }, "E_BAD_REQUEST"],
      [{ name: "ok", type: "t", data: [PASSWORD] }, "E_BAD_REQUEST"],
      [{ name: "ok", data: { password: PASSWORD } }, "E_BAD_REQUEST"],
      [{ name: "ok", type: "t", data: { password: PASSWORD }, value: PASSWORD }, "E_BAD_REQUEST"],
      [{ name: "ok", type: "t", data: { blob: "x".repeat(70_000) } }, "E_CREDENTIAL_INVALID"],
    ];
    for (const [payload, code] of cases) {
      const res = await call("POST", "/api/v2/credentials", payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)} → ${res.body}`);
      assert.equal(res.json().error.code, code, res.body);
    }
    const get = await call("GET", "/api/v2/credentials/ok");
    assert.equal(get.statusCode, 404, "nothing was stored");
  });

  test("no table holds a value in clear (every row of every table, bytes included)", async () => {
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
    );
    assert.ok(tables.some((t) => t.table_name === "credential"));
    const needles = [PASSWORD, TOKEN].flatMap((s) => [
      Buffer.from(s),
      Buffer.from(Buffer.from(s).toString("hex")),
      Buffer.from(Buffer.from(s).toString("base64")),
    ]);
    let credentialRows = 0;
    for (const { table_name } of tables) {
      const rows = await db.query<Record<string, unknown>>(`SELECT * FROM "${table_name}"`);
      if (table_name === "credential") credentialRows = rows.length;
      for (const row of rows) {
        for (const value of Object.values(row)) {
          const bytes =
            value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(JSON.stringify(value) ?? "");
          for (const needle of needles)
            assert.equal(bytes.includes(needle), false, `${table_name} holds a secret`);
        }
      }
    }
    assert.equal(credentialRows, 2);
    const [asText] = await db.query<{ data: string }>(
      "SELECT data::text AS data FROM credential WHERE name = 'api'",
    );
    assert.ok(asText && !asText.data.includes(Buffer.from(TOKEN).toString("hex")));
  });

  test("DELETE removes (200) and then 404s", async () => {
    const deleted = await call("DELETE", "/api/v2/credentials/api");
    assert.equal(deleted.statusCode, 200);
    assert.deepEqual(deleted.json(), { name: "api", deleted: true });
    assert.equal((await call("DELETE", "/api/v2/credentials/api")).statusCode, 404);
    assert.equal((await call("GET", "/api/v2/credentials/api")).statusCode, 404);
  });

  test("no response of this suite contained a value", () => {
    assert.ok(bodies.length > 15);
    for (const body of bodies) {
      assert.ok(!body.includes(PASSWORD) && !body.includes(TOKEN), `leaked in ${body.slice(0, 200)}`);
    }
  });
});
