import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parsePlaybook, toolKinds } from "../../src/dsl/index.ts";

describe("toolKinds", () => {
  test("names the kinds of step tools, sinks and workbook tasks", () => {
    const playbook = parsePlaybook(`
apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: kinds}
workbook:
  - name: lookup
    tool: {kind: duckdb, command: "select 1"}
workflow:
  - step: start
    tool: {kind: http, endpoint: "http://localhost/x"}
    case:
      - when: "{{ event.name == 'call.done' }}"
        then:
          sink: {tool: {kind: postgres, command: "select 1"}}
          next: [shout]
  - step: shout
    tool: {kind: python, code: "result = 1"}
    next: [task]
  - step: task
    tool: {kind: workbook, name: lookup}
`);
    assert.deepEqual([...toolKinds(playbook)].sort(), ["duckdb", "http", "postgres", "python", "workbook"]);
  });
});
