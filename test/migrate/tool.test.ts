import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { migrateFixture, migrateText, noteAt, playbookOf, rawStep, stepOf } from "./helpers.ts";

describe("rule 1 and 2: apiVersion and tools", () => {
  test("apiVersion becomes noetl.io/v2 and the output is valid v2", () => {
    const migrated = migrateFixture("http_branching.yaml");
    assert.equal(migrated.raw.apiVersion, "noetl.io/v2");
    assert.equal(migrated.result.changed, true);
    assert.deepEqual(migrated.result.unconverted, []);
    playbookOf(migrated);
    assert.match(noteAt(migrated.result.changes, "apiVersion").message, /noetl\.io\/v1 → noetl\.io\/v2/);
  });

  test("`type: http` moves every tool field under tool, kind first, in written order", () => {
    const migrated = migrateFixture("http_branching.yaml");
    const fetch = rawStep(migrated, "fetch");
    assert.deepEqual(fetch.tool, {
      kind: "http",
      method: "GET",
      endpoint: "{{ workload.base_url }}/items",
      headers: { Accept: "application/json" },
      params: { page: 1 },
    });
    assert.deepEqual(Object.keys(fetch), ["step", "desc", "tool", "case", "next"]);
    const note = noteAt(migrated.result.changes, "workflow[1].tool");
    assert.deepEqual([note.line, note.column], [16, 5]);
    assert.match(
      note.message,
      /'type: http' → 'tool: \{kind: http\}'; moved method, endpoint, headers, params/,
    );
  });

  test("`tool: python` (newer form) and postgres fields move the same way", () => {
    const playbook = playbookOf(migrateFixture("http_branching.yaml"));
    assert.equal(stepOf(playbook, "big").tool.kind, "python");
    assert.match(String(stepOf(playbook, "big").tool.code), /def main\(count\)/);
    assert.deepEqual(stepOf(playbook, "audit").tool, {
      kind: "postgres",
      auth: "pg_local",
      command: "insert into audit(step) values ('fetch')",
    });
  });

  test("router, end and tool-less steps become noop", () => {
    const routes = playbookOf(migrateFixture("python_routes.yaml"));
    assert.deepEqual(stepOf(routes, "start").tool, { kind: "noop" });
    assert.deepEqual(stepOf(routes, "end").tool, { kind: "noop" });
    const branching = playbookOf(migrateFixture("http_branching.yaml"));
    assert.deepEqual(stepOf(branching, "start").tool, { kind: "noop" });
    assert.deepEqual(stepOf(branching, "end").tool, { kind: "noop" });
  });

  test("workbook entries get tool: {kind, ...} and their `with` becomes args", () => {
    const migrated = migrateFixture("python_routes.yaml");
    const entry = (migrated.raw.workbook as Array<{ [key: string]: unknown }>)[0] ?? {};
    assert.deepEqual(Object.keys(entry), ["name", "tool", "args"]);
    assert.equal((entry.tool as { kind: string }).kind, "python");
    assert.deepEqual(entry.args, { factor: 2 });
    const step = stepOf(playbookOf(migrated), "score_it");
    assert.deepEqual(step.tool, { kind: "workbook", name: "score" });
    assert.deepEqual(step.args, { value: "{{ workload.value }}" });
  });

  test("a kind v2 does not have is converted in shape and reported", () => {
    const migrated = migrateFixture("leftovers.yaml");
    assert.equal((rawStep(migrated, "get_secret").tool as { kind: string }).kind, "secrets");
    assert.match(
      noteAt(migrated.result.unconverted, "workflow[1].tool.kind").message,
      /'secrets' does not exist in v2/,
    );
  });

  test("contradicting type and tool are left as written and reported", () => {
    const text = `apiVersion: noetl.io/v1
kind: Playbook
metadata: {name: x}
workflow:
  - step: start
    type: http
    tool: python
    code: "x"
`;
    const migrated = migrateText(text);
    assert.equal(rawStep(migrated, "start").tool, "python");
    const note = noteAt(migrated.result.unconverted, "workflow[0].type");
    assert.deepEqual([note.line, note.column], [6, 5]);
    assert.equal(migrated.valid.ok, false);
  });
});
