/**
 * `playbook` tool calls: the orchestrator starts a child execution in the same transaction, the child's end
 * answers the parent's call, and cancelling the parent cancels the child. Runs embedded on PGlite and on
 * PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { EmbeddedRuntime } from "../../src/runtime/embedded.ts";
import { getExecution, listExecutions } from "../../src/store/index.ts";
import { postgresReachable, testDatabases } from "../helpers/db.ts";
import { postgresUrl } from "../runtime/support.ts";

const CHILD = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: double, path: lib/double}
workload: {n: 0, sleep: 0}
workflow:
  - step: start
    tool:
      kind: python
      args: {n: "{{ workload.n }}", sleep: "{{ workload.sleep }}"}
      code: |
        import time
        def main(n, sleep):
            time.sleep(sleep)
            if n < 0:
                raise ValueError("negative")
            return {"double": n * 2}
`;

const parent = (args: string, path = "lib/double") => `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: parent}
workflow:
  - step: start
    tool: {kind: playbook, path: ${path}, args: ${args}}
    next: end
  - step: end
    tool: {kind: noop, args: {got: "{{ start.double }}"}}
`;

const databases = await testDatabases();
const reachable = await postgresReachable();

for (const database of databases) {
  describe(`playbook tool [${database.name}]`, {
    skip: database.name === "postgres" && !reachable && "PostgreSQL not reachable",
  }, () => {
    let runtime: EmbeddedRuntime;

    before(async () => {
      const base = loadConfig({}, {});
      const config =
        database.name === "postgres"
          ? { ...base, databaseUrl: await postgresUrl(await database.open()) }
          : { ...base, memory: true };
      // Short lease and grace: the cancelled child's sleeping python is aborted by the next heartbeat.
      runtime = await EmbeddedRuntime.start({ ...config, pollMs: 50, leaseMs: 1500, shutdownGraceMs: 1000 });
      await runtime.orchestrator.catalog.register(CHILD);
    });
    after(async () => {
      await runtime?.close();
      await database.cleanup();
    });

    test("the child's result is the parent's call response; the child is linked to the parent", async () => {
      const outcome = await runtime.run(parent("{n: 21}"));
      assert.equal(outcome.status, "completed", JSON.stringify(outcome.error));
      assert.deepEqual(outcome.result, { got: 42 });
      const children = await listExecutions(runtime.db, { parentExecutionId: outcome.execution_id });
      assert.equal(children.items.length, 1);
      assert.equal(children.items[0]!.status, "completed");
      assert.equal(children.items[0]!.playbook_path, "lib/double");
    });

    test("the child's failure fails the parent's call with the child's error", async () => {
      const outcome = await runtime.run(parent("{n: -1}"));
      assert.equal(outcome.status, "failed");
      const error = outcome.error as { message: string; call_error: { kind: string; status: string } };
      assert.equal(error.call_error.kind, "playbook");
      assert.equal(error.call_error.status, "failed");
      assert.match(error.message, /ValueError: negative/);
    });

    test("a path that is not in the catalog fails the call cleanly", async () => {
      const outcome = await runtime.run(parent("{n: 1}", "lib/missing"));
      assert.equal(outcome.status, "failed");
      assert.match(
        (outcome.error as { message: string }).message,
        /no playbook registered at 'lib\/missing'/,
      );
    });

    test("cancelling the parent cancels the running child", async () => {
      const { execution_id } = await runtime.orchestrator.execute({
        playbook_yaml: parent("{n: 1, sleep: 30}"),
      });
      const done = runtime.waitFor(execution_id);
      let childId: string | undefined;
      for (let i = 0; i < 200 && childId === undefined; i++) {
        childId = (await listExecutions(runtime.db, { parentExecutionId: execution_id })).items[0]?.id;
        if (childId === undefined) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(childId, "the child execution was started");
      await runtime.orchestrator.cancel(execution_id, "test");
      assert.equal(await done, "cancelled");
      assert.equal((await getExecution(runtime.db, childId))?.status, "cancelled");
      const left = await runtime.db.query("SELECT command_id FROM command WHERE execution_id = $1", [
        childId,
      ]);
      assert.deepEqual(left, []);
    });
  });
}
