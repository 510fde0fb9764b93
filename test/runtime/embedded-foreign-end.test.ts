/**
 * `noetl run --db` on a database that a server and its workers also use: their commit of the execution's
 * end is not heard by this process, which used to wait for it forever. The runtime asks the database.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/logger.ts";
import { EmbeddedRuntime } from "../../src/runtime/embedded.ts";
import { Orchestrator } from "../../src/server/orchestrator.ts";
import { PlaybookCatalog } from "../../src/server/playbooks.ts";

/** A call that fails (nothing listens on port 1) and is retried in a minute: the run waits. */
const WAITING = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: waiting}
workflow:
  - step: start
    tool: {kind: http, endpoint: "http://127.0.0.1:1/", timeout: 2}
    case:
      - when: "{{ event.name == 'call.done' and error is defined }}"
        then: {retry: {max_attempts: 5, initial_delay: 60}}
`;

let runtime: EmbeddedRuntime;
before(async () => {
  runtime = await EmbeddedRuntime.start({ ...loadConfig({ NOETL_POLL_MS: "50" }, {}), memory: true });
});
after(() => runtime?.close());

test("an end committed by another server on the same database ends the wait", async () => {
  const { execution_id: id } = await runtime.orchestrator.execute({ playbook_yaml: WAITING });
  const ended = runtime.waitFor(id);
  // Another server: its own orchestrator on the same database, whose commits this runtime does not hear.
  const other = new Orchestrator(runtime.db, new PlaybookCatalog(runtime.db), silentLogger());
  await other.cancel(id, "cancelled by another server");
  const status = await Promise.race([
    ended,
    new Promise((resolve) => setTimeout(() => resolve("still waiting after 10 s"), 10_000).unref()),
  ]);
  assert.equal(status, "cancelled");
});
