/**
 * Server mode: `noetl server start` and two `noetl worker start` processes, spawned exactly as a user starts
 * them, on the run's PostgreSQL database; events travel over HTTP. The bench process starts executions
 * through the API and detects their end by polling the execution table (EndPoller).
 */
import postgres from "postgres";
import { Agent, request } from "undici";
import type { JsonObject } from "../../src/dsl/types.ts";
import { type BenchSystem, TIMINGS_SQL, toTimings } from "../system.ts";
import { EndPoller } from "./poller.ts";
import { type Child, CLI, freePort, spawnTs } from "./spawn.ts";

export interface ServerModeOptions {
  dbUrl: string;
  workers?: number;
  /** Extra node flags per process (e.g. --cpu-prof for the profile). */
  serverNodeArgs?: string[];
  workerNodeArgs?: (index: number) => string[];
  env?: Record<string, string>;
}

export const WORKER_PROCESSES = 2;

export async function startServerMode(opts: ServerModeOptions): Promise<BenchSystem & { children: Child[] }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const children: Child[] = [];
  const agent = new Agent({ connections: 256, keepAliveTimeout: 60_000 });
  const sql = postgres(opts.dbUrl, { max: 2, onnotice: () => {} });
  try {
    const server = spawnTs(
      "server",
      CLI,
      ["server", "start", "--host", "127.0.0.1", "--port", String(port), "--db", opts.dbUrl],
      { nodeArgs: opts.serverNodeArgs ?? [], env: opts.env ?? {} },
    );
    children.push(server);
    await server.waitForOutput("noetl server listening");
    for (let i = 0; i < (opts.workers ?? WORKER_PROCESSES); i++) {
      const worker = spawnTs(
        `worker-${i + 1}`,
        CLI,
        ["worker", "start", "--db", opts.dbUrl, "--server-url", baseUrl, "--id", `bench-w${i + 1}`],
        { nodeArgs: opts.workerNodeArgs?.(i) ?? [], env: opts.env ?? {} },
      );
      children.push(worker);
    }
    await Promise.all(children.slice(1).map((w) => w.waitForOutput("noetl worker started")));
  } catch (err) {
    await Promise.all(children.map((c) => c.stop(1000)));
    await sql.end({ timeout: 1 });
    await agent.close();
    throw err;
  }

  const post = async <T>(path: string, body: JsonObject): Promise<T> => {
    const res = await request(`${baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      dispatcher: agent,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`POST ${path}: ${res.statusCode} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  };
  const poller = new EndPoller(sql);

  return {
    mode: "server",
    children,
    pids: { server: children[0]!.pid, workers: children.slice(1).map((c) => c.pid) },
    setup: {
      db: "postgresql (one database per run)",
      server_processes: 1,
      worker_processes: children.length - 1,
      worker_concurrency: Number(process.env.NOETL_WORKER_CONCURRENCY ?? 8),
      transport: "http",
    },
    register: (yaml) => post("/api/v2/catalog/register", { playbook_yaml: yaml }),
    async start(playbook, payload: JsonObject = {}) {
      const res = await post<{ execution_id: string }>("/api/v2/execute", { ...playbook, payload });
      return res.execution_id;
    },
    waitForEnd: (id) => poller.waitForEnd(id),
    async timings(ids) {
      return toTimings(await sql.unsafe(TIMINGS_SQL, [ids as string[]]));
    },
    async query<T>(text: string, params: readonly unknown[] = []) {
      return Array.from(await sql.unsafe(text, params as never[])) as T[];
    },
    async close() {
      // Workers first, so none reports to a server that is gone.
      await Promise.all(children.slice(1).map((c) => c.stop()));
      await children[0]!.stop();
      await sql.end({ timeout: 1 });
      await agent.close();
    },
  };
}
