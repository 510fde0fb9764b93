import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseArray, serializeArray } from "../../src/tools/postgres/arrays.ts";
import { decimalValue, floatValue, integerValue, timestampValue } from "../../src/tools/sql/values.ts";

describe("SQL values as JSON", () => {
  test("integers are numbers within ±2^53, strings beyond", () => {
    assert.equal(integerValue(42n), 42);
    assert.equal(integerValue("-9007199254740991"), -9007199254740991);
    assert.equal(integerValue("9007199254740992"), "9007199254740992");
    assert.equal(integerValue(-(2n ** 70n)), "-1180591620717411303424");
  });

  test("decimals are numbers only when the double prints back the same value", () => {
    assert.equal(decimalValue("19.99"), 19.99);
    assert.equal(decimalValue("1.50"), 1.5);
    assert.equal(decimalValue("-0012.3400"), -12.34);
    assert.equal(decimalValue("0.000"), 0);
    assert.equal(decimalValue("42"), 42);
    assert.equal(decimalValue("12345678901234567890.5"), "12345678901234567890.5");
    assert.equal(decimalValue("0.1000000000000000000001"), "0.1000000000000000000001");
    assert.equal(decimalValue("NaN"), "NaN");
  });

  test("floats that JSON cannot hold become strings", () => {
    assert.equal(floatValue(2.5), 2.5);
    assert.equal(floatValue(Number.NaN), "NaN");
    assert.equal(floatValue(Number.NEGATIVE_INFINITY), "-Infinity");
  });

  test("timestamps become ISO 8601 with the database's precision and offset", () => {
    assert.equal(timestampValue("2024-01-02 03:04:05"), "2024-01-02T03:04:05");
    assert.equal(timestampValue("2024-01-02 03:04:05.123456"), "2024-01-02T03:04:05.123456");
    assert.equal(timestampValue("2024-01-02 03:04:05+00"), "2024-01-02T03:04:05Z");
    assert.equal(timestampValue("2024-01-02 03:04:05.5-07"), "2024-01-02T03:04:05.5-07:00");
    assert.equal(timestampValue("2024-01-02 03:04:05+05:30"), "2024-01-02T03:04:05+05:30");
    assert.equal(timestampValue("1900-01-01 00:00:00+01:19:32"), "1900-01-01T00:00:00+01:19:32");
    assert.equal(timestampValue("infinity"), "infinity");
    assert.equal(timestampValue("0044-03-15 12:00:00 BC"), "0044-03-15 12:00:00 BC");
  });
});

describe("PostgreSQL array literals", () => {
  const text = (raw: string) => raw;
  test("parses NULL apart from the string 'NULL', quotes, escapes and nesting", () => {
    assert.deepEqual(parseArray('{a,NULL,"NULL","q\\"q","x,y"}', text), ["a", null, "NULL", 'q"q', "x,y"]);
    assert.deepEqual(parseArray("{{1,2},{3,NULL}}", Number), [
      [1, 2],
      [3, null],
    ]);
    assert.deepEqual(parseArray("{}", text), []);
    assert.deepEqual(parseArray("[0:1]={7,8}", Number), [7, 8]);
  });

  test("writes lists as literals and passes strings through", () => {
    assert.equal(serializeArray([1, null, 'a"b\\c'], String), '{"1",NULL,"a\\"b\\\\c"}');
    assert.equal(serializeArray([[1], [2]], String), '{{"1"},{"2"}}');
    assert.equal(serializeArray("{1,2}", String), "{1,2}");
  });

  test("what serializeArray writes, parseArray reads back", () => {
    const values = ["plain", "with space", 'quote"', "back\\slash", "NULL", null, "{brace}", ""];
    assert.deepEqual(parseArray(serializeArray(values, String), text), values);
  });
});
