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

/** What to spawn: a TypeScript entry point, its arguments, node flags, and whether it gets an IPC channel. */
export interface Entry {
  file: string;
  args: string[];
  nodeArgs?: string[];
  env?: Record<string, string>;
  ipc?: boolean;
}

export interface ServerModeOptions {
  dbUrl: string;
  workers?: number;
  /** Default: `noetl server start` (the profile harness substitutes its instrumented entry points). */
  server?: (port: number) => Entry;
  /** Default: `noetl worker start --id bench-w<n>`. */
  worker?: (index: number, serverUrl: string) => Entry;
}

export const WORKER_PROCESSES = 2;

export const cliServer =
  (dbUrl: string) =>
  (port: number): Entry => ({
    file: CLI,
    args: ["server", "start", "--host", "127.0.0.1", "--port", String(port), "--db", dbUrl],
  });

export const cliWorker =
  (dbUrl: string) =>
  (index: number, serverUrl: string): Entry => ({
    file: CLI,
    args: ["worker", "start", "--db", dbUrl, "--server-url", serverUrl, "--id", `bench-w${index + 1}`],
  });

export type ServerSystem = BenchSystem & { children: Child[]; baseUrl: string };

export async function startServerMode(opts: ServerModeOptions): Promise<ServerSystem> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const children: Child[] = [];
  const agent = new Agent({ connections: 256, keepAliveTimeout: 60_000 });
  const sql = postgres(opts.dbUrl, { max: 2, onnotice: () => {} });
  try {
    const serverEntry = (opts.server ?? cliServer(opts.dbUrl))(port);
    const server = spawnTs("server", serverEntry.file, serverEntry.args, serverEntry);
    children.push(server);
    await server.waitForOutput("noetl server listening");
    for (let i = 0; i < (opts.workers ?? WORKER_PROCESSES); i++) {
      const entry = (opts.worker ?? cliWorker(opts.dbUrl))(i, baseUrl);
      children.push(spawnTs(`worker-${i + 1}`, entry.file, entry.args, entry));
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
  const poller = new EndPoller(sql, Number(process.env.NOETL_BENCH_POLL_MS ?? 2));

  return {
    mode: "server",
    children,
    baseUrl,
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
    cancelAfter(id, ms) {
      const timer = setTimeout(() => {
        void post(`/api/v2/executions/${id}/cancel`, { reason: "benchmark time budget" }).catch(
          () => undefined,
        );
      }, ms);
      return () => clearTimeout(timer);
    },
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
