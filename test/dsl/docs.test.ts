import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { formatIssue, validate } from "../../src/dsl/index.ts";

const docs = readFileSync(new URL("../../docs/dsl.md", import.meta.url), "utf8");
const examples = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((match) => match[1] ?? "")
  .filter((block) => block.startsWith("apiVersion"));

describe("docs/dsl.md", () => {
  test("has full playbook examples", () => {
    assert.ok(examples.length >= 4);
  });

  examples.forEach((example, i) => {
    const name = /name: (\w+)/.exec(example)?.[1] ?? String(i);
    test(`example '${name}' validates clean`, () => {
      assert.deepEqual(validate(example).errors.map(formatIssue), []);
    });
  });

  test("lists every v1 rejection message the validator produces", () => {
    for (const message of [
      "'type' field is not allowed in v2. Use 'tool.kind' instead.",
      "Conditional 'next' with when/then/else is not allowed. Use 'case/when/then' for conditional transitions.",
      "Workflow must have a step named 'start'",
      "'tool' must have 'kind' field (e.g., http, postgres, python)",
      "Missing 'tool' field",
      "v2 playbooks must use 'apiVersion: noetl.io/v2'",
      "kind must be 'Playbook'",
      "Workflow cannot be empty",
      "'case' must be a list of when/then entries",
    ]) {
      assert.ok(docs.includes(message), message);
    }
  });
});
