import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { migrateText, noteAt, rawStep } from "./helpers.ts";

const playbook = (step: string): string =>
  `apiVersion: noetl.io/v1\nkind: Playbook\nmetadata: {name: x}\nworkflow:\n  - step: start\n${step}`;

describe("rule 4 on steps: with → args", () => {
  test("step-level with becomes args in place", () => {
    const migrated = migrateText(playbook("    tool: python\n    with: {a: 1}\n    code: x\n"));
    assert.deepEqual(Object.keys(rawStep(migrated, "start")), ["step", "tool", "args"]);
    assert.deepEqual(rawStep(migrated, "start").args, { a: 1 });
  });

  test("with and args with different keys are merged into args", () => {
    const migrated = migrateText(playbook("    args: {a: 1}\n    with: {b: 2}\n"));
    assert.deepEqual(rawStep(migrated, "start").args, { a: 1, b: 2 });
    assert.equal(rawStep(migrated, "start").with, undefined);
    assert.equal(migrated.valid.ok, true);
  });

  test("with and args setting the same key are left in place and reported", () => {
    const migrated = migrateText(playbook("    args: {a: 1}\n    with: {a: 2}\n"));
    assert.deepEqual(rawStep(migrated, "start").with, { a: 2 });
    const note = noteAt(migrated.result.unconverted, "workflow[0].with");
    assert.deepEqual([note.line, note.column], [7, 5]);
    assert.match(note.message, /both set a/);
  });

  test("a sink reading v1's `this` is converted and the name is reported", () => {
    const step = `    tool: python
    code: "result = 1"
    sink:
      tool: postgres
      auth: pg
      command: "insert into t values ($1)"
      params: ["{{ this.data }}"]
`;
    const migrated = migrateText(playbook(step));
    assert.equal(rawStep(migrated, "start").sink, undefined);
    assert.match(noteAt(migrated.result.unconverted, "workflow[0].sink.this").message, /use 'result'/);
  });
});
