/**
 * Embedded mode (orchestrator + worker in one process, events by function call) runs every example to its
 * expected result, on in-memory PGlite and on PostgreSQL; and `noetl run` as a user runs it.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type MockApi, startMockApi } from "../../examples/mock-api.ts";
import { loadConfig } from "../../src/config.ts";
import { EmbeddedRuntime, type RuntimeConfig } from "../../src/runtime/embedded.ts";
import { testDatabases } from "../helpers/db.ts";
import { noopChain } from "../helpers/playbooks.ts";
import { Processes, within } from "../helpers/processes.ts";
import { example, postgresUrl } from "./support.ts";

const FAILING = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: failing, path: tests/failing}
workflow:
  - step: start
    tool:
      kind: python
      code: |
        def main():
            raise ValueError("the ledger does not balance")
`;

/** PostgreSQL cannot store U+0000; before the fix the report was refused and the step ran 3 times. */
const NUL_RESULT = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: nul_result, path: tests/nul_result}
workflow:
  - step: start
    tool:
      kind: python
      code: |
        def main():
            return {"k\\x00": "a\\x00b"}
`;

/** A template that renders U+0000 into the next step's args: the report of `start` used to be refused. */
const NUL_RENDERED = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: nul_rendered, path: tests/nul_rendered}
workflow:
  - step: start
    tool: {kind: noop}
    next: end
  - step: end
    tool: {kind: noop, args: {w: "{{ 'a\\\\x00b' }}"}}
    case:
      - when: "{{ event.name == 'step.exit' }}"
        then: {set: {ctx: {kept: "{{ 'c\\\\x00d' }}"}}, result: {from: "[response.w, ctx.kept]"}}
`;

/** Compiled like the CLI compiles it, from an environment of our own (not the test process's). */
const BASE = loadConfig({
  NOETL_WORKER_CONCURRENCY: "4",
  NOETL_LEASE_MS: "30000",
  NOETL_POLL_MS: "200",
  NOETL_SHUTDOWN_GRACE_MS: "2000",
});

