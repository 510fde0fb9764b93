import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import postgres from "postgres";
import type { JsonObject } from "../../src/dsl/types.ts";
import { createPostgresTool, ToolRegistry } from "../../src/tools/index.ts";
import { isRetryableSqlState, scrub } from "../../src/tools/postgres/failures.ts";
import { parseTarget } from "../../src/tools/postgres/target.ts";
import { postgresReachable } from "../helpers/db.ts";
import { command, context, errorOf, responseOf } from "./helpers.ts";

const ADMIN_URL = process.env.NOETL_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const admin = new URL(ADMIN_URL);
const dbName = `noetl_pgtool_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
/** A resolved credential, as the worker hands it to the tool. */
const credential: JsonObject = {
  host: admin.hostname,
  port: Number(admin.port || 5432),
  user: decodeURIComponent(admin.username || "postgres"),
  database: dbName,
};
if (admin.password) credential.password = decodeURIComponent(admin.password);

const skip = (await postgresReachable()) ? false : "PostgreSQL not reachable (set NOETL_TEST_DATABASE_URL)";

describe("postgres tool", { skip }, () => {
  const tool = createPostgresTool();
  const registry = new ToolRegistry().register(tool);
  const run = (fields: JsonObject, signal?: AbortSignal) =>
    registry.run(
      command({ kind: "postgres", auth: credential, ...fields }),
      context(signal ? { signal } : {}),
    );
  const ok = async (fields: JsonObject) => responseOf(await run(fields));
  const fail = async (fields: JsonObject) => errorOf(await run(fields));

  before(async () => {
    const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`CREATE DATABASE ${dbName}`);
    await sql.end();
  });

  after(async () => {
    await registry.close();
    const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await sql.end();
  });

  describe("results", () => {
    test("a SELECT returns rows, row_count, typed columns and the statement list", async () => {
      const res = await ok({ command: "SELECT 1 AS n, 'a'::text AS s UNION ALL SELECT 2, 'b'" });
      assert.deepEqual(res.rows, [
        { n: 1, s: "a" },
        { n: 2, s: "b" },
      ]);
      assert.equal(res.row_count, 2);
      assert.deepEqual(res.columns, [
        { name: "n", type: "int4" },
        { name: "s", type: "text" },
      ]);
      assert.deepEqual(res.statements, [{ command: "SELECT", row_count: 2 }]);
    });

    test("`query` is an alias of `command`; a SELECT of zero rows still has columns", async () => {
      const res = await ok({ query: "SELECT 1 AS n WHERE false" });
      assert.deepEqual(res.rows, []);
      assert.equal(res.row_count, 0);
      assert.deepEqual(res.columns, [{ name: "n", type: "int4" }]);
    });

    test("several statements: rows of the last that returned rows, a count for each", async () => {
      const res = await ok({
        command: `CREATE TABLE items (id int PRIMARY KEY, name text);
                  INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c');
                  SELECT id, name FROM items WHERE id > 1 ORDER BY id;
                  UPDATE items SET name = upper(name)`,
      });
      assert.deepEqual(res.rows, [
        { id: 2, name: "b" },
        { id: 3, name: "c" },
      ]);
      assert.equal(res.row_count, 2);
      assert.deepEqual(res.statements, [
        { command: "CREATE TABLE", row_count: 0 },
        { command: "INSERT", row_count: 3 },
        { command: "SELECT", row_count: 2 },
        { command: "UPDATE", row_count: 3 },
      ]);
    });

    test("when no statement returns rows, row_count is the last statement's count", async () => {
      const res = await ok({ command: "CREATE TABLE w (a int); INSERT INTO w SELECT generate_series(1, 5)" });
      assert.deepEqual(res.rows, []);
      assert.deepEqual(res.columns, []);
      assert.equal(res.row_count, 5);
    });

    test("RETURNING rows are rows", async () => {
      const res = await ok({
        command: "CREATE TABLE r (id serial, v text); INSERT INTO r (v) VALUES ('x') RETURNING id, v",
      });
      assert.deepEqual(res.rows, [{ id: 1, v: "x" }]);
      assert.deepEqual(res.statements, [
        { command: "CREATE TABLE", row_count: 0 },
        { command: "INSERT", row_count: 1 },
      ]);
    });
  });

  describe("splitting a real script", () => {
    test("dollar quotes, BEGIN ATOMIC bodies, E'' strings and comments reach the server intact", async () => {
      const res = await ok({
        command: `
          -- a function whose body holds semicolons
          CREATE FUNCTION add_one(x int) RETURNS int AS $body$
            BEGIN
              RETURN x + 1; -- ;
            END
          $body$ LANGUAGE plpgsql;
          CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql
          BEGIN ATOMIC
            SELECT CASE WHEN x IS NULL THEN 0 ELSE x * 2 END;
          END;
          /* nested /* comment; */ still comment; */
          SELECT add_one(1) AS a, twice(4) AS b, E'it\\'s; fine' AS c, $$x;y$$ AS d, 'semi;colon' AS "e;f";;
        `,
      });
      assert.deepEqual(res.rows, [{ a: 2, b: 8, c: "it's; fine", d: "x;y", "e;f": "semi;colon" }]);
      assert.equal((res.statements as JsonObject[]).length, 3);
    });
  });

  describe("params", () => {
    test("bound to $1..$n with types inferred by the server", async () => {
      const res = await ok({
        command:
          "SELECT $1::int + 1 AS n, $2::text AS s, $3::bool AS b, $4::numeric AS d, $5::text IS NULL AS z",
        params: [41, "hi", "true", "19.99", null],
      });
      assert.deepEqual(res.rows, [{ n: 42, s: "hi", b: true, d: 19.99, z: true }]);
    });

    test("a mapping goes to jsonb as JSON, a list to an array parameter, JSON text to jsonb as-is", async () => {
      const res = await ok({
        command:
          "SELECT $1::jsonb AS j, 2 = ANY($2::int[]) AS has_two, $3::jsonb AS t, $1::jsonb ->> 'k' AS k",
        params: [{ k: "v", n: [1, 2] }, [1, 2, 3], '{"x": 1}'],
      });
      assert.deepEqual(res.rows, [{ j: { k: "v", n: [1, 2] }, has_two: true, t: { x: 1 }, k: "v" }]);
    });

    test("each statement binds the values it uses; a skipped $1 does not break a statement", async () => {
      const res = await ok({
        command: `CREATE TABLE p (id int, tag text);
                  INSERT INTO p VALUES ($1, $2), ($1 + 1, $2);
                  SELECT count(*)::int AS n FROM p WHERE tag = $2`,
        params: [10, "t"],
      });
      assert.deepEqual(res.rows, [{ n: 2 }]);
    });

    test("mistakes are invalid_config before anything runs", async () => {
      const cases: [JsonObject, RegExp][] = [
        [{ command: "SELECT $1", params: { a: 1 } }, /'params' must be a list/],
        [{ command: "SELECT $1, $2", params: [1] }, /statement 0 uses 2 parameters but 'params' has 1/],
        [{ command: "SELECT 1", params: [1] }, /no statement has a placeholder/],
        [{ command: "SELECT $1" }, /'params' is missing/],
      ];
      for (const [fields, pattern] of cases) {
        const error = await fail(fields);
        assert.equal(error.kind, "invalid_config");
        assert.match(String(error.message), pattern);
      }
    });
  });

  describe("value mapping", () => {
    test("numbers, dates, bytes, arrays and JSON are JSON-safe", async () => {
      const res = await ok({
        command: `SELECT 42::int8 AS i8, 9007199254740993::int8 AS big, 1.50::numeric AS dec,
          12345678901234567890.5::numeric AS bigdec, 'NaN'::float8 AS nan, 2.5::float4 AS f4,
          DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts,
          TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tstz, '\\xdeadbeef'::bytea AS bytes,
          '1 day 02:00:00'::interval AS iv, ARRAY[1, NULL, 3]::int8[] AS arr,
          ARRAY['a', NULL, 'NULL', 'q"q']::text[] AS texts, '{"a": [1, 2]}'::jsonb AS j,
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, true AS b, NULL::int AS nothing`,
      });
      assert.deepEqual(res.rows, [
        {
          i8: 42,
          big: "9007199254740993",
          dec: 1.5,
          bigdec: "12345678901234567890.5",
          nan: "NaN",
          f4: 2.5,
          d: "2024-01-02",
          ts: "2024-01-02T03:04:05.123456",
          tstz: "2024-01-02T01:04:05Z",
          bytes: "3q2+7w==",
          iv: "1 day 02:00:00",
          arr: [1, null, 3],
          texts: ["a", null, "NULL", 'q"q'],
          j: { a: [1, 2] },
          u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
          b: true,
          nothing: null,
        },
      ]);
    });

    test("column types of enums and other non-built-in types are named", async () => {
      const res = await ok({
        command: "CREATE TYPE mood AS ENUM ('ok', 'sad'); SELECT 'ok'::mood AS m, ARRAY['sad']::mood[] AS ms",
      });
      assert.deepEqual(res.rows, [{ m: "ok", ms: ["sad"] }]);
      assert.deepEqual(res.columns, [
        { name: "m", type: "mood" },
        { name: "ms", type: "mood[]" },
      ]);
    });
  });

  describe("transactions", () => {
    test("a failing statement rolls back the statements before it", async () => {
      await ok({ command: "CREATE TABLE tx (id int PRIMARY KEY)" });
      const error = await fail({ command: "INSERT INTO tx VALUES (1); INSERT INTO tx VALUES (1)" });
      assert.equal(error.code, "23505");
      assert.equal(error.statement_index, 1);
      const res = await ok({ command: "SELECT count(*)::int AS n FROM tx" });
      assert.deepEqual(res.rows, [{ n: 0 }]);
    });

    test("a script with its own BEGIN/COMMIT runs as written", async () => {
      await ok({ command: "CREATE TABLE tw (id int PRIMARY KEY)" });
      const error = await fail({
        command: "BEGIN; INSERT INTO tw VALUES (1); COMMIT; INSERT INTO tw VALUES (1)",
      });
      assert.equal(error.statement_index, 3);
      const res = await ok({ command: "SELECT count(*)::int AS n FROM tw" });
      assert.deepEqual(res.rows, [{ n: 1 }], "the committed transaction stays");
    });

    test("an open transaction left by the script is rolled back", async () => {
      await ok({ command: "CREATE TABLE topen (id int)" });
      await ok({ command: "BEGIN; INSERT INTO topen VALUES (1)" });
      const res = await ok({ command: "SELECT count(*)::int AS n FROM topen" });
      assert.deepEqual(res.rows, [{ n: 0 }]);
    });

    test("statements that cannot run in a transaction block run as written", async () => {
      const res = await ok({
        command:
          "CREATE TABLE ci (a int); CREATE INDEX CONCURRENTLY ci_a ON ci (a); VACUUM ci; SELECT 1 AS done",
      });
      assert.deepEqual(res.rows, [{ done: 1 }]);
    });

    test("each call starts a clean session: temp tables and SET do not leak to the next call", async () => {
      const single = createPostgresTool({ maxConnections: 1 });
      const reg = new ToolRegistry().register(single);
      const call = (sql: string) =>
        reg.run(command({ kind: "postgres", auth: credential, command: sql }), context());
      try {
        responseOf(await call("CREATE TEMP TABLE scratch (a int); SET search_path TO nowhere"));
        const res = responseOf(await call("CREATE TEMP TABLE scratch (a int); SHOW search_path"));
        assert.deepEqual(res.rows, [{ search_path: '"$user", public' }]);
      } finally {
        await reg.close();
      }
    });
  });

  describe("errors", () => {
    test("a syntax error reports SQLSTATE, position in its statement and statement_index", async () => {
      const error = await fail({ command: "SELECT 1; SELECT * FRM items" });
      assert.equal(error.kind, "postgres");
      assert.equal(error.code, "42601");
      assert.equal(error.statement_index, 1);
      assert.equal(error.position, 10);
      assert.equal(error.retryable, false);
      assert.match(String(error.message), /syntax error at or near "FRM"/);
    });

    test("a constraint violation carries detail, table and constraint, and is not retryable", async () => {
      await ok({
        command: "CREATE TABLE uq (id int CONSTRAINT uq_pk PRIMARY KEY); INSERT INTO uq VALUES (7)",
      });
      const error = await fail({ command: "INSERT INTO uq VALUES (7)" });
      assert.equal(error.code, "23505");
      assert.equal(error.constraint, "uq_pk");
      assert.equal(error.table, "uq");
      assert.match(String(error.detail), /\(id\)=\(7\) already exists/);
      assert.equal(error.retryable, false);
    });

    test("serialization failures and deadlocks are retryable; hints come through", async () => {
      const error = await fail({
        command: "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001', HINT = 'try again'; END $$",
      });
      assert.equal(error.code, "40001");
      assert.equal(error.retryable, true);
      assert.equal(error.hint, "try again");
      for (const code of ["40P01", "57P01", "08006", "08001"]) assert.equal(isRetryableSqlState(code), true);
      for (const code of ["42601", "23505", "22012", "42P01"]) assert.equal(isRetryableSqlState(code), false);
    });

    test("an unreachable server is a retryable 08001 with the socket error as cause", async () => {
      const error = errorOf(
        await registry.run(
          command({ kind: "postgres", connection: "postgres://postgres@127.0.0.1:9/x", command: "SELECT 1" }),
          context(),
        ),
      );
      assert.equal(error.code, "08001");
      assert.equal(error.cause, "ECONNREFUSED");
      assert.equal(error.retryable, true);
      assert.equal(error.statement_index, null);
    });

    test("a statement past `timeout` is cancelled: retryable timeout, and the pool still works", async () => {
      const error = await fail({ command: "SELECT 1; SELECT pg_sleep(5)", timeout: 0.2 });
      assert.equal(error.kind, "timeout");
      assert.equal(error.retryable, true);
      assert.equal(error.statement_index, 1);
      assert.deepEqual((await ok({ command: "SELECT 1 AS n" })).rows, [{ n: 1 }]);
    });

    test("after a cancel the session is reset, not poisoned: later calls on it all succeed", async () => {
      const single = createPostgresTool({ maxConnections: 1 });
      const reg = new ToolRegistry().register(single);
      const call = (fields: JsonObject, signal?: AbortSignal) =>
        reg.run(
          command({ kind: "postgres", auth: credential, ...fields }),
          context(signal ? { signal } : {}),
        );
      try {
        const timedOut = errorOf(await call({ command: "SELECT 1; SELECT pg_sleep(5)", timeout: 0.2 }));
        assert.equal(timedOut.kind, "timeout");
        const controller = new AbortController();
        const pending = call({ command: "SELECT pg_sleep(5)" }, controller.signal);
        setTimeout(() => controller.abort(), 50);
        assert.equal(errorOf(await pending).kind, "aborted");
        for (let i = 0; i < 10; i++) {
          const res = responseOf(await call({ command: "SELECT $1::int AS i", params: [i] }));
          assert.deepEqual(res.rows, [{ i }]);
        }
      } finally {
        await reg.close();
      }
    });

    test("a session the server ends mid-call fails the call (retryable) and the pool reconnects", async () => {
      const single = createPostgresTool({ maxConnections: 1 });
      const reg = new ToolRegistry().register(single);
      const call = (sql: string) =>
        reg.run(command({ kind: "postgres", auth: credential, command: sql }), context());
      try {
        const parsed = parseTarget({ auth: credential });
        assert.ok("target" in parsed);
        const target = parsed.target;
        const before = single.pools.get(target);
        const error = errorOf(await call("SELECT 1; SELECT pg_terminate_backend(pg_backend_pid())"));
        assert.match(String(error.code), /^(57P01|08006)$/);
        assert.equal(error.retryable, true);
        assert.equal(error.statement_index, 1);
        for (let i = 0; i < 3; i++) {
          assert.deepEqual(responseOf(await call("SELECT 1 AS n")).rows, [{ n: 1 }]);
        }
        assert.notEqual(single.pools.get(target), before, "the pool that lost a session was replaced");
      } finally {
        await reg.close();
      }
    });

    test("the worker's abort cancels the running statement", async () => {
      const controller = new AbortController();
      const pending = run({ command: "SELECT pg_sleep(5)" }, controller.signal);
      setTimeout(() => controller.abort(), 100);
      const error = errorOf(await pending);
      assert.equal(error.kind, "aborted");
    });
  });

  describe("credentials", () => {
    test("an unresolved credential name is invalid_config", async () => {
      const error = await fail({ auth: "my_pg", command: "SELECT 1" });
      assert.equal(error.kind, "invalid_config");
      assert.match(String(error.message), /'auth' names credential 'my_pg' but it was not resolved/);
    });

    test("no connection at all, or both auth and connection, is invalid_config", async () => {
      const none = errorOf(await registry.run(command({ kind: "postgres", command: "SELECT 1" }), context()));
      assert.match(String(none.message), /needs 'auth'/);
      const both = await fail({ connection: "postgres://x@h/db", command: "SELECT 1" });
      assert.match(String(both.message), /either 'auth' or 'connection'/);
    });

    test("`connection` takes a URL or key=value pairs; `auth` may hold a url or v1 db_* fields", async () => {
      const url = `postgres://${credential.user}@${credential.host}:${credential.port}/${dbName}`;
      const kv = `host=${credential.host} port=${credential.port} user=${credential.user} dbname=${dbName}`;
      const v1 = {
        db_host: credential.host,
        db_port: String(credential.port),
        db_user: credential.user,
        db_name: dbName,
      };
      for (const fields of [
        { connection: url },
        { dsn: kv },
        { auth: { url } },
        { auth: v1 },
      ] as JsonObject[]) {
        const res = responseOf(
          await registry.run(
            command({ kind: "postgres", command: "SELECT current_database() AS db", ...fields }),
            context(),
          ),
        );
        assert.deepEqual(res.rows, [{ db: dbName }]);
      }
    });

    test("one pool per credential: the same data shares a pool, different data does not", async () => {
      const pools = createPostgresTool().pools;
      try {
        const a = pools.get({ host: "127.0.0.1", port: 5432, user: "postgres", database: dbName });
        const b = pools.get({ database: dbName, user: "postgres", port: 5432, host: "127.0.0.1" });
        const c = pools.get({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
        const d = pools.get({
          host: "127.0.0.1",
          port: 5432,
          user: "postgres",
          database: dbName,
          password: "x",
        });
        assert.equal(a, b);
        assert.notEqual(a, c);
        assert.notEqual(a, d);
        assert.equal(pools.size, 3);
      } finally {
        await pools.close();
      }
    });

    test("calls with the same credential reuse one pool across commands", async () => {
      const fresh = createPostgresTool();
      const reg = new ToolRegistry().register(fresh);
      try {
        const url = `postgres://${credential.user}@${credential.host}:${credential.port}/${dbName}`;
        for (const fields of [
          { auth: credential },
          { auth: { ...credential } },
          { connection: url },
        ] as JsonObject[]) {
          responseOf(await reg.run(command({ kind: "postgres", command: "SELECT 1", ...fields }), context()));
        }
        assert.equal(fresh.pools.size, 1);
      } finally {
        await reg.close();
      }
      assert.equal(fresh.pools.size, 0, "close() ends the pools");
    });

    test("the password never appears in an error", async () => {
      const password = "s3cr3t-Pa55";
      const cases: JsonObject[] = [
        { auth: { ...credential, password, database: `missing_${password}` }, command: "SELECT 1" },
        { auth: { url: `postgres://postgres:${password}@127.0.0.1:9/x` }, command: "SELECT 1" },
        { auth: { url: `postgres://postgres:${password}@127.0.0.1:notaport/x` }, command: "SELECT 1" },
        { connection: `postgres://postgres:${password}@[bad/x`, command: "SELECT 1" },
        { auth: { ...credential, password, port: "x" }, command: "SELECT 1" },
      ];
      for (const fields of cases) {
        const outcome = await registry.run(command({ kind: "postgres", ...fields }), context());
        const text = JSON.stringify(errorOf(outcome));
        assert.ok(!text.includes(password), `password leaked: ${text}`);
      }
      const missing = errorOf(await registry.run(command({ kind: "postgres", ...cases[0] }), context()));
      assert.equal(missing.code, "3D000");
      assert.match(String(missing.message), /database "missing_\*\*\*" does not exist/);
    });

    test("scrub removes passwords, their URL-encoded form and user:password@ in URLs", () => {
      assert.equal(scrub("x p@ss y p%40ss", ["p@ss"]), "x *** y ***");
      assert.equal(scrub("at postgres://u:anything@h/db", []), "at postgres://u:***@h/db");
    });
  });
});

