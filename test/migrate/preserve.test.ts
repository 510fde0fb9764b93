import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { migratePlaybook } from "../../src/migrate/index.ts";
import { fixture, migrateFixture, migrateText } from "./helpers.ts";

describe("rule 7: comments and key order; v2 input is left alone", () => {
  test("every comment of the v1 file survives", () => {
    const text = fixture("http_branching.yaml");
    const { result } = migrateFixture("http_branching.yaml");
    const comments = text.split("\n").flatMap((line) => /#.*$/.exec(line)?.[0] ?? []);
    assert.ok(comments.length >= 3);
    for (const comment of comments) assert.ok(result.yaml.includes(comment), `lost ${comment}`);
  });

  test("top-level and step keys keep their order; the trailing comment stays on the kind", () => {
    const migrated = migrateFixture("http_branching.yaml");
    assert.deepEqual(Object.keys(migrated.raw), ["apiVersion", "kind", "metadata", "workload", "workflow"]);
    assert.match(migrated.result.yaml, /tool:\n {6}kind: http # the tool\n {6}method: GET/);
    assert.match(migrated.result.yaml, /code: \|\n {8}def main\(count\):/);
  });

  test("the oldest header (name/path at top level) moves under metadata", () => {
    const text =
      "apiVersion: noetl.io/v1\nkind: Playbook\nname: old\npath: a/old\nworkflow:\n  - step: start\n";
    const migrated = migrateText(text);
    assert.deepEqual(migrated.raw.metadata, { name: "old", path: "a/old" });
    assert.equal(migrated.valid.ok, true);
  });

  test("a v2 playbook comes back byte for byte, with no changes", () => {
    const v2 =
      "apiVersion:   noetl.io/v2   # odd spacing is kept\nkind: Playbook\nmetadata: {name: x}\nworkflow:\n- step: start\n  tool: {kind: noop}\n";
    const result = migratePlaybook(v2);
    assert.deepEqual(result, { yaml: v2, changed: false, changes: [], unconverted: [] });
  });

  test("migrating the output again changes nothing", () => {
    for (const name of ["http_branching.yaml", "python_routes.yaml", "route_noop.yaml", "iterator.yaml"]) {
      const once = migrateFixture(name).result.yaml;
      const twice = migratePlaybook(once);
      assert.equal(twice.changed, false, name);
      assert.equal(twice.yaml, once, name);
    }
  });

  test("a document that is not a v1 playbook is returned unchanged and reported", () => {
    const other = "apiVersion: example.com/v9\nkind: Thing\n";
    const result = migratePlaybook(other);
    assert.equal(result.yaml, other);
    assert.equal(result.changed, false);
    assert.match(result.unconverted[0]?.message ?? "", /is not noetl\.io\/v1; nothing converted/);
    const broken = migratePlaybook("workflow: [\n");
    assert.equal(broken.changed, false);
    assert.match(broken.unconverted[0]?.message ?? "", /YAML syntax/);
  });
});
