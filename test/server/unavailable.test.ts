/**
 * The database connection going away mid-request (an administrator's pg_terminate_backend, a failover) is
 * not the client's fault and not a bug: the API answers 503 with Retry-After, which workers retry, instead
 * of 500. The connection is cut by a wrapper that fails every statement as postgres.js does when its
 * socket closed, around a real database.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { silentLogger } from "../../src/logger.ts";
import { buildServer } from "../../src/server/app.ts";
import { knownError } from "../../src/server/errors.ts";
import { type Db, migrate, openDb } from "../../src/store/index.ts";

/** What postgres.js rejects with when the server closed the connection. */
function connectionClosed(): Error {
  return Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" });
}

let real: Db;
let app: FastifyInstance;
let down = false;

before(async () => {
  real = await openDb({ memory: true });
  await migrate(real);
  const cut = <T>(run: () => Promise<T>): Promise<T> => (down ? Promise.reject(connectionClosed()) : run());
  const db: Db = new Proxy(real, {
    get(target, key, receiver) {
      if (key === "query") return (sql: string, params?: unknown[]) => cut(() => target.query(sql, params));
      if (key === "transaction")
        return (fn: (tx: Db) => Promise<unknown>) => cut(() => target.transaction(fn));
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  ({ app } = buildServer({ db, log: silentLogger() }));
});
after(async () => {
  await app?.close();
  await real?.close();
});

const HELLO = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: unavailable}
workflow:
  - step: start
    tool: {kind: noop}
`;

test("a lost database connection is a 503 with Retry-After, and the next request succeeds", async () => {
  down = true;
  for (const request of [
    { method: "POST" as const, url: "/api/v2/execute", payload: { playbook_yaml: HELLO } },
    { method: "GET" as const, url: "/api/v2/executions" },
  ]) {
    const res = await app.inject(request);
    assert.equal(res.statusCode, 503, `${request.url}: ${res.body}`);
    assert.equal(res.headers["retry-after"], "1");
    assert.equal(res.json().error.code, "E_DATABASE_UNAVAILABLE");
  }
  down = false;
  const res = await app.inject({ method: "POST", url: "/api/v2/execute", payload: { playbook_yaml: HELLO } });
  assert.equal(res.statusCode, 201, res.body);
});

test("which errors mean the connection is gone", () => {
  const fatal = Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
    severity: "FATAL",
  });
  const socket = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", syscall: "read" });
  for (const err of [connectionClosed(), fatal, socket]) assert.equal(knownError(err)?.statusCode, 503);
  const unique = Object.assign(new Error("duplicate key"), { code: "23505", severity: "ERROR" });
  assert.equal(knownError(unique), undefined);
  assert.equal(knownError(new Error("a bug")), undefined);
});
