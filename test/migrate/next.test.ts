import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { fixture, migrateFixture, migrateText, noteAt, playbookOf, rawStep, stepOf } from "./helpers.ts";

const EXIT = "event.name == 'step.exit'";

describe("rule 3 and 4: conditional next → case on step.exit, with → args", () => {
  test("when/then/else → a rule per branch in order, else last, targets with args", () => {
    const fetch = stepOf(playbookOf(migrateFixture("http_branching.yaml")), "fetch");
    assert.deepEqual(
      fetch.case?.map((rule) => [rule.when, rule.then]),
      [
        [
          `{{ ${EXIT} and (result.data.count > 10) }}`,
          [{ next: [{ step: "big", args: { count: "{{ result.data.count }}" } }, { step: "audit" }] }],
        ],
        [`{{ ${EXIT} }}`, [{ next: [{ step: "small" }, { step: "audit" }] }]],
      ],
    );
  });

  test("an unconditional item stays in structural next and joins every rule's targets in v1 order", () => {
    const migrated = migrateFixture("http_branching.yaml");
    assert.deepEqual(stepOf(playbookOf(migrated), "fetch").next, [{ step: "audit" }]);
    const note = noteAt(migrated.result.changes, "workflow[1].next");
    assert.match(
      note.message,
      /unconditional audit kept in structural 'next' and added to every rule's then\.next/,
    );
  });

  test("items {when, step, with} keep their order (first match wins); bare and boolean conditions work", () => {
    const migrated = migrateFixture("python_routes.yaml");
    const step = stepOf(playbookOf(migrated), "score_it");
    assert.deepEqual(
      step.case?.map((rule) => [rule.when, rule.then[0]?.next]),
      [
        [`{{ ${EXIT} and (result > 100) }}`, [{ step: "high", args: { score: "{{ result }}" } }]],
        [`{{ ${EXIT} and (result > 10) }}`, [{ step: "medium", args: { score: "{{ result }}" } }]],
        [`{{ ${EXIT} and (true) }}`, [{ step: "low" }]],
      ],
    );
    assert.equal(step.next, undefined);
    const first = noteAt(migrated.result.changes, "workflow[1].next[0]");
    assert.deepEqual([first.line, first.column], [23, 9]);
    assert.match(first.message, /conditional 'next' → case rule when/);
  });

  test("with on a transition becomes args and is noted at the v1 position", () => {
    const migrated = migrateFixture("http_branching.yaml");
    const note = noteAt(migrated.result.changes, "workflow[1].next[0].then[0].with");
    assert.deepEqual([note.line, note.column], [26, 13]);
    assert.match(note.message, /'with' → 'args'/);
  });

  test("unconditional next items only: with → args, no case", () => {
    const text = `apiVersion: noetl.io/v1
kind: Playbook
metadata: {name: x}
workflow:
  - step: start
    next:
      - step: end
        with: {a: 1}
  - step: end
`;
    const start = stepOf(playbookOf(migrateText(text)), "start");
    assert.deepEqual(start.next, [{ step: "end", args: { a: 1 } }]);
    assert.equal(start.case, undefined);
  });

  test("a standalone else item becomes the final rule; items after it are kept but noted as unreachable", () => {
    const text = `apiVersion: noetl.io/v1
kind: Playbook
metadata: {name: x}
workflow:
  - step: start
    next:
      - when: "{{ workload.a }}"
        then: [a]
      - else: [b]
      - when: "{{ workload.c }}"
        then: [c]
  - {step: a}
  - {step: b}
  - {step: c}
`;
    const migrated = migrateText(text);
    const rules = stepOf(playbookOf(migrated), "start").case ?? [];
    assert.deepEqual(
      rules.map((rule) => rule.when),
      [`{{ ${EXIT} and (workload.a) }}`, `{{ ${EXIT} }}`, `{{ ${EXIT} and (workload.c) }}`],
    );
    assert.match(noteAt(migrated.result.changes, "workflow[0].next[2]").message, /v1 never evaluated it/);
  });

  test("a condition with text around its template is not guessed: the whole next is left and reported", () => {
    const migrated = migrateFixture("leftovers.yaml");
    const step = rawStep(migrated, "get_secret");
    // Exactly as written in the v1 file.
    assert.deepEqual(step.next, parse('- when: "{{ result.ok }} and more"\n  then:\n    - step: end\n'));
    assert.equal(step.case, undefined);
    const note = noteAt(migrated.result.unconverted, "workflow[1].next[0].when");
    assert.deepEqual([note.line, note.column], [18, 9]);
    assert.match(note.message, /mixes text and templates; 'next' left in place/);
    assert.equal(migrated.valid.ok, false);
  });

  test("unknown keys on a transition leave the next as written", () => {
    const text = fixture("no_start.yaml").replace(
      "      - step: done",
      "      - step: done\n        data: {x: 1}",
    );
    const migrated = migrateText(text);
    assert.deepEqual(rawStep(migrated, "load").next, [{ step: "done", data: { x: 1 } }]);
    assert.match(
      noteAt(migrated.result.unconverted, "workflow[0].next[0]").message,
      /keys v2 does not know: data/,
    );
  });

  test("rules are appended after a step's existing case rules", () => {
    const text = `apiVersion: noetl.io/v1
kind: Playbook
metadata: {name: x}
workflow:
  - step: start
    tool: python
    code: "result = 1"
    case:
      - when: "{{ event.name == 'call.done' and error is defined }}"
        then: {retry: {max_attempts: 2}}
    next:
      - when: "{{ result == 1 }}"
        then: [end]
  - step: end
`;
    const rules = stepOf(playbookOf(migrateText(text)), "start").case ?? [];
    assert.equal(rules.length, 2);
    assert.deepEqual(rules[1]?.then, [{ next: [{ step: "end" }] }]);
  });
});
