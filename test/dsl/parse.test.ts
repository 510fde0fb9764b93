import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  cacheKey,
  PlaybookInvalidError,
  parseCount,
  parsePlaybook,
  toYaml,
  validate,
} from "../../src/dsl/index.ts";

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/playbooks/${name}`, import.meta.url), "utf8");

describe("parsePlaybook", () => {
  test("normalises DSL §9's example into the engine's shape", () => {
    const playbook = parsePlaybook(fixture("valid/http_pagination.yaml"));
    assert.equal(playbook.metadata.path, "http_pagination");
    assert.deepEqual(playbook.keychain, []);
    assert.deepEqual(playbook.workbook, []);
    const [start, fetch] = playbook.workflow;
    assert.deepEqual(start?.next, [{ step: "fetch" }]);
    const rules = fetch?.case ?? [];
    assert.deepEqual(rules[0]?.then, [{ set: { items: [] } }]);
    assert.deepEqual(rules[3]?.then[0]?.result, { from: "ctx.items" });
    assert.deepEqual(rules[3]?.then[0]?.next, [{ step: "end", args: { count: "{{ ctx.items | length }}" } }]);
    assert.deepEqual(rules[2]?.then[0]?.collect, {
      from: "response.data.items",
      into: "items",
      mode: "extend",
    });
  });

  test("round-trips through toYaml", () => {
    const playbook = parsePlaybook(fixture("valid/http_pagination.yaml"));
    assert.deepEqual(parsePlaybook(toYaml(playbook)), playbook);
  });

  test("parses the same text once and returns the same frozen object", () => {
    const text = `${fixture("valid/http_pagination.yaml")}\n# cache test ${Date.now()}\n`;
    const before = parseCount();
    const first = parsePlaybook(text);
    const second = parsePlaybook(text);
    assert.equal(parseCount(), before + 1);
    assert.equal(first, second);
    assert.ok(Object.isFrozen(first.workflow[0]?.tool));
    assert.throws(() => {
      (first.metadata as { name: string }).name = "changed";
    }, TypeError);
    assert.match(cacheKey(text), /^[0-9a-f]{64}$/);
  });

  test("throws PlaybookInvalidError with every issue", () => {
    const error = (() => {
      try {
        parsePlaybook("apiVersion: v1\nkind: Playbook\nmetadata: {name: x}\nworkflow: []\n", {
          file: "x.yaml",
        });
      } catch (caught) {
        return caught;
      }
    })();
    assert.ok(error instanceof PlaybookInvalidError);
    assert.equal(error.code, "E_PLAYBOOK_INVALID");
    assert.equal(error.issues.length, 2);
    assert.equal(
      error.message,
      [
        "x.yaml:1:13 apiVersion: Invalid apiVersion: v1. v2 playbooks must use 'apiVersion: noetl.io/v2'",
        "x.yaml:4:11 workflow: Workflow cannot be empty",
      ].join("\n"),
    );
    assert.equal(validate("kind: x").ok, false);
  });
});