for (const database of await testDatabases()) {
  describe(`embedded runtime [${database.name}]`, { skip: database.skip }, () => {
    let runtime: EmbeddedRuntime;
    let mock: MockApi;

    before(async () => {
      const config: RuntimeConfig =
        database.name === "postgres"
          ? { ...BASE, databaseUrl: await postgresUrl(await database.open()) }
          : { ...BASE, databaseUrl: undefined, memory: true };
      [runtime, mock] = await Promise.all([EmbeddedRuntime.start(config), startMockApi()]);
    });
    after(async () => {
      await runtime?.close();
      await mock?.close();
      await database.cleanup();
    });

    test("hello_world shouts the greeting", async () => {
      const out = await runtime.run(example("hello_world"));
      assert.equal(out.status, "completed", JSON.stringify(out.error));
      assert.deepEqual(out.result, { message: "HELLO WORLD!" });
      assert.deepEqual(
        out.steps.map((s) => [s.step, s.status]),
        [
          ["start", "completed"],
          ["end", "completed"],
        ],
      );
    });

    test("conditional_fanout routes a big order to review and shipping", async () => {
      const out = await runtime.run(example("conditional_fanout"));
      assert.equal(out.status, "completed", JSON.stringify(out.error));
      assert.deepEqual(out.result, { order: "A-17", route: "big", carrier: "freight" });
      const steps = out.steps.map((s) => s.step);
      assert.ok(steps.includes("review") && steps.includes("ship"), `step runs: ${steps.join(", ")}`);
      assert.ok(out.steps.every((s) => s.status === "completed"));
    });

    test("loop scores every city and lists the warm ones", async () => {
      const out = await runtime.run(example("loop"));
      assert.equal(out.status, "completed", JSON.stringify(out.error));
      assert.deepEqual(out.result, { cities: 4, warm: ["Lisbon", "Cairo"] });
      assert.equal(out.steps.find((s) => s.step === "score")?.calls, 4);
    });

    test("http_pagination fetches all pages, retrying each flaky page once", async () => {
      const out = await runtime.run(example("http_pagination"), { api_url: mock.url });
      assert.equal(out.status, "completed", JSON.stringify(out.error));
      assert.deepEqual(out.result, { count: 45 });
      for (let page = 1; page <= 5; page++) {
        assert.equal(mock.hits.get(`/flaky/items?page=${page}`), 2, `page ${page}`);
      }
      assert.equal(mock.hits.get("/flaky/items?page=6"), undefined);
    });

    test("a python step that raises fails the execution with its message", async () => {
      const out = await runtime.run(FAILING);
      assert.equal(out.status, "failed");
      const error = out.error as { message?: string } | null;
      assert.match(String(error?.message), /the ledger does not balance/);
      assert.deepEqual(
        out.steps.map((s) => [s.step, s.status]),
        [["start", "failed"]],
      );
    });

    test("waitFor: several waiters for one execution, and a wait that starts after the end", async () => {
      const { execution_id } = await runtime.orchestrator.execute({ playbook_yaml: example("hello_world") });
      const both = Promise.all([runtime.waitFor(execution_id), runtime.waitFor(execution_id)]);
      assert.deepEqual(await within("both waiters", both), ["completed", "completed"]);
      assert.equal(await within("a late waiter", runtime.waitFor(execution_id)), "completed");
    });

    test("a chain's later steps are handed to the worker with its reports, not claimed", async () => {
      const chain = noopChain("pushed_embedded", ["start", "b", "c"]);
      const { execution_id, status } = await within("the chain", runtime.run(chain));
      assert.equal(status, "completed");
      // A claimed command reports how long it was queued on its step.enter; a pushed one was never queued.
      const enters = await runtime.db.query<{ step: string; claimed: boolean }>(
        `SELECT step, payload ? 'queued_ms' AS claimed FROM event
         WHERE execution_id = $1 AND name = 'step.enter' ORDER BY id`,
        [execution_id],
      );
      assert.deepEqual(
        enters.map((e) => [e.step, e.claimed]),
        [
          ["start", true],
          ["b", false],
          ["c", false],
        ],
      );
    });

    test("an invalid playbook is refused by run() with every issue", async () => {
      await assert.rejects(
        runtime.run("apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: x}\nworkflow: []\n"),
        (err: { code?: string; details?: { issues?: unknown[] } }) =>
          err.code === "E_PLAYBOOK_INVALID" && (err.details?.issues?.length ?? 0) > 0,
      );
    });

    test("a result with NUL characters is stored (as U+FFFD) and the step runs once", async () => {
      const out = await runtime.run(NUL_RESULT);
      assert.equal(out.status, "completed", JSON.stringify(out.error));
      assert.deepEqual(out.result, { "k\uFFFD": "a\uFFFDb" });
      assert.equal(out.steps[0]?.calls, 1);
    });

    test("a template that renders U+0000 stores U+FFFD; no step is blamed, nothing runs twice", async () => {
      const out = await runtime.run(NUL_RENDERED);
      assert.equal(out.status, "completed", JSON.stringify(out.error));
      assert.deepEqual(out.result, ["a\uFFFDb", "c\uFFFDd"]);
      assert.deepEqual(
        out.steps.map((s) => [s.step, s.status, s.calls]),
        [
          ["start", "completed", 1],
          ["end", "completed", 1],
        ],
      );
    });
  });
}

