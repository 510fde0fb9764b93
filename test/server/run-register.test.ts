/** `noetl run --register child.yaml parent.yaml`: children that `playbook` steps run can be registered first. */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Processes } from "../helpers/processes.ts";

const procs = new Processes();
const dir = await mkdtemp(join(tmpdir(), "noetl-register-"));
after(async () => {
  await procs.stopAll();
  await rm(dir, { recursive: true, force: true });
});

test("a parent run embedded calls the child registered with --register", async () => {
  const child = join(dir, "child.yaml");
  const parent = join(dir, "parent.yaml");
  await writeFile(
    child,
    `apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: child, path: lib/greet}\nworkflow:\n  - step: start\n    tool: {kind: noop, args: {hi: "hello {{ workload.who }}"}}\n`,
  );
  await writeFile(
    parent,
    `apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: parent}\nworkflow:\n  - step: start\n    tool: {kind: playbook, path: lib/greet, args: {who: child}}\n`,
  );
  const run = procs.spawn("noetl run --register", [
    "run",
    parent,
    "--register",
    child,
    "--data-dir",
    join(dir, "data"),
    "--json",
  ]);
  const exit = await run.waitForExit();
  assert.equal(exit.code, 0, run.stderr());
  const out = JSON.parse(run.stdout()) as { status: string; result: unknown; execution_id: string };
  assert.deepEqual(out.result, { hi: "hello child" });
  // The parent's own steps are shown as they are; the child's carry its execution id, so the two
  // `start` steps are told apart.
  const lines = run.stderr().split("\n");
  assert.ok(lines.includes("▶ start"), run.stderr());
  const childLines = lines.filter((l) => /^\[[0-9a-f]{8}\] [▶✔] start/.test(l));
  assert.equal(childLines.length, 2, run.stderr());
  assert.ok(!childLines[0]!.startsWith(`[${out.execution_id.slice(0, 8)}]`));
});
