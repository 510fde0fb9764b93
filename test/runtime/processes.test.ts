/**
 * Server mode as a user runs it: two `noetl server start` replicas and two `noetl worker start` processes
 * (w1 reports to the first server, w2 to the second) on one PostgreSQL database. Examples run through the
 * API; both workers take work; the original register + workflow.start flow works; a worker killed with
 * SIGKILL mid-command loses nothing.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type MockApi, startMockApi } from "../../examples/mock-api.ts";
import { silentLogger } from "../../src/logger.ts";
import { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { Reaper } from "../../src/server/reaper.ts";
import type { Db } from "../../src/store/index.ts";
import { postgresReachable, type TestDatabase } from "../helpers/db.ts";
import { type CliProcess, Processes, type ServerProcess, waitUntil } from "../helpers/processes.ts";
import {
  api,
  type ExecutionView,
  example,
  leasedCommand,
  postgresDatabase,
  postgresUrl,
  sleepyPlaybook,
  waitForExecution,
} from "./support.ts";

// Workers poll often (NOTIFY normally wakes them sooner); the server's own reaper waits a minute, so the
// tests drive reaping with runOnce() (CONVENTIONS 5).
const WORKER_ENV = { NOETL_POLL_MS: "200", NOETL_LEASE_MS: "10000", NOETL_LOG_LEVEL: "info" };
const SERVER_ENV = { NOETL_POLL_MS: "60000", NOETL_LOG_LEVEL: "warn" };

const skip = (await postgresReachable()) ? false : "PostgreSQL not reachable (server mode needs it)";

describe("server + two worker processes", { skip }, () => {
  const procs = new Processes();
  let database: TestDatabase;
  let db: Db;
  let server: ServerProcess;
  let replica: ServerProcess;
  const workers = new Map<string, CliProcess>();
  let mock: MockApi;
  let dir: string;

  const output = () =>
    [server, replica, ...workers.values()]
      .map((p) => `--- ${p.name} ---\n${p.stderr().slice(-3000)}`)
      .join("\n");

  async function execute(yaml: string, payload: object = {}): Promise<string> {
    const res = await api<{ execution_id: string }>(server.url, "POST", "/api/v2/execute", {
      playbook_yaml: yaml,
      payload,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.execution_id;
  }

  const finish = (id: string): Promise<ExecutionView> => waitForExecution(server.url, id, { detail: output });

  before(async () => {
    database = await postgresDatabase();
    db = await database.open();
    const dbUrl = await postgresUrl(db);
    [mock, dir] = await Promise.all([startMockApi(), mkdtemp(join(tmpdir(), "noetl-procs-"))]);
    // Both at once on an empty database: their migrations serialise on an advisory lock.
    [server, replica] = await Promise.all([
      procs.server({ dbUrl, env: SERVER_ENV }),
      procs.server({ dbUrl, env: SERVER_ENV }),
    ]);
    const started = await Promise.all([
      procs.worker({ dbUrl, serverUrl: server.url, id: "w1", env: WORKER_ENV }),
      procs.worker({ dbUrl, serverUrl: replica.url, id: "w2", env: WORKER_ENV }),
    ]);
    for (const w of started) workers.set(w.name.replace("worker:", ""), w);
  });

  after(async () => {
    await procs.stopAll();
    await mock?.close();
    await database?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("runs every example through POST /api/v2/execute", async () => {
    const [hello, fanout, loop, pages] = await Promise.all([
      execute(example("hello_world"), { name: "api" }),
      execute(example("conditional_fanout")),
      execute(example("loop")),
      execute(example("http_pagination"), { api_url: mock.url }),
    ]);
    const results = await Promise.all([hello, fanout, loop, pages].map(finish));
    for (const r of results) assert.equal(r.status, "completed", JSON.stringify(r.error));
    const [h, f, l, p] = results;
    assert.deepEqual(h!.result, { message: "HELLO API!" });
    assert.deepEqual(f!.result, { order: "A-17", route: "big", carrier: "freight" });
    const fanoutSteps = f!.steps.map((s) => s.step);
    assert.ok(fanoutSteps.includes("review") && fanoutSteps.includes("ship"), fanoutSteps.join(", "));
    assert.deepEqual(l!.result, { cities: 4, warm: ["Lisbon", "Cairo"] });
    assert.deepEqual(p!.result, { count: 45 });
    for (let page = 1; page <= 5; page++) assert.equal(mock.hits.get(`/flaky/items?page=${page}`), 2);
  });

  test("both workers take work over a batch of executions", async () => {
    const ids = await Promise.all(
      Array.from({ length: 16 }, (_, i) => execute(example("hello_world"), { name: `n${i}` })),
    );
    const done = await Promise.all(ids.map(finish));
    done.forEach((r, i) => {
      assert.equal(r.status, "completed", JSON.stringify(r.error));
      assert.deepEqual(r.result, { message: `HELLO N${i}!` });
    });
    const rows = await db.query<{ worker_id: string; n: number }>(
      `SELECT worker_id, count(*)::int AS n FROM event
       WHERE name = 'call.done' AND execution_id = ANY($1::text[]) GROUP BY worker_id ORDER BY worker_id`,
      [ids],
    );
    assert.deepEqual(
      rows.map((r) => r.worker_id),
      ["w1", "w2"],
    );
    assert.equal(
      rows.reduce((sum, r) => sum + r.n, 0),
      32,
      "one call.done per command",
    );
  });

  test("the original flow: register with an execution id, then post workflow.start", async () => {
    const executionId = `flow-${Date.now()}`;
    const reg = await api(server.url, "POST", "/api/v2/playbooks/register", {
      playbook_yaml: example("hello_world"),
      execution_id: executionId,
    });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    assert.equal(reg.body.execution_id, executionId);
    assert.equal(reg.body.path, "examples/hello_world");
    const start = await api(server.url, "POST", "/api/v2/events", {
      execution_id: executionId,
      name: "workflow.start",
      payload: { payload: { name: "flow" } },
    });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    assert.equal(start.body.status, "accepted");
    const done = await finish(executionId);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    assert.deepEqual(done.result, { message: "HELLO FLOW!" });
  });

  test("the remote CLI: register, execute a given version with --wait, and playbook issues with the file", async () => {
    const env = { NOETL_SERVER_URL: server.url };
    const registered = procs.spawn("noetl register", ["register", "examples/hello_world.yaml"], env);
    assert.equal((await registered.waitForExit()).code, 0, registered.stderr());
    const { version } = JSON.parse(registered.stdout()) as { version: number };
    const args = [
      "execute",
      "examples/hello_world",
      "--version",
      String(version),
      "--set",
      "name=cli",
      "--wait",
    ];
    const executed = procs.spawn("noetl execute", args, env);
    assert.equal((await executed.waitForExit()).code, 0, executed.stderr());
    const done = JSON.parse(executed.stdout()) as {
      status: string;
      result: unknown;
      playbook_version: number;
    };
    assert.deepEqual(
      [done.status, done.result, done.playbook_version],
      ["completed", { message: "HELLO CLI!" }, version],
    );

    const file = join(dir, "invalid.yaml");
    await writeFile(
      file,
      "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: bad}\nworkflow:\n  - step: start\n    tool: {kind: nope}\n",
    );
    const refused = procs.spawn("noetl register invalid", ["register", file], env);
    assert.equal((await refused.waitForExit()).code, 1);
    assert.match(refused.stderr(), /E_PLAYBOOK_INVALID/);
    assert.ok(refused.stderr().includes(`${file}:6:18 workflow[0].tool.kind: `), refused.stderr());
  });

  test("a second server on a port in use exits 1 with the reason", async () => {
    const second = procs.spawn("server:busy", [
      "server",
      "start",
      "--host",
      "127.0.0.1",
      "--port",
      String(server.port),
      "--db",
      await postgresUrl(db),
    ]);
    const exit = await second.waitForExit();
    assert.equal(exit.code, 1);
    assert.match(second.stderr(), /EADDRINUSE/);
  });

  // Last: it kills one of the two workers.
  test("a worker killed with SIGKILL mid-command: the reaper requeues, the other worker finishes", async () => {
    const marker = join(dir, "killed");
    const id = await execute(sleepyPlaybook("tests/sleepy_kill"), { marker, seconds: 20 });
    // Leased, and the python code is sleeping (its marker exists): truly mid-command.
    const leased = await waitUntil(
      "the sleepy command to be leased and running",
      async () => (existsSync(marker) ? await leasedCommand(db, id) : undefined),
      { detail: output },
    );
    const victim = workers.get(leased.lease_owner);
    assert.ok(victim, `leased by ${leased.lease_owner}`);
    victim.killGroup("SIGKILL");
    const exit = await victim.waitForExit();
    assert.equal(exit.signal, "SIGKILL");

    // Nobody heartbeats the lease any more; make it expire now instead of waiting (CONVENTIONS 5).
    await db.query(
      "UPDATE command SET lease_expires_at = now() - interval '1 second' WHERE command_id = $1",
      [leased.command_id],
    );
    const log = silentLogger();
    const reaper = new Reaper(new Orchestrator(db, new PlaybookCatalog(db), log), 60_000, log);
    assert.deepEqual(await reaper.runOnce(), { requeued: 1, failed: 0 });

    const done = await finish(id);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    assert.deepEqual(done.result, { first_run: false });
    const calls = await db.query<{ worker_id: string; attempt: number }>(
      "SELECT worker_id, attempt FROM event WHERE execution_id = $1 AND name = 'call.done'",
      [id],
    );
    const survivor = leased.lease_owner === "w1" ? "w2" : "w1";
    assert.deepEqual(
      calls.map((c) => c.worker_id),
      [survivor],
    );
  });
});
