/**
 * A stored credential used by a real playbook run: the worker resolves `auth: <name>` at execution time,
 * the call authenticates, and the secret appears nowhere in what is stored: not in commands, events,
 * execution rows or results (every table is dumped and searched).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { parseSecretKey, storeCredential } from "../../src/credentials/index.ts";
import { EmbeddedRuntime } from "../../src/runtime/embedded.ts";

const TOKEN = "tok-3f9a1c77e2b54d0e";
const SECRET_KEY = randomBytes(32).toString("hex");

let api: Server;
let requests = 0;
let url: string;
let runtime: EmbeddedRuntime;

before(async () => {
  // The API answers only the right bearer token, and echoes the Authorization header back: a careless
  // engine would then store the token inside the response.
  api = createServer((req, res) => {
    requests++;
    const ok = req.headers.authorization === `Bearer ${TOKEN}`;
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok, seen: req.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  runtime = await EmbeddedRuntime.start({ ...loadConfig({}, {}), memory: true, secretKey: SECRET_KEY });
  await storeCredential(runtime.db, parseSecretKey(SECRET_KEY, "test"), {
    name: "partner_api",
    type: "http",
    data: { type: "bearer", token: TOKEN },
  });
});

after(async () => {
  await runtime?.close();
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

const playbook = (auth: string, keychain = "[]") => `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: secret_use}
keychain: ${keychain}
workload: {url: "${url}"}
workflow:
  - step: start
    tool: {kind: http, endpoint: "{{ workload.url }}/me", auth: ${auth}}
    next: end
  - step: end
    tool: {kind: python, args: {seen: "{{ start.data.seen }}"}, code: "def main(seen):\\n    print('header was', seen)\\n    return {'seen': seen}"}
`;

test("the worker resolves the stored credential, the call succeeds, and the token is stored nowhere", async () => {
  const outcome = await runtime.run(playbook("partner_api"));
  assert.equal(outcome.status, "completed", JSON.stringify(outcome.error));
  assert.deepEqual(outcome.result, { seen: "Bearer ***" });
  for (const table of ["execution", "event", "command", "playbook"]) {
    const rows = await runtime.db.query(`SELECT * FROM ${table}`);
    assert.ok(!JSON.stringify(rows).includes(TOKEN), `the token leaked into table ${table}`);
  }
  const stored = await runtime.db.query<{ data: Uint8Array }>("SELECT data FROM credential");
  assert.ok(!Buffer.from(stored[0]!.data).toString("latin1").includes(TOKEN), "credential stored in clear");
});

test("a credential neither declared nor stored is refused at registration, naming it", async () => {
  await assert.rejects(runtime.run(playbook("nobody")), /nobody/);
});

test("a declared credential that is not stored fails the call with a clear error; the tool never runs", async () => {
  const before = requests;
  const outcome = await runtime.run(playbook("later", "[{name: later}]"));
  assert.equal(outcome.status, "failed");
  const error = outcome.error as { message: string; call_error: { kind: string; credential: string } };
  assert.equal(error.call_error.kind, "credential");
  assert.match(error.message, /later/);
  assert.equal(requests, before, "the http call was made without its credential");
});
