/**
 * Stopping and restarting processes while work is in flight (one server, one worker at a time):
 * - SIGTERM lets a short command finish and report, then the worker exits 0;
 * - SIGTERM with a command longer than the grace period releases it to the queue, then exits 0;
 * - a server killed mid-execution and started again on the same port: the worker's report retries until
 *   the server is back, and the execution completes.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Db, getCommand } from "../../src/store/index.ts";
import { postgresReachable, type TestDatabase } from "../helpers/db.ts";
import { type CliProcess, Processes, type ServerProcess, waitUntil } from "../helpers/processes.ts";
import {
  api,
  type ExecutionView,
  leasedCommand,
  postgresDatabase,
  postgresUrl,
  sleepyPlaybook,
  waitForExecution,
} from "./support.ts";

const SERVER_ENV = { NOETL_POLL_MS: "60000", NOETL_LOG_LEVEL: "warn" };
const WORKER_ENV = { NOETL_POLL_MS: "200", NOETL_LEASE_MS: "10000" };

const skip = (await postgresReachable()) ? false : "PostgreSQL not reachable (server mode needs it)";

describe("stopping and restarting processes mid-command", { skip }, () => {
  const procs = new Processes();
  let database: TestDatabase;
  let db: Db;
  let dbUrl: string;
  let server: ServerProcess;
  let dir: string;
  const seen: CliProcess[] = [];

  const output = () => seen.map((p) => `--- ${p.name} ---\n${p.stderr().slice(-3000)}`).join("\n");

  async function worker(id: string, env: Record<string, string> = {}): Promise<CliProcess> {
    const w = await procs.worker({ dbUrl, serverUrl: server.url, id, env: { ...WORKER_ENV, ...env } });
    seen.push(w);
    return w;
  }

  /** Starts the sleepy playbook and waits until its python code is sleeping on a worker. */
  async function startSleepy(name: string, seconds: number) {
    const marker = join(dir, name);
    const res = await api<{ execution_id: string }>(server.url, "POST", "/api/v2/execute", {
      playbook_yaml: sleepyPlaybook(`tests/${name}`),
      payload: { marker, seconds },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = res.body.execution_id;
    const leased = await waitUntil(
      `${name} to be running`,
      async () => (existsSync(marker) ? await leasedCommand(db, id) : undefined),
      { detail: output },
    );
    return { id, marker, leased };
  }

  const finish = (id: string): Promise<ExecutionView> => waitForExecution(server.url, id, { detail: output });

  async function callDone(id: string): Promise<string[]> {
    const rows = await db.query<{ worker_id: string }>(
      "SELECT worker_id FROM event WHERE execution_id = $1 AND name = 'call.done' ORDER BY id",
      [id],
    );
    return rows.map((r) => r.worker_id);
  }

  before(async () => {
    database = await postgresDatabase();
    db = await database.open();
    dbUrl = await postgresUrl(db);
    dir = await mkdtemp(join(tmpdir(), "noetl-lifecycle-"));
    server = await procs.server({ dbUrl, env: SERVER_ENV });
    seen.push(server);
  });

  after(async () => {
    await procs.stopAll();
    await database?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("SIGTERM while a short command runs: it finishes and reports, the worker exits 0", async () => {
    const w = await worker("patient", { NOETL_SHUTDOWN_GRACE_MS: "20000" });
    const { id } = await startSleepy("short", 1);
    w.kill("SIGTERM");
    const exit = await w.waitForExit();
    assert.equal(exit.code, 0, w.stderr());
    const done = await finish(id);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    assert.deepEqual(done.result, { first_run: true });
    assert.deepEqual(await callDone(id), ["patient"]);
  });

  test("SIGTERM past the grace period: the long command is released to the queue, exit 0", async () => {
    const w = await worker("hasty", { NOETL_SHUTDOWN_GRACE_MS: "300" });
    const { id, leased } = await startSleepy("long", 30);
    assert.equal(leased.lease_owner, "hasty");
    w.kill("SIGTERM");
    const exit = await w.waitForExit();
    assert.equal(exit.code, 0, w.stderr());
    const command = await getCommand(db, leased.command_id);
    assert.equal(command?.status, "queued");
    assert.equal(command?.lease_owner, null);
    assert.equal(command?.claims, 0, "a release gives the claim back");
    assert.deepEqual(await callDone(id), [], "nothing was reported");

    // The next worker picks it up; the marker makes the re-run quick.
    await worker("successor");
    const done = await finish(id);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    assert.deepEqual(done.result, { first_run: false });
    assert.deepEqual(await callDone(id), ["successor"]);
  });

  test("the server is killed mid-execution and restarted: the worker's report gets through", async () => {
    const { id, marker } = await startSleepy("restart", 2);
    server.killGroup("SIGKILL");
    await server.waitForExit();
    // The tool finished while no server was listening: its report is being retried now.
    await waitUntil("the tool to finish", () => existsSync(`${marker}.done`), { detail: output });
    const replacement = await procs.server({ dbUrl, port: server.port, env: SERVER_ENV });
    seen.push(replacement);
    server = replacement;
    const done = await finish(id);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    assert.deepEqual(done.result, { first_run: true });
    assert.deepEqual(await callDone(id), ["successor"]);
  });
});
