import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { splitSql } from "../../src/tools/sql/split.ts";

const texts = (sql: string): string[] => splitSql(sql).map((s) => s.text);

describe("splitSql: statement boundaries", () => {
  test("splits on semicolons and trims; a missing final semicolon is fine", () => {
    assert.deepEqual(texts("SELECT 1;  SELECT 2 ;\nSELECT 3"), ["SELECT 1", "SELECT 2", "SELECT 3"]);
  });

  test("empty statements and comment-only statements are skipped", () => {
    assert.deepEqual(texts(";; SELECT 1;;\n-- only a comment\n; /* and this */ ;"), ["SELECT 1"]);
    assert.deepEqual(texts(""), []);
    assert.deepEqual(texts("  \n -- nothing\n"), []);
  });

  test("comments inside a statement are kept in its text", () => {
    assert.deepEqual(texts("-- lead\nSELECT 1 /* mid */ + 1; SELECT 2 -- tail"), [
      "-- lead\nSELECT 1 /* mid */ + 1",
      "SELECT 2 -- tail",
    ]);
  });

  test("offset points at the statement in the script", () => {
    const sql = "SELECT 1;\n\n  SELECT 2;";
    const [, second] = splitSql(sql);
    assert.equal(second?.offset, sql.indexOf("SELECT 2"));
  });
});

describe("splitSql: semicolons that do not end a statement", () => {
  test("inside single-quoted strings, with '' doubling", () => {
    assert.deepEqual(texts("SELECT 'a;b', 'it''s; here'; SELECT 2"), [
      "SELECT 'a;b', 'it''s; here'",
      "SELECT 2",
    ]);
  });

  test("a backslash does not escape in a standard string", () => {
    assert.deepEqual(texts("SELECT 'C:\\'; SELECT 2"), ["SELECT 'C:\\'", "SELECT 2"]);
  });

  test("inside E'' strings, where a backslash escapes the quote", () => {
    assert.deepEqual(texts("SELECT E'it\\'s; \\\\'; SELECT e'x\\';y'; SELECT 3"), [
      "SELECT E'it\\'s; \\\\'",
      "SELECT e'x\\';y'",
      "SELECT 3",
    ]);
  });

  test("an identifier ending in e before a quote is a typed literal, not an E string", () => {
    assert.deepEqual(texts("SELECT date'2024-01-01\\'; SELECT 2"), ["SELECT date'2024-01-01\\'", "SELECT 2"]);
  });

  test('inside double-quoted identifiers, with "" doubling', () => {
    assert.deepEqual(texts('SELECT 1 AS "a;""b"; SELECT 2'), ['SELECT 1 AS "a;""b"', "SELECT 2"]);
  });

  test("inside $$ and $tag$ dollar quotes, which may nest other tags", () => {
    const fn = `CREATE FUNCTION f() RETURNS int AS $body$
      BEGIN
        PERFORM $$;$$;
        RETURN 1;
      END $body$ LANGUAGE plpgsql`;
    assert.deepEqual(texts(`${fn}; SELECT $$a;b$$; DO $x$ BEGIN NULL; END $x$`), [
      fn,
      "SELECT $$a;b$$",
      "DO $x$ BEGIN NULL; END $x$",
    ]);
  });

  test("a $ inside an identifier does not open a dollar quote", () => {
    assert.deepEqual(texts("SELECT a$b$c FROM t; SELECT 2"), ["SELECT a$b$c FROM t", "SELECT 2"]);
  });

  test("inside -- comments and nested /* */ comments", () => {
    assert.deepEqual(texts("SELECT 1 -- no; split\n; /* a /* nested; */ still; */ SELECT 2"), [
      "SELECT 1 -- no; split",
      "/* a /* nested; */ still; */ SELECT 2",
    ]);
  });

  test("quotes inside comments and comments inside quotes are inert", () => {
    assert.deepEqual(texts("SELECT '--;' /* ' */; SELECT \"/*\"; SELECT 3"), [
      "SELECT '--;' /* ' */",
      'SELECT "/*"',
      "SELECT 3",
    ]);
  });

  test("inside a SQL-standard function body (BEGIN ATOMIC ... END), CASE ... END included", () => {
    const fn = `CREATE OR REPLACE FUNCTION g(x int) RETURNS int LANGUAGE sql
      BEGIN ATOMIC
        SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
        SELECT x;
      END`;
    assert.deepEqual(texts(`${fn}; SELECT 1`), [fn, "SELECT 1"]);
  });

  test("BEGIN as a transaction start is an ordinary statement", () => {
    assert.deepEqual(texts("BEGIN; SELECT CASE WHEN true THEN 1 END; COMMIT"), [
      "BEGIN",
      "SELECT CASE WHEN true THEN 1 END",
      "COMMIT",
    ]);
  });

  test("an unterminated quote or comment swallows the rest (the database reports it)", () => {
    assert.deepEqual(texts("SELECT 1; SELECT 'oops; SELECT 3"), ["SELECT 1", "SELECT 'oops; SELECT 3"]);
    assert.deepEqual(texts("SELECT 1; /* open ; SELECT 3"), ["SELECT 1"]);
  });
});

describe("splitSql: placeholders and words", () => {
  test("$n placeholders outside literals are counted per statement", () => {
    const [a, b, c] = splitSql("SELECT $2, $1; SELECT '$3', \"$4\" -- $5\n; SELECT $$ $6 $$, $10");
    assert.equal(a?.maxDollarParam, 2);
    assert.equal(b?.maxDollarParam, 0);
    assert.equal(c?.maxDollarParam, 10);
    assert.deepEqual(a?.dollarParams, [1, 2]);
    assert.deepEqual(c?.dollarParams, [10]);
  });

  test("placeholders are listed in order with their offset in the statement text", () => {
    const [, b] = splitSql("SELECT 1;  SELECT $2, '$9', ?, $1");
    assert.deepEqual(b?.placeholders, [
      { at: 7, length: 2, number: 2 },
      { at: 17, length: 1, number: null },
      { at: 20, length: 2, number: 1 },
    ]);
    assert.equal(b?.text.slice(20, 22), "$1");
  });

  test("? placeholders are counted outside literals", () => {
    const [a, b] = splitSql("SELECT ?, '?', ? -- ?\n; SELECT 1");
    assert.equal(a?.questionParams, 2);
    assert.equal(b?.questionParams, 0);
  });

  test("words are the first bare words, upper-cased, after leading comments", () => {
    const [a, b] = splitSql("/* c */ create unique index concurrently i on t (a); rollback to savepoint s");
    assert.deepEqual(a?.words.slice(0, 4), ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"]);
    assert.deepEqual(b?.words, ["ROLLBACK", "TO", "SAVEPOINT", "S"]);
  });

  test("numbers such as 1e5 or 1.5 are not words", () => {
    assert.deepEqual(splitSql("SELECT 1e5, 1.5")[0]?.words, ["SELECT"]);
  });
});
