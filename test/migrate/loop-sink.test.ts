import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { migrateFixture, noteAt, playbookOf, rawStep, stepOf } from "./helpers.ts";

const EXIT = "event.name == 'step.exit'";

describe("rule 6: loops and sinks", () => {
  const migrated = migrateFixture("loops_and_sinks.yaml");

  test("loop {in, iterator, mode} is kept as is", () => {
    assert.deepEqual(rawStep(migrated, "per_city").loop, {
      in: "{{ workload.cities }}",
      iterator: "city",
      mode: "sequential",
    });
  });

  test("items/element/async/concurrency map to in/iterator/parallel/max_in_flight", () => {
    assert.deepEqual(rawStep(migrated, "per_city_old").loop, {
      in: "{{ workload.cities }}",
      iterator: "city",
      mode: "parallel",
      max_in_flight: 2,
    });
    assert.match(
      noteAt(migrated.result.changes, "workflow[2].loop.mode").message,
      /'mode: async' → 'mode: parallel'/,
    );
  });

  test("a sink becomes a sink action in every step.exit rule, plus a catch-all that keeps the plain targets", () => {
    const step = rawStep(migrated, "summarize");
    assert.equal(step.sink, undefined);
    const sink = {
      tool: { kind: "postgres", auth: "pg_local", command: "insert into summary(n) values ({{ result.n }})" },
    };
    const rules = step.case as Array<{ when: string; then: unknown }>;
    assert.deepEqual(
      rules.map((rule) => [rule.when, rule.then]),
      [
        [`{{ ${EXIT} and (result.n > 1) }}`, { sink, next: [{ step: "many" }, { step: "archive" }] }],
        [`{{ ${EXIT} }}`, { sink, next: [{ step: "archive" }] }],
      ],
    );
    assert.deepEqual(step.next, [{ step: "archive" }]);
  });

  test("a declarative table sink has no v2 form: left in place and reported", () => {
    const step = rawStep(migrated, "many");
    assert.equal((step.sink as { table: string }).table, "public.many");
    const note = noteAt(migrated.result.unconverted, "workflow[4].sink");
    assert.match(note.message, /declarative table sink/);
    assert.equal(note.line, 45);
  });

  test("loop filters and sinks on loop steps are left in place and reported", () => {
    const step = rawStep(migrated, "archive");
    assert.equal((step.loop as { where: string }).where, "{{ city != 'Paris' }}");
    assert.ok(step.sink);
    assert.match(noteAt(migrated.result.unconverted, "workflow[5].loop.where").message, /no v2 form/);
    assert.match(noteAt(migrated.result.unconverted, "workflow[5].sink").message, /loop step/);
    assert.equal(migrated.valid.ok, false);
    assert.deepEqual(
      migrated.valid.errors.map((e) => e.path),
      ["workflow[4].sink", "workflow[5].loop.where", "workflow[5].sink"],
    );
  });

  test("the old iterator step becomes a loop running the task's tool", () => {
    const iterator = migrateFixture("iterator.yaml");
    const step = stepOf(playbookOf(iterator), "score_users");
    assert.deepEqual(step.loop, { in: "{{ workload.users }}", iterator: "user", mode: "parallel" });
    assert.deepEqual(step.tool, {
      kind: "playbook",
      path: "tests/user_profile_scorer",
      args: { user_data: "{{ user }}" },
    });
    assert.deepEqual(iterator.result.unconverted, []);
  });
});
