/**
 * Shared pieces of the runtime integration tests: the URL of a test database (for spawned processes),
 * the examples, a tiny JSON client for the API, and waiting for an execution to end.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject } from "../../src/dsl/types.ts";
import type { Db } from "../../src/store/index.ts";
import { type TestDatabase, testDatabases } from "../helpers/db.ts";
import { REPO_ROOT, waitUntil } from "../helpers/processes.ts";

const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";

/**
 * The postgres:// URL of the database `db` is connected to (test/helpers/db.ts creates it but keeps its
 * URL private; spawned processes and EmbeddedRuntime need it).
 */
export async function postgresUrl(db: Db): Promise<string> {
  const [row] = await db.query<{ name: string }>("SELECT current_database() AS name");
  const url = new URL(process.env.NOETL_TEST_DATABASE_URL || DEFAULT_ADMIN_URL);
  url.pathname = `/${row!.name}`;
  return url.toString();
}

/** A fresh PostgreSQL database for this file (skip the suite first when postgresReachable() is false). */
export async function postgresDatabase(): Promise<TestDatabase> {
  const found = (await testDatabases()).find((d) => d.name === "postgres");
  if (!found) throw new Error("test/helpers/db.ts offers no PostgreSQL entry");
  return found;
}

export function example(name: string): string {
  return readFileSync(join(REPO_ROOT, "examples", `${name}.yaml`), "utf8");
}

export interface ApiResponse<T = JsonObject> {
  status: number;
  body: T;
}

/** One JSON request to a running server. */
export async function api<T = JsonObject>(
  baseUrl: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body !== undefined && {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  });
  const text = await res.text();
  return { status: res.status, body: (text === "" ? {} : JSON.parse(text)) as T };
}

export interface ExecutionView {
  id: string;
  status: string;
  result: unknown;
  error: { kind?: string; message?: string } | null;
  steps: Array<{ step: string; status: string; calls: number }>;
}

/** Polls GET /api/v2/executions/:id until the execution is no longer running. */
export async function waitForExecution(
  baseUrl: string,
  executionId: string,
  opts: { timeoutMs?: number; detail?: () => string } = {},
): Promise<ExecutionView> {
  return waitUntil(
    `execution ${executionId} to end`,
    async () => {
      const { status, body } = await api<ExecutionView>(baseUrl, "GET", `/api/v2/executions/${executionId}`);
      return status === 200 && body.status !== "running" ? body : undefined;
    },
    { intervalMs: 100, ...opts },
  );
}

/** Polls the execution row in the database until it is no longer running. */
export async function waitForStatus(db: Db, executionId: string, timeoutMs?: number): Promise<string> {
  return waitUntil(
    `execution ${executionId} to end`,
    async () => {
      const rows = await db.query<{ status: string }>("SELECT status FROM execution WHERE id = $1", [
        executionId,
      ]);
      const status = rows[0]?.status;
      return status !== undefined && status !== "running" ? status : undefined;
    },
    { intervalMs: 50, ...(timeoutMs !== undefined && { timeoutMs }) },
  );
}

/**
 * A python step that sleeps `seconds` the first time it runs and returns at once on any later run: the
 * marker file tells a re-run (after a lost worker) from the first one. It writes `<marker>.done` when it
 * finishes, so a test can tell the tool is done even while its report cannot reach the server.
 */
export function sleepyPlaybook(path: string): string {
  return `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: sleepy, path: ${path}}
workload: {marker: /nonexistent, seconds: 30}
workflow:
  - step: start
    tool:
      kind: python
      args: {marker: "{{ workload.marker }}", seconds: "{{ workload.seconds }}"}
      code: |
        import os, time
        def main(marker, seconds):
            first = not os.path.exists(marker)
            if first:
                open(marker, "w").close()
                time.sleep(seconds)
            open(marker + ".done", "w").close()
            return {"first_run": first}
`;
}

/** The command currently leased for an execution (undefined while none is). */
export async function leasedCommand(
  db: Db,
  executionId: string,
): Promise<{ command_id: string; lease_owner: string; lease_token: string; claims: number } | undefined> {
  const rows = await db.query<{
    command_id: string;
    lease_owner: string;
    lease_token: string;
    claims: number;
  }>(
    `SELECT command_id, lease_owner, lease_token::text AS lease_token, claims FROM command
     WHERE execution_id = $1 AND status = 'leased'`,
    [executionId],
  );
  return rows[0];
}
