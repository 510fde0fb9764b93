import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { ACTION_NAMES, COLLECT_MODES, LOOP_MODES, playbookSchema, TOOL_KINDS } from "../../src/dsl/index.ts";
import { fixture, fixtureNames } from "./fixtures.ts";
import { checkAgainstSchema } from "./json-schema-check.ts";

const schema = playbookSchema() as Record<string, unknown> & {
  $defs: Record<string, Record<string, unknown>>;
};
const properties = (name: string) =>
  schema.$defs[name]?.properties as Record<string, Record<string, unknown>>;

describe("playbookSchema", () => {
  test("is a draft 2020-12 schema rooted at the playbook definition", () => {
    assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
    assert.equal(schema.$ref, "#/$defs/playbook");
    assert.deepEqual(schema.$defs.playbook?.required, ["apiVersion", "kind", "metadata", "workflow"]);
  });

  test("carries the validator's tables: tool kinds, actions, modes, step keys", () => {
    assert.deepEqual(properties("tool").kind?.enum, [...TOOL_KINDS]);
    assert.deepEqual(Object.keys(properties("actions")), [...ACTION_NAMES]);
    assert.deepEqual(properties("loop").mode?.enum, [...LOOP_MODES]);
    assert.deepEqual(properties("collect").mode?.enum, [...COLLECT_MODES]);
    assert.deepEqual(Object.keys(properties("step")), [
      "step",
      "desc",
      "args",
      "loop",
      "tool",
      "case",
      "next",
      "vars",
      "max_calls",
    ]);
    assert.equal(schema.$defs.step?.additionalProperties, false);
  });

  test("every property has a description (editors show them on completion)", () => {
    for (const [name, def] of Object.entries(schema.$defs)) {
      for (const [key, property] of Object.entries(
        (def.properties ?? {}) as Record<string, { description?: string }>,
      )) {
        assert.ok(property.description, `${name}.${key} has a description`);
      }
    }
  });

  for (const name of fixtureNames("valid")) {
    test(`${name} conforms to the schema`, () => {
      assert.deepEqual(checkAgainstSchema(schema, parse(fixture(name))), []);
    });
  }

  test("docs/dsl.md's examples conform to the schema", () => {
    const docs = readFileSync(new URL("../../docs/dsl.md", import.meta.url), "utf8");
    const examples = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
    for (const example of examples.filter((block) => block.startsWith("apiVersion"))) {
      assert.deepEqual(checkAgainstSchema(schema, parse(example)), []);
    }
  });

  test("rejects what the validator rejects structurally", () => {
    const bad = (yaml: string) => checkAgainstSchema(schema, parse(yaml)).length > 0;
    const head = "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: x}\n";
    assert.ok(bad(`${head}workflow:\n  - step: start\n    type: http\n    tool: {kind: http, url: u}\n`));
    assert.ok(bad(`${head}workflow:\n  - step: start\n    tool: {kind: htp}\n`));
    assert.ok(bad(`${head}workflow:\n  - step: start\n    tool: {kind: http}\n`));
    assert.ok(bad(`${head}workflow:\n  - step: start\n    tool: {kind: python}\n`));
    assert.ok(bad(`${head}workflow:\n  - step: start\n    tool: {kind: noop}\n    loop: {in: [1]}\n`));
    assert.ok(
      bad(
        `${head}workflow:\n  - step: start\n    tool: {kind: noop}\n    case: [{when: x, then: {sett: 1}}]\n`,
      ),
    );
    assert.ok(bad(`${head}workflow:\n  - step: start\n    tool: {kind: noop}\n    max_calls: 0\n`));
    assert.ok(!bad(`${head}workflow:\n  - step: start\n    tool: {kind: noop}\n`));
  });
});
