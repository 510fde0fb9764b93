import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Harness } from "./driver.ts";
import { playbook } from "./helpers.ts";

describe("workbook tools", () => {
  test("a workbook call becomes the entry's tool, with entry args, tool args and call args merged in that order", () => {
    const h = new Harness(
      playbook(`
workload: {threshold: 5}
workbook:
  - name: score
    args: {scale: 10, label: entry}
    tool:
      kind: python
      args: {label: tool, limit: "{{ workload.threshold }}"}
      code: "def main(scale, label, limit, value):\\n    return {'v': value * scale}"
workflow:
  - step: start
    tool: {kind: workbook, name: score, args: {value: 3, label: call}}
`),
    );
    const [command] = h.start().commands;
    assert.equal(command!.kind, "python");
    assert.equal(command!.tool.kind, "python");
    assert.match(String(command!.tool.code), /def main/);
    assert.deepEqual(command!.args, { scale: 10, label: "call", limit: 5, value: 3 });
  });

  test("an entry may use another entry", () => {
    const h = new Harness(
      playbook(`
workbook:
  - name: base
    tool: {kind: noop, args: {a: 1}}
  - name: wrapper
    tool: {kind: workbook, name: base, args: {b: 2}}
workflow:
  - step: start
    tool: {kind: workbook, task: wrapper, with: {c: 3}}
`),
    );
    const [command] = h.start().commands;
    assert.equal(command!.kind, "noop");
    assert.deepEqual(command!.args, { a: 1, b: 2, c: 3 });
  });
});
