/**
 * The classic pipeline (examples/etl_pipeline.yaml): HTTP pages → Python transform → sink into PostgreSQL with
 * bound params → DuckDB summary. Runs embedded and on a server with a worker process, with the PostgreSQL
 * credential stored encrypted; its password (trust auth ignores it) must appear in no table afterwards.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { type MockApi, startMockApi } from "../../examples/mock-api.ts";
import { loadConfig } from "../../src/config.ts";
import { parseSecretKey, storeCredential } from "../../src/credentials/index.ts";
import { EmbeddedRuntime } from "../../src/runtime/embedded.ts";
import type { Db } from "../../src/store/index.ts";
import { postgresReachable, type TestDatabase } from "../helpers/db.ts";
import { Processes } from "../helpers/processes.ts";
import { api, example, postgresDatabase, postgresUrl, waitForExecution } from "./support.ts";

const PASSWORD = "pw-8c1f0e2d9a";
const SECRET_KEY = randomBytes(32).toString("hex");
const EXPECTED = {
  loaded: 45,
  bands: [
    { band: "high", items: 23, avg_score: 6.96 },
    { band: "low", items: 22, avg_score: 2.05 },
  ],
};

const skip = (await postgresReachable()) ? false : "PostgreSQL not reachable (the pipeline loads into it)";

describe("etl_pipeline example", { skip }, () => {
  let database: TestDatabase;
  let db: Db;
  let credential: { url: string };
  let mock: MockApi;

  before(async () => {
    database = await postgresDatabase();
    db = await database.open();
    const url = new URL(await postgresUrl(db));
    url.password = PASSWORD;
    credential = { url: url.toString() };
    mock = await startMockApi();
  });
  after(async () => {
    await mock?.close();
    await database?.cleanup();
  });

  async function assertNoLeak(where: Db): Promise<void> {
    for (const table of ["execution", "event", "command", "playbook", "credential"]) {
      const rows = await where.query(`SELECT * FROM ${table}`);
      const text = JSON.stringify(rows, (_k, v) =>
        v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v,
      );
      assert.ok(!text.includes(PASSWORD), `the password leaked into ${table}`);
    }
  }

  test("embedded: every item is loaded and summarised", async () => {
    const runtime = await EmbeddedRuntime.start({
      ...loadConfig({}, {}),
      memory: true,
      secretKey: SECRET_KEY,
    });
    try {
      await storeCredential(runtime.db, parseSecretKey(SECRET_KEY, "test"), {
        name: "demo_pg",
        type: "postgres",
        data: credential,
      });
      const outcome = await runtime.run(example("etl_pipeline"), { api_url: mock.url });
      assert.equal(outcome.status, "completed", JSON.stringify(outcome.error));
      assert.deepEqual(outcome.result, EXPECTED);
      const rows = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM demo_items WHERE band IS NOT NULL",
      );
      assert.equal(rows[0]!.n, 45);
      await assertNoLeak(runtime.db);
    } finally {
      await runtime.close();
    }
  });

  test("server mode: the same through the API, a server and a worker process", async () => {
    const procs = new Processes();
    try {
      const dbUrl = await postgresUrl(db);
      const env = { NOETL_SECRET_KEY: SECRET_KEY, NOETL_POLL_MS: "200" };
      const server = await procs.server({ dbUrl, env: { ...env, NOETL_LOG_LEVEL: "warn" } });
      // Info level: the helper waits for the worker's "started" line.
      const worker = await procs.worker({
        dbUrl,
        serverUrl: server.url,
        id: "etl-worker",
        env: { ...env, NOETL_LOG_LEVEL: "info" },
      });
      const stored = await api(server.url, "POST", "/api/v2/credentials", {
        name: "demo_pg",
        type: "postgres",
        data: credential,
      });
      assert.ok(stored.status === 201 || stored.status === 200, JSON.stringify(stored.body));
      assert.ok(!JSON.stringify(stored.body).includes(PASSWORD));
      const started = await api<{ execution_id: string }>(server.url, "POST", "/api/v2/execute", {
        playbook_yaml: example("etl_pipeline"),
        payload: { api_url: mock.url },
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const done = await waitForExecution(server.url, started.body.execution_id);
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.deepEqual(done.result, EXPECTED);
      await assertNoLeak(db);
      const id = started.body.execution_id;
      for (const path of [
        `/api/v2/executions/${id}`,
        `/api/v2/executions/${id}/events`,
        "/api/v2/credentials",
      ]) {
        const res = await api(server.url, "GET", path);
        assert.ok(!JSON.stringify(res.body).includes(PASSWORD), `the password leaked into GET ${path}`);
      }
      for (const proc of [server, worker]) {
        assert.ok(
          !`${proc.stdout()}${proc.stderr()}`.includes(PASSWORD),
          `the password leaked into ${proc.name}'s log`,
        );
      }
    } finally {
      await procs.stopAll();
    }
  });
});