describe("postgres connection targets (no database needed)", () => {
  const target = (config: JsonObject) => parseTarget(config);

  test("a credential's fields, with defaults and aliases", () => {
    assert.deepEqual(target({ auth: { host: "db", user: "u", database: "d" } }), {
      target: { host: "db", port: 5432, user: "u", database: "d" },
    });
    assert.deepEqual(
      target({
        auth: {
          type: "postgres",
          host: "db",
          port: "6543",
          username: "u",
          dbname: "d",
          password: "p",
          sslmode: "require",
        },
      }),
      { target: { host: "db", port: 6543, user: "u", database: "d", password: "p", sslmode: "require" } },
    );
  });

  test("URLs and key=value strings, decoded", () => {
    assert.deepEqual(target({ connection: "postgresql://u:p%40ss@db:6000/my%20db?sslmode=verify-full" }), {
      target: {
        host: "db",
        port: 6000,
        user: "u",
        password: "p@ss",
        database: "my db",
        sslmode: "verify-full",
      },
    });
    assert.deepEqual(target({ dsn: "host=db dbname=d user=u password='a b\\'c'" }), {
      target: { host: "db", port: 5432, user: "u", password: "a b'c", database: "d" },
    });
  });

  test("problems name the field, never the value", () => {
    const problem = (config: JsonObject) => {
      const parsed = target(config);
      return "problem" in parsed ? parsed.problem : "";
    };
    assert.equal(
      problem({ auth: { host: "db", password: "pw" } }),
      "the 'auth' credential has no user, database",
    );
    assert.match(problem({ connection: "mysql://u:pw@h/d" }), /must start with postgres:\/\//);
    assert.match(
      problem({ auth: { host: "h", user: "u", database: "d", sslmode: "maybe" } }),
      /sslmode 'maybe'/,
    );
    assert.match(problem({ connection: 42 }), /'connection' must be a string/);
    assert.match(problem({ auth: ["x"] }), /resolved credential mapping/);
  });
});
