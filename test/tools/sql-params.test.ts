import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { positional } from "../../src/tools/duckdb/run.ts";
import { checkParams, paramsFor } from "../../src/tools/sql/params.ts";
import { splitSql } from "../../src/tools/sql/split.ts";
import { controlsTransaction, postgresOutsideTransaction, runMode } from "../../src/tools/sql/transaction.ts";

const words = (sql: string) => splitSql(sql)[0]?.words ?? [];

describe("params per statement", () => {
  test("each statement binds the leading values it uses", () => {
    const [a, b, c] = splitSql("INSERT INTO t VALUES ($1, $2); SELECT $1; SELECT 1");
    const params = [10, "x", true];
    assert.deepEqual(a && paramsFor(a, params, "dollar"), [10, "x"]);
    assert.deepEqual(b && paramsFor(b, params, "dollar"), [10]);
    assert.equal(c && paramsFor(c, params, "dollar"), undefined);
  });

  test("? counts for DuckDB but not for PostgreSQL, where it is an operator", () => {
    const statements = splitSql("SELECT data ? 'key' FROM t");
    assert.deepEqual(checkParams({}, statements, "dollar"), []);
    assert.match(checkParams({}, statements, "dollar-or-question")[0] ?? "", /'params' is missing/);
  });

  test("problems: not a list, too few values, values but no placeholder", () => {
    const two = splitSql("SELECT $1; SELECT $2");
    assert.match(checkParams({ params: { a: 1 } }, two, "dollar")[0] ?? "", /must be a list/);
    assert.deepEqual(checkParams({ params: [1] }, two, "dollar"), [
      "statement 1 uses 2 parameters but 'params' has 1",
    ]);
    assert.match(
      checkParams({ params: [1] }, splitSql("SELECT 1"), "dollar")[0] ?? "",
      /no statement has a placeholder/,
    );
    assert.deepEqual(checkParams({ params: [] }, splitSql("SELECT 1"), "dollar"), []);
  });

  test("DuckDB statements are rewritten to ? in order of appearance", () => {
    const [s] = splitSql("SELECT $2, '$1', $1, $2, ?");
    assert.deepEqual(s && positional(s, ["a", "b"]), {
      text: "SELECT ?, '$1', ?, ?, ?",
      values: ["b", "a", "b", "a"],
    });
  });
});

describe("transaction modes", () => {
  test("transaction control is recognised; ROLLBACK TO SAVEPOINT is not", () => {
    for (const sql of [
      "BEGIN",
      "begin transaction",
      "START TRANSACTION",
      "COMMIT",
      "END",
      "ROLLBACK",
      "ABORT",
    ]) {
      assert.equal(controlsTransaction(words(sql)), true, sql);
    }
    for (const sql of ["ROLLBACK TO SAVEPOINT a", "SAVEPOINT a", "SELECT 1", "PREPARE p AS SELECT 1"]) {
      assert.equal(controlsTransaction(words(sql)), false, sql);
    }
  });

  test("PostgreSQL statements that refuse a transaction block", () => {
    const outside = [
      "CREATE DATABASE x",
      "DROP DATABASE x",
      "VACUUM t",
      "CREATE INDEX CONCURRENTLY i ON t (a)",
      "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)",
      "DROP INDEX CONCURRENTLY i",
      "REINDEX TABLE CONCURRENTLY t",
      "ALTER SYSTEM SET work_mem = '1MB'",
      "CALL proc()",
      "CREATE TABLESPACE s LOCATION '/x'",
    ];
    for (const sql of outside) assert.equal(postgresOutsideTransaction(words(sql)), true, sql);
    for (const sql of ["CREATE INDEX i ON t (a)", "CREATE TABLE concurrently (a int)", "REINDEX TABLE t"]) {
      assert.equal(postgresOutsideTransaction(words(sql)), false, sql);
    }
  });

  test("one statement runs as written; several share a transaction unless one forbids it", () => {
    assert.equal(runMode(splitSql("SELECT 1")), "as-written");
    assert.equal(runMode(splitSql("SELECT 1; SELECT 2")), "transaction");
    assert.equal(runMode(splitSql("BEGIN; SELECT 2; COMMIT")), "as-written");
    assert.equal(runMode(splitSql("SELECT 1; VACUUM")), "transaction");
    assert.equal(runMode(splitSql("SELECT 1; VACUUM"), postgresOutsideTransaction), "as-written");
  });
});
