/**
 * The HTTP API through app.inject (no network): bad input always gets a 4xx with {error: {code, message}},
 * never a 500; the catalog, executions, events, cancel, metrics and health routes answer as documented.
 * Also: the orchestrator's parsed-playbook cache is bounded (a server that gets `playbook_yaml` with every
 * execution registers a version per execution and must not keep them all in memory).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { silentLogger } from "../../src/logger.ts";
import { LocalReporter } from "../../src/runtime/local-reporter.ts";
import { buildServer, DEFAULT_BODY_LIMIT } from "../../src/server/app.ts";
import type { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";
import { type Db, migrate } from "../../src/store/index.ts";
import { defaultTools, type ToolRegistry } from "../../src/tools/index.ts";
import { Worker } from "../../src/worker/worker.ts";
import { forEachDatabase } from "../helpers/db.ts";
import { waitUntil } from "../helpers/processes.ts";
import { example } from "./support.ts";

const noops = (path: string) => `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: noops, path: ${path}}
workload: {n: 1}
workflow:
  - step: start
    tool: {kind: noop, args: {n: "{{ workload.n }}"}}
    next: end
  - step: end
    tool: {kind: noop, args: {doubled: "{{ start.n * 2 }}"}}
`;
const NOOPS = noops("tests/api/noops");
/** Only the pagination test runs this path, so it knows every execution of it. */
const PAGED = noops("tests/api/paged");

/** Invalid twice over: an unknown tool kind (line 6) and a next to a step that does not exist (line 7). */
const INVALID = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: broken, path: tests/api/broken}
workflow:
  - step: start
    tool: {kind: teleport}
    next: nowhere
`;

const cachedVersion = (n: number) => `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: cached, path: tests/cached}
workload: {n: ${n}}
workflow:
  - step: start
    tool: {kind: noop}
