import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { migrateFixture, noteAt, playbookOf, rawStep } from "./helpers.ts";

describe("rule 5: a workflow without start gets one", () => {
  test("a noop start leading to the first step is added first, with a comment and a note", () => {
    const migrated = migrateFixture("no_start.yaml");
    const playbook = playbookOf(migrated);
    assert.deepEqual(
      playbook.workflow.map((step) => step.step),
      ["start", "load", "done"],
    );
    const start = playbook.workflow[0];
    assert.deepEqual(start?.tool, { kind: "noop" });
    assert.deepEqual(start?.next, [{ step: "load" }]);
    assert.match(
      migrated.result.yaml,
      /# added by noetl migrate: every v2 workflow starts at a step named 'start'/,
    );
    const note = noteAt(migrated.result.changes, "workflow");
    assert.deepEqual([note.line, note.column], [5, 1]);
    assert.match(note.message, /no 'start' step: added 'start' \(tool noop\) leading to 'load'/);
  });

  test("a workflow that has a start step gets none added", () => {
    const migrated = migrateFixture("http_branching.yaml");
    const names = (migrated.raw.workflow as Array<{ step: string }>).map((s) => s.step);
    assert.equal(names.filter((name) => name === "start").length, 1);
    assert.equal(rawStep(migrated, "start").desc, "Entry router");
  });
});
