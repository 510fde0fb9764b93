import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { JsonObject } from "../../src/dsl/types.ts";
import { createDuckdbTool, ToolRegistry } from "../../src/tools/index.ts";
import { command, context, errorOf, responseOf } from "./helpers.ts";

const DATA = fileURLToPath(new URL("../fixtures/data/", import.meta.url));

describe("duckdb tool", () => {
  const tool = createDuckdbTool({ sweepEveryMs: 0 });
  const registry = new ToolRegistry().register(tool);
  let dir: string;
  const run = (fields: JsonObject, execution_id = "exec-1", signal?: AbortSignal) =>
    registry.run(
      { ...command({ kind: "duckdb", ...fields }), execution_id },
      context(signal ? { execution_id, signal } : { execution_id }),
    );
  const ok = async (fields: JsonObject, execution_id?: string) => responseOf(await run(fields, execution_id));
  const fail = async (fields: JsonObject, execution_id?: string) => errorOf(await run(fields, execution_id));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "noetl-duckdb-"));
  });

  after(async () => {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe("results", () => {
    test("rows, row_count, columns and statements, like the postgres tool", async () => {
      const res = await ok({
        command: `CREATE TABLE items AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name);
                  INSERT INTO items VALUES (3, 'c');
                  SELECT id, name FROM items WHERE id >= 2 ORDER BY id`,
      });
      assert.deepEqual(res.rows, [
        { id: 2, name: "b" },
        { id: 3, name: "c" },
      ]);
      assert.equal(res.row_count, 2);
      assert.deepEqual(res.columns, [
        { name: "id", type: "INTEGER" },
        { name: "name", type: "VARCHAR" },
      ]);
      assert.deepEqual(res.statements, [
        { command: "CREATE", row_count: 0 },
        { command: "INSERT", row_count: 1 },
        { command: "SELECT", row_count: 2 },
      ]);
    });

    test("with no row-returning statement, row_count is the last statement's count", async () => {
      const res = await ok({ command: "CREATE TABLE w (a INT); INSERT INTO w SELECT range FROM range(4)" });
      assert.deepEqual(res.rows, []);
      assert.equal(res.row_count, 4);
    });
  });

  describe("databases", () => {
    test("the default in-memory database persists across calls of one execution", async () => {
      await ok({ command: "CREATE TABLE kept (v INT); INSERT INTO kept VALUES (7)" }, "exec-a");
      const res = await ok({ query: "SELECT v FROM kept" }, "exec-a");
      assert.deepEqual(res.rows, [{ v: 7 }]);
    });

    test("executions do not see each other's in-memory database", async () => {
      await ok({ command: "CREATE TABLE mine (v INT)" }, "exec-b");
      const error = await fail({ command: "SELECT * FROM mine" }, "exec-c");
      assert.equal(error.kind, "duckdb");
      assert.match(String(error.message), /Table with name mine does not exist/);
    });

    test("an idle execution database is evicted after the TTL; a busy one is kept", async () => {
      await ok({ command: "CREATE TABLE gone (v INT)" }, "exec-idle");
      const before = tool.databases.size;
      assert.equal(await tool.databases.sweep(Date.now() + 60_000), 0, "not idle for 10 minutes yet");
      const evicted = await tool.databases.sweep(Date.now() + 11 * 60_000);
      assert.equal(evicted, before);
      assert.equal(tool.databases.size, 0);
      const error = await fail({ command: "SELECT * FROM gone" }, "exec-idle");
      assert.match(String(error.message), /does not exist/);
    });

    test("a file database is shared by executions and survives eviction", async () => {
      const database = join(dir, "shared.duckdb");
      await ok({ database, command: "CREATE TABLE f (v INT); INSERT INTO f VALUES (1), (2)" }, "exec-x");
      assert.deepEqual((await ok({ database, command: "SELECT sum(v)::INT AS s FROM f" }, "exec-y")).rows, [
        { s: 3 },
      ]);
      await tool.databases.sweep(Date.now() + 11 * 60_000);
      assert.deepEqual((await ok({ database, command: "SELECT count(*)::INT AS n FROM f" })).rows, [
        { n: 2 },
      ]);
    });

    test("a database in a missing folder fails the call with a duckdb error", async () => {
      const error = await fail({ database: join(dir, "no", "such", "x.duckdb"), command: "SELECT 1" });
      assert.equal(error.kind, "duckdb");
      assert.equal(error.retryable, false);
      assert.equal(error.statement_index, null);
    });
  });

  describe("files", () => {
    test("read_csv_auto reads a CSV fixture, quoted commas included", async () => {
      const res = await ok({ command: `SELECT * FROM read_csv_auto('${DATA}people.csv') ORDER BY id` });
      assert.deepEqual(res.rows, [
        { id: 1, name: "Ada", city: "London", score: 91.5, joined: "2024-01-15" },
        { id: 2, name: "Linus", city: "Helsinki", score: 78, joined: "2023-11-02" },
        { id: 3, name: "Grace", city: "New York, NY", score: 88.25, joined: "2022-06-30" },
      ]);
      assert.deepEqual(
        (res.columns as JsonObject[]).map((c) => c.type),
        ["BIGINT", "VARCHAR", "VARCHAR", "DOUBLE", "DATE"],
      );
    });

    test("read_json_auto reads lists and nested objects", async () => {
      const res = await ok({
        command: `SELECT id, tags, meta FROM read_json_auto('${DATA}events.json') WHERE kind = $1 ORDER BY id`,
        params: ["click"],
      });
      assert.deepEqual(res.rows, [
        { id: 1, tags: ["a", "b"], meta: { page: "/home" } },
        { id: 3, tags: ["c"], meta: { page: "/home" } },
      ]);
    });

    test("COPY writes Parquet and read_parquet reads it back", async () => {
      const file = join(dir, "people.parquet");
      const res = await ok({
        command: `COPY (SELECT * FROM read_csv_auto('${DATA}people.csv')) TO '${file}' (FORMAT parquet);
                  SELECT name, score FROM read_parquet('${file}') ORDER BY score DESC LIMIT 1`,
      });
      assert.deepEqual(res.rows, [{ name: "Ada", score: 91.5 }]);
      assert.deepEqual(res.statements, [
        { command: "COPY", row_count: 3 },
        { command: "SELECT", row_count: 1 },
      ]);
    });
  });

  describe("params", () => {
    test("$n and ? placeholders; statements share the list; $2 without $1 works", async () => {
      const res = await ok({
        command: `CREATE TABLE p (a INT, tag VARCHAR);
                  INSERT INTO p VALUES ($1, $2), ($1 + 1, $2);
                  SELECT count(*)::INT AS n FROM p WHERE tag = $2;
                  SELECT ? AS first, ? AS second`,
        params: [10, "t"],
      });
      assert.deepEqual(res.rows, [{ first: 10, second: "t" }]);
      const shared = await ok({
        command: "SELECT count(*)::INT AS n FROM p WHERE tag = $2 AND a > $1",
        params: [0, "t"],
      });
      assert.deepEqual(shared.rows, [{ n: 2 }]);
    });

    test("a list binds as a LIST, a mapping as JSON text, null as NULL", async () => {
      const res = await ok({
        command:
          "SELECT list_sum($1) AS s, len($2) AS n, json_extract_string($3::JSON, '$.k') AS k, $4 IS NULL AS z",
        params: [[1, 2.5], [], { k: "v" }, null],
      });
      assert.deepEqual(res.rows, [{ s: 3.5, n: 0, k: "v", z: true }]);
    });

    test("placeholder mistakes are invalid_config", async () => {
      const error = await fail({ command: "SELECT ?, ?", params: [1] });
      assert.equal(error.kind, "invalid_config");
      assert.match(String(error.message), /statement 0 uses 2 parameters but 'params' has 1/);
    });
  });

  describe("value mapping", () => {
    test("wide integers, decimals, temporal types, blobs and nested types are JSON-safe", async () => {
      const res = await ok({
        command: `SELECT 42::BIGINT AS i, 9007199254740993::BIGINT AS big, 170141183460469231731687303715884105727::HUGEINT AS huge,
          19.99::DECIMAL(10,2) AS dec, 123456789012345678901234567.5::DECIMAL(38,1) AS bigdec,
          DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts,
          TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tstz, INTERVAL '1 month 2 days 3 seconds' AS iv,
          TIME '12:34:56' AS t, '\\xAA\\xBB'::BLOB AS b, [1, NULL, 3] AS list, {'x': 1, 'y': [true]} AS st,
          MAP {'k': 1} AS m, 'NaN'::DOUBLE AS nan, '{"a": [1]}'::JSON AS j,
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID AS u`,
      });
      assert.deepEqual(res.rows, [
        {
          i: 42,
          big: "9007199254740993",
          huge: "170141183460469231731687303715884105727",
          dec: 19.99,
          bigdec: "123456789012345678901234567.5",
          d: "2024-01-02",
          ts: "2024-01-02T03:04:05.123456",
          tstz: "2024-01-02T03:04:05Z",
          iv: "1 month 2 days 00:00:03",
          t: "12:34:56",
          b: "qrs=",
          list: [1, null, 3],
          st: { x: 1, y: [true] },
          m: { k: 1 },
          nan: "NaN",
          j: { a: [1] },
          u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        },
      ]);
      const types = Object.fromEntries((res.columns as JsonObject[]).map((c) => [c.name, c.type]));
      assert.equal(types.huge, "HUGEINT");
      assert.equal(types.dec, "DECIMAL(10,2)");
      assert.equal(types.j, "JSON");
    });
  });

  describe("transactions and errors", () => {
    test("a failing statement rolls back the statements before it", async () => {
      await ok({ command: "CREATE TABLE tx (id INT PRIMARY KEY)" }, "exec-tx");
      const error = await fail(
        { command: "INSERT INTO tx VALUES (1); INSERT INTO tx VALUES (1)" },
        "exec-tx",
      );
      assert.equal(error.kind, "duckdb");
      assert.equal(error.statement_index, 1);
      assert.equal(error.error_type, "Constraint");
      assert.deepEqual((await ok({ command: "SELECT count(*)::INT AS n FROM tx" }, "exec-tx")).rows, [
        { n: 0 },
      ]);
    });

    test("a script with its own BEGIN/COMMIT runs as written", async () => {
      await ok({ command: "CREATE TABLE tw (id INT PRIMARY KEY)" }, "exec-tw");
      await fail(
        { command: "BEGIN; INSERT INTO tw VALUES (1); COMMIT; INSERT INTO tw VALUES (1)" },
        "exec-tw",
      );
      assert.deepEqual((await ok({ command: "SELECT count(*)::INT AS n FROM tw" }, "exec-tw")).rows, [
        { n: 1 },
      ]);
    });

    test("an error names the statement and the DuckDB error type, and is not retryable", async () => {
      const error = await fail({ command: "SELECT 1; SELEC 2" });
      assert.equal(error.code, "E_DUCKDB_QUERY");
      assert.equal(error.statement_index, 1);
      assert.equal(error.error_type, "Parser");
      assert.equal(error.retryable, false);
    });

    test("past `timeout` the statement is interrupted: a retryable timeout", async () => {
      const error = await fail({ command: "SELECT count(*) FROM range(1000000000000)", timeout: 0.2 });
      assert.equal(error.kind, "timeout");
      assert.equal(error.retryable, true);
      assert.deepEqual((await ok({ command: "SELECT 1 AS n" })).rows, [{ n: 1 }]);
    });

    test("the worker's abort interrupts the statement", async () => {
      const controller = new AbortController();
      const pending = run(
        { command: "SELECT count(*) FROM range(1000000000000)" },
        "exec-1",
        controller.signal,
      );
      setTimeout(() => controller.abort(), 100);
      assert.equal(errorOf(await pending).kind, "aborted");
    });

    test("config mistakes are invalid_config", async () => {
      for (const fields of [
        {},
        { command: " -- nothing\n" },
        { command: "SELECT 1", database: 3 },
      ] as JsonObject[]) {
        assert.equal((await fail(fields)).kind, "invalid_config");
      }
    });
  });
});