`;

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

await forEachDatabase("HTTP API", (database) => {
  let db: Db;
  let app: FastifyInstance;
  let orchestrator: Orchestrator;
  let tools: ToolRegistry;
  let worker: Worker;

  before(async () => {
    db = await database.open();
    await migrate(db);
    const log = silentLogger();
    ({ app, orchestrator } = buildServer({ db, log }));
    tools = defaultTools();
    // Not started: tests run claim rounds with runOnce() when they want commands to run.
    worker = new Worker({
      db,
      tools,
      reporter: new LocalReporter(orchestrator),
      id: "api-test",
      concurrency: 8,
      leaseMs: 30_000,
      pollMs: 1_000,
      shutdownGraceMs: 1_000,
      log,
    });
  });
  after(async () => {
    await app.close();
    await tools.close();
  });

  /** Asserts the documented error shape and status, and returns the body. */
  function expectError(res: LightMyRequestResponse, status: number, code?: string): ErrorBody["error"] {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers["content-type"]), /application\/json/);
    const body = res.json() as ErrorBody;
    assert.equal(typeof body.error?.code, "string", res.body);
    assert.equal(typeof body.error?.message, "string", res.body);
    assert.ok(body.error.message.length > 0);
    if (code !== undefined) assert.equal(body.error.code, code, res.body);
    return body.error;
  }

  const post = (url: string, payload: unknown) =>
    app.inject({ method: "POST", url, payload: payload as object });
  const get = (url: string) => app.inject({ method: "GET", url });

  /** Starts NOOPS and runs claim rounds until it ends. */
  async function runNoops(payload: object = {}, yaml = NOOPS): Promise<string> {
    const res = await post("/api/v2/execute", { playbook_yaml: yaml, payload });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().execution_id as string;
    await waitUntil(`execution ${id} to complete`, async () => {
      await worker.runOnce();
      return (await get(`/api/v2/executions/${id}`)).json().status === "completed";
    });
    return id;
  }

  test("malformed JSON → 400 with a JSON error body", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/api/v2/execute",
      headers: { "content-type": "application/json" },
      payload: '{"playbook_yaml": "x",',
    });
    expectError(res, 400);
  });

  test("unknown execution → 404 on status, events and cancel", async () => {
    expectError(await get("/api/v2/executions/no-such-id"), 404, "E_NOT_FOUND");
    expectError(await get("/api/v2/executions/no-such-id/events"), 404, "E_NOT_FOUND");
    expectError(await post("/api/v2/executions/no-such-id/cancel", {}), 404, "E_NOT_FOUND");
  });

  test("an invalid playbook → 400 whose issues carry line, column and path (register and execute)", async () => {
    for (const url of ["/api/v2/catalog/register", "/api/v2/playbooks/register", "/api/v2/execute"]) {
      const error = expectError(await post(url, { playbook_yaml: INVALID }), 400, "E_PLAYBOOK_INVALID");
      const issues = (error.details as { issues: Array<{ line: number; column: number; path: string }> })
        .issues;
      assert.ok(issues.length >= 2, `${url}: ${JSON.stringify(issues)}`);
      const kind = issues.find((i) => i.path === "workflow[0].tool.kind");
      assert.deepEqual([kind?.line, kind?.column], [6, 18], `${url}: ${JSON.stringify(issues)}`);
      const next = issues.find((i) => i.path.startsWith("workflow[0].next"));
      assert.equal(next?.line, 7, `${url}: ${JSON.stringify(issues)}`);
    }
    const catalog = (await get("/api/v2/catalog")).json() as { items: Array<{ path: string }> };
    assert.ok(!catalog.items.some((p) => p.path === "tests/api/broken"), "nothing registered");
  });

  test("an oversized body → 413", async () => {
    const huge = "x".repeat(DEFAULT_BODY_LIMIT + 1);
    expectError(await post("/api/v2/execute", { playbook_yaml: NOOPS, payload: { huge } }), 413);
  });

  test("an unknown route → 404 with the error body", async () => {
    expectError(await get("/api/v2/nothing-here"), 404, "E_NOT_FOUND");
    expectError(await post("/api/v3/execute", {}), 404, "E_NOT_FOUND");
  });

  test("wrong types and unknown fields → 400", async () => {
    const bad: Array<[string, unknown]> = [
      ["/api/v2/execute", { playbook_yaml: NOOPS, payload: "not an object" }],
      ["/api/v2/execute", { playbook_yaml: 42 }],
      ["/api/v2/execute", { playbook_yaml: NOOPS, surprise: true }],
      ["/api/v2/execute", {}],
      ["/api/v2/execute", [1, 2]],
      ["/api/v2/events", { execution_id: "x", name: "workflow.explode" }],
      ["/api/v2/events", { execution_id: "x", name: "workflow.start", extra: 1 }],
      ["/api/v2/events", { events: [] }],
      ["/api/v2/playbooks/register", { playbook_yaml: "" }],
    ];
    for (const [url, body] of bad) {
      const error = expectError(await post(url, body), 400);
      assert.ok(error.code.length > 0, `${url} ${JSON.stringify(body)}`);
    }
    expectError(await get("/api/v2/executions?limit=0"), 400);
    expectError(await get("/api/v2/executions?status=sleeping"), 400);
    expectError(await get("/api/v2/executions?color=red"), 400);
  });

  test("unknown fields → 400 on every body, naming the field", async () => {
    const bad: Array<[string, object]> = [
      ["/api/v2/catalog/register", { playbook_yaml: NOOPS, bogus: 1 }],
      ["/api/v2/playbooks/register", { playbook_yaml: NOOPS, bogus: 1 }],
      ["/api/v2/execute", { playbook_yaml: NOOPS, bogus: 1 }],
      ["/api/v2/executions/no-such-id/cancel", { reason: "r", bogus: 1 }],
    ];
    for (const [url, body] of bad) {
      const error = expectError(await post(url, body), 400, "E_BAD_REQUEST");
      assert.equal(error.message, "body has an unknown field 'bogus'", url);
    }
  });

  test("bodies are not type-coerced: a number where a string belongs → 400", async () => {
    const bad: Array<[string, object, string]> = [
      ["/api/v2/catalog/register", { playbook_yaml: 5 }, "body/playbook_yaml must be string"],
      ["/api/v2/playbooks/register", { playbook_yaml: 5 }, "body/playbook_yaml must be string"],
      ["/api/v2/execute", { path: 5 }, "body/path must be string"],
      ["/api/v2/execute", { path: "examples/hello_world", version: "1" }, "body/version must be integer"],
      ["/api/v2/executions/no-such-id/cancel", { reason: 5 }, "body/reason must be string"],
    ];
    for (const [url, body, message] of bad) {
      assert.equal(expectError(await post(url, body), 400, "E_BAD_REQUEST").message, message, url);
    }
    // Query strings are text: their numbers are still read as numbers, and still checked.
    assert.equal((await get("/api/v2/executions?limit=2&offset=1")).statusCode, 200);
    expectError(await get("/api/v2/executions?limit=2.5"), 400, "E_BAD_REQUEST");
    expectError(await get("/api/v2/executions?limit=ten"), 400, "E_BAD_REQUEST");
  });

  test("a body that is not JSON → 415", async () => {
    for (const url of ["/api/v2/execute", "/api/v2/events", "/api/v2/catalog/register"]) {
      const res = await app.inject({
        method: "POST",
        url,
        headers: { "content-type": "text/plain" },
        payload: JSON.stringify({ playbook_yaml: NOOPS }),
      });
      expectError(res, 415, "FST_ERR_CTP_INVALID_MEDIA_TYPE");
    }
    // Cancel needs no body at all.
    const res = await post("/api/v2/execute", { playbook_yaml: NOOPS });
    const id = res.json().execution_id as string;
    const cancel = await app.inject({ method: "POST", url: `/api/v2/executions/${id}/cancel` });
    assert.equal(cancel.statusCode, 200, cancel.body);
  });

  test("an unknown cursor → 400, not an empty last page", async () => {
    const error = expectError(await get("/api/v2/executions?cursor=garbage"), 400, "E_BAD_REQUEST");
    assert.match(error.message, /invalid cursor 'garbage'/);
  });

  test("a workflow.start whose payload.payload is not an object → 400, as /execute's payload", async () => {
    const reg = await post("/api/v2/playbooks/register", {
      playbook_yaml: NOOPS,
      execution_id: "api-bad-start",
    });
    assert.equal(reg.statusCode, 200, reg.body);
    const start = (payload: unknown) => ({ execution_id: "api-bad-start", name: "workflow.start", payload });
    for (const body of [start({ payload: [1] }), { events: [start({ payload: "x" })] }]) {
      const error = expectError(await post("/api/v2/events", body), 400, "E_BAD_REQUEST");
      assert.match(error.message, /payload\/payload must be object/);
    }
    assert.equal((await get("/api/v2/executions/api-bad-start")).json().status, "pending", "not started");
    // An object is accepted and starts the execution.
    const ok = await post("/api/v2/events", start({ payload: { n: 2 } }));
    assert.equal(ok.statusCode, 200, ok.body);
    await post("/api/v2/executions/api-bad-start/cancel", {});
  });

  test("a bad /events body → a message naming what is wrong, once", async () => {
    const cases: Array<[unknown, string]> = [
      [{ execution_id: "x", name: "workflow.start", extra: 1 }, "body has an unknown field 'extra'"],
      [{ execution_id: "x" }, "body must have required property 'name'"],
      [
        { execution_id: "x", name: "workflow.explode" },
        'body/name must be one of "workflow.start", "step.enter", "call.done", "step.exit", "workflow.cancel"',
      ],
      [
        { events: [{ execution_id: "x", name: "call.done", oops: 1 }] },
        "body/events/0 has an unknown field 'oops'",
      ],
      [{ events: [] }, "body/events must NOT have fewer than 1 items"],
      [{ events: "x" }, "body/events must be array"],
    ];
    for (const [body, message] of cases) {
      const error = expectError(await post("/api/v2/events", body), 400, "E_BAD_REQUEST");
      assert.equal(error.message, message, JSON.stringify(body));
      assert.ok(Array.isArray(error.details), "details lists each problem");
      assert.ok(
        (error.details as Array<{ keyword: string }>).every((d) => d.keyword !== "if"),
        JSON.stringify(error.details),
      );
    }
  });

  test("NUL characters (which PostgreSQL cannot store) → 400, not 500", async () => {
    expectError(await get("/api/v2/executions/a%00b"), 400, "E_BAD_REQUEST");
    expectError(await get("/api/v2/catalog/a%00b"), 400, "E_BAD_REQUEST");
    expectError(await post("/api/v2/execute", { playbook_yaml: NOOPS, execution_id: "a\u0000b" }), 400);
    expectError(await post("/api/v2/execute", { playbook_yaml: NOOPS, payload: { s: "a\u0000b" } }), 400);
    // A lone UTF-16 surrogate (text cut inside an emoji) cannot be stored in jsonb either.
    expectError(await post("/api/v2/execute", { playbook_yaml: NOOPS, payload: { s: "a\udc80b" } }), 400);
    // Numbers beyond the integer columns.
    expectError(await post("/api/v2/execute", { path: "examples/hello_world", version: 3_000_000_000 }), 400);
  });

  test("worker events without a lease token → 400", async () => {
    const res = await post("/api/v2/execute", { playbook_yaml: NOOPS });
    const id = res.json().execution_id as string;
    for (const name of ["step.enter", "call.done", "step.exit"]) {
      const error = expectError(
        await post("/api/v2/events", { execution_id: id, name, step: "start", command_id: "c1" }),
        400,
      );
      assert.match(error.message, /lease_token/);
    }
    await post(`/api/v2/executions/${id}/cancel`, {});
  });

  test("a report offering another worker's slots → 400; the reporting worker's own offer is heard", async () => {
    const res = await post("/api/v2/execute", { playbook_yaml: NOOPS });
    const id = res.json().execution_id as string;
    const report = (offeredBy: string) => ({
      events: [
        {
          execution_id: id,
          name: "call.done",
          step: "start",
          command_id: "not-leased",
          lease_token: "t",
          worker_id: "w1",
        },
      ],
      offer: { worker_id: offeredBy, slots: 1, lease_ms: 60_000 },
    });
    const error = expectError(await post("/api/v2/events", report("w2")), 400, "E_BAD_REQUEST");
    assert.match(error.message, /offer.worker_id 'w2' is not the worker of these reports \('w1'\)/);
    // Past that check, a command this worker does not hold is refused as a lost lease.
    assert.equal((await post("/api/v2/events", report("w1"))).statusCode, 409);
    await post(`/api/v2/executions/${id}/cancel`, {});
  });

  test("catalog: list, one path with slashes, a given version, and 404 for an unknown path", async () => {
    const changed = `${example("hello_world")}# changed\n`;
    const registrations = [
      [example("hello_world"), 201, 1],
      [example("hello_world"), 200, 1], // the same text again is the same version
      [changed, 201, 2],
    ] as const;
    for (const [yaml, status, version] of registrations) {
      const res = await post("/api/v2/catalog/register", { playbook_yaml: yaml });
      assert.equal(res.statusCode, status, res.body);
      assert.deepEqual(res.json(), { path: "examples/hello_world", version });
    }
    const list = (await get("/api/v2/catalog")).json() as { items: Array<{ path: string; version: number }> };
    const hello = list.items.find((p) => p.path === "examples/hello_world");
    assert.equal(hello?.version, 2);

    const latest = await get("/api/v2/catalog/examples/hello_world");
    assert.equal(latest.statusCode, 200, latest.body);
    const body = latest.json() as { path: string; version: number; yaml: string; versions: unknown[] };
    assert.equal(body.path, "examples/hello_world");
    assert.equal(body.version, 2);
    assert.equal(body.yaml, changed);
    assert.equal(body.versions.length, 2);
    assert.equal((await get("/api/v2/catalog/examples/hello_world?version=1")).json().version, 1);
    const missing = expectError(
      await get("/api/v2/catalog/examples/hello_world?version=9"),
      404,
      "E_NOT_FOUND",
    );
    assert.equal(missing.message, "no version 9 of 'examples/hello_world'");
    const nothing = expectError(await get("/api/v2/catalog/examples/nothing"), 404, "E_NOT_FOUND");
    assert.equal(nothing.message, "no playbook registered at 'examples/nothing'");
    expectError(await get("/api/v2/catalog/examples/nothing?version=1"), 404, "E_NOT_FOUND");
    // Executing a version that does not exist says which part is missing.
    const noVersion = await post("/api/v2/execute", { path: "examples/hello_world", version: 9 });
    assert.equal(
      expectError(noVersion, 404, "E_NOT_FOUND").message,
      "no version 9 of 'examples/hello_world' (the latest is 2)",
    );
    const noPath = await post("/api/v2/execute", { path: "examples/nothing", version: 1 });
    assert.equal(
      expectError(noPath, 404, "E_NOT_FOUND").message,
      "no playbook registered at 'examples/nothing'",
    );
    expectError(await get("/api/v2/catalog/examples/hello_world?version=zero"), 400);

    // Execute a registered playbook by path.
    const run = await post("/api/v2/execute", { path: "examples/hello_world", version: 1 });
    assert.equal(run.statusCode, 201, run.body);
    assert.deepEqual(
      { path: run.json().path, version: run.json().version },
      { path: "examples/hello_world", version: 1 },
    );
    await post(`/api/v2/executions/${run.json().execution_id}/cancel`, {});
    expectError(await post("/api/v2/execute", { path: "examples/nothing" }), 404, "E_NOT_FOUND");
  });

  test("executions: status and playbook filters, cursor and offset pagination", async () => {
    const done = [
      await runNoops({ n: 1 }, PAGED),
      await runNoops({ n: 2 }, PAGED),
      await runNoops({ n: 3 }, PAGED),
    ];
    const running = (await post("/api/v2/execute", { playbook_yaml: PAGED })).json().execution_id as string;

    const one = (await get(`/api/v2/executions/${done[1]}`)).json();
    assert.equal(one.status, "completed");
    assert.deepEqual(one.workload, { n: 2 }, "the workload it ran with, payload merged");
    assert.deepEqual(one.result, { doubled: 4 });
    assert.deepEqual(
      one.steps.map((s: { step: string; status: string }) => [s.step, s.status]),
      [
        ["start", "completed"],
        ["end", "completed"],
      ],
    );

    type Page = {
      items: Array<{ id: string; status: string; playbook_path: string }>;
      next_cursor: string | null;
    };
    const completed = (
      await get("/api/v2/executions?status=completed&playbook=tests/api/paged")
    ).json() as Page;
    assert.deepEqual(
      completed.items.map((e) => e.id),
      [...done].reverse(),
      "newest first",
    );
    const runningPage = (
      await get("/api/v2/executions?status=running&playbook=tests/api/paged")
    ).json() as Page;
    assert.deepEqual(
      runningPage.items.map((e) => e.id),
      [running],
    );

    const seen: string[] = [];
    let url = "/api/v2/executions?playbook=tests/api/paged&limit=3";
    for (;;) {
      const page = (await get(url)).json() as Page;
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((e) => e.id));
      if (page.next_cursor === null) break;
      url = `/api/v2/executions?playbook=tests/api/paged&limit=3&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    assert.deepEqual(seen, [running, ...[...done].reverse()], "cursor pages cover everything once");
    const offset = (await get("/api/v2/executions?playbook=tests/api/paged&limit=2&offset=2")).json() as Page;
    assert.deepEqual(
      offset.items.map((e) => e.id),
      seen.slice(2, 4),
    );
    await post(`/api/v2/executions/${running}/cancel`, {});
  });

  test("events: listed in order, paged with after and limit", async () => {
    const id = await runNoops();
    const all = (await get(`/api/v2/executions/${id}/events`)).json().items as Array<{
      id: number;
      name: string;
    }>;
    assert.equal(all[0]?.name, "workflow.start");
    assert.equal(all.at(-1)?.name, "workflow.end");
    assert.equal(all.filter((e) => e.name === "call.done").length, 2);
    const ids = all.map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    const page = (await get(`/api/v2/executions/${id}/events?after=${ids[1]}&limit=2`)).json()
      .items as Array<{
      id: number;
    }>;
    assert.deepEqual(
      page.map((e) => e.id),
      ids.slice(2, 4),
    );
    expectError(await get(`/api/v2/executions/${id}/events?after=-1`), 400);
  });

  test("cancel of a running execution: status cancelled, its queued commands gone", async () => {
    const res = await post("/api/v2/execute", { playbook_yaml: example("loop") });
    const id = res.json().execution_id as string;
    const queued = async () =>
      (
        await db.query<{ n: number }>("SELECT count(*)::int AS n FROM command WHERE execution_id = $1", [id])
      )[0]!.n;
    assert.equal(await queued(), 1);
    const cancel = await post(`/api/v2/executions/${id}/cancel`, { reason: "changed my mind" });
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.equal(cancel.json().execution_status, "cancelled");
    const row = (await get(`/api/v2/executions/${id}`)).json();
    assert.equal(row.status, "cancelled");
    assert.equal(await queued(), 0);
    assert.equal(await worker.runOnce(), 0, "nothing left to claim");
  });

  test("/metrics is Prometheus text; health answers ok", async () => {
    const metrics = await get("/metrics");
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers["content-type"]), /^text\/plain/);
    assert.match(metrics.body, /^# TYPE noetl_executions gauge$/m);
    assert.match(metrics.body, /^noetl_executions\{status="completed"\} \d+$/m);
    assert.match(metrics.body, /^noetl_queue_commands\{state="queued"\} \d+$/m);
    assert.match(metrics.body, /^noetl_events_total\{name="call.done"\} \d+$/m);
    for (const line of metrics.body.trim().split("\n")) {
      assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [-+.\deE]+|\w+(\{[^}]*\})? \+?Inf)$/, line);
    }
    const health = await get("/api/v2/health");
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: "ok", database: db.driver });
  });

  test("keeps at most maxCached parsed versions; an evicted version is parsed again on demand", async () => {
    const catalog = new PlaybookCatalog(db, 2);
    for (let n = 1; n <= 5; n++) assert.equal((await catalog.register(cachedVersion(n))).version, n);
    assert.equal(catalog.cached, 2);
    const first = await catalog.load("tests/cached", 1);
    assert.equal(first.version, 1);
    assert.deepEqual(first.playbook.workload, { n: 1 });
    assert.equal(typeof first.engine.handle, "function");
    assert.equal(catalog.cached, 2);
    // Recently used versions stay: loading v1 again is the cached object.
    assert.equal(await catalog.load("tests/cached", 1), first);
    assert.equal((await catalog.load("tests/cached")).version, 5, "latest by default");
  });
});