// The two tests use different data directories, so they may run at once.
describe("noetl run (the CLI process)", { concurrency: true }, () => {
  const procs = new Processes();
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "noetl-run-"));
  });
  after(async () => {
    await procs.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  test("runs a playbook: exit 0, JSON on stdout, steps on stderr; a failing one exits 1", async () => {
    const dataDir = join(dir, "data");
    const ok = procs.spawn("noetl run", [
      "run",
      "examples/hello_world.yaml",
      "--data-dir",
      dataDir,
      "--json",
    ]);
    const exit = await ok.waitForExit();
    assert.equal(exit.code, 0, ok.stderr());
    const out = JSON.parse(ok.stdout()) as { status: string; result: unknown; execution_id: string };
    assert.equal(out.status, "completed");
    assert.deepEqual(out.result, { message: "HELLO WORLD!" });
    assert.match(ok.stderr(), /▶ start\n/);
    assert.match(ok.stderr(), /✔ end completed/);

    // Same data directory (PGlite files are reused, not initialised again).
    const file = join(dir, "failing.yaml");
    await writeFile(file, FAILING);
    const bad = procs.spawn("noetl run failing", ["run", file, "--data-dir", dataDir, "--json"]);
    const badExit = await bad.waitForExit();
    assert.equal(badExit.code, 1, bad.stderr());
    const failed = JSON.parse(bad.stdout()) as { status: string; error: { message: string } };
    assert.equal(failed.status, "failed");
    assert.match(failed.error.message, /the ledger does not balance/);
    assert.match(bad.stderr(), /✖ start failed/);
  });

  test("an invalid playbook prints file:line:col path: message and exits 1", async () => {
    const file = join(dir, "invalid.yaml");
    await writeFile(
      file,
      "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: bad}\nworkflow:\n  - step: start\n    tool: {kind: nope}\n",
    );
    const proc = procs.spawn("noetl run invalid", ["run", file, "--data-dir", join(dir, "never")]);
    const exit = await proc.waitForExit();
    assert.equal(exit.code, 1);
    assert.equal(proc.stdout(), "");
    assert.match(
      proc.stderr(),
      new RegExp(`^${escapeRegExp(file)}:6:18 workflow\\[0\\]\\.tool\\.kind: .*'nope'`, "m"),
    );
    // With --json, scripts get the same problems as a JSON document on stdout.
    const json = procs.spawn("noetl run invalid --json", [
      "run",
      file,
      "--json",
      "--data-dir",
      join(dir, "never"),
    ]);
    assert.equal((await json.waitForExit()).code, 1);
    const out = JSON.parse(json.stdout()) as { status: string; errors: Array<Record<string, unknown>> };
    assert.equal(out.status, "invalid");
    assert.deepEqual(
      [out.errors[0]?.file, out.errors[0]?.line, out.errors[0]?.column, out.errors[0]?.path],
      [file, 6, 18, "workflow[0].tool.kind"],
    );
  });
});

describe("noetl run: checks that need the database (the CLI process)", () => {
  const procs = new Processes();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "noetl-run-cred-"));
  });
  after(async () => {
    await procs.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  test("a credential neither stored nor declared is reported as file:line:col path: message", async () => {
    const file = join(dir, "cred.yaml");
    await writeFile(
      file,
      'apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: cred}\nworkflow:\n  - step: start\n    tool: {kind: http, endpoint: "http://127.0.0.1:1/", auth: nowhere}\n',
    );
    const proc = procs.spawn("noetl run cred", ["run", file, "--data-dir", join(dir, "data")]);
    const exit = await proc.waitForExit();
    assert.equal(exit.code, 1);
    assert.match(
      proc.stderr(),
      new RegExp(`^${escapeRegExp(file)}:6:\\d+ workflow\\[0\\]\\.tool\\.auth: .*'nowhere'`, "m"),
    );
    assert.doesNotMatch(proc.stderr(), /▶ start/);
  });
});

describe("noetl usage errors (the CLI process)", { concurrency: true }, () => {
  const procs = new Processes();
  after(() => procs.stopAll());

  const usage: Array<[string, string[]]> = [
    ["an unknown flag", ["run", "examples/hello_world.yaml", "--bogus"]],
    ["a missing argument", ["run"]],
    ["an unknown command", ["nosuchcmd"]],
    ["a bad number", ["run", "examples/hello_world.yaml", "--concurrency", "abc"]],
    ["a bad catalog version", ["execute", "some/path", "--version", "abc"]],
  ];
  for (const [what, args] of usage) {
    test(`${what} exits 2`, async () => {
      const proc = procs.spawn(`noetl ${args.join(" ")}`, args);
      const exit = await proc.waitForExit();
      assert.equal(exit.code, 2, proc.stderr());
      assert.match(proc.stderr(), /error/);
    });
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
