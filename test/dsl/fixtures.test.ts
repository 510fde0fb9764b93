import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatIssue, validate } from "../../src/dsl/index.ts";
import { expectations, fixture, fixtureNames } from "./fixtures.ts";

describe("valid fixtures", () => {
  for (const name of fixtureNames("valid")) {
    test(`${name} validates clean`, () => {
      const result = validate(fixture(name), { file: name });
      assert.deepEqual(result.errors.map(formatIssue), []);
      assert.equal(result.ok, true);
    });
  }
});

/**
 * Each invalid fixture lists, in `# expect:` comments at its end, every issue it must produce (formatted
 * without a file name): the exact messages, line:column and paths, all reported at once.
 */
describe("invalid fixtures", () => {
  for (const name of fixtureNames("invalid")) {
    test(`${name} reports exactly its expected issues`, () => {
      const text = fixture(name);
      const expected = expectations(text);
      assert.ok(expected.length > 0, "fixture lists its expectations");
      const result = validate(text);
      assert.equal(result.ok, false);
      assert.deepEqual(result.errors.map(formatIssue), expected);
    });
  }
});
