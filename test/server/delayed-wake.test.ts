/**
 * A retry's backoff delays its command (run_at in the future). The server's NOTIFY says when it becomes
 * runnable, so a worker claims it then, not at its next poll: with a one-minute poll interval this playbook
 * could not finish within the test's limit otherwise.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type MockApi, startMockApi } from "../../examples/mock-api.ts";
import { loadConfig } from "../../src/config.ts";
import { EmbeddedRuntime } from "../../src/runtime/embedded.ts";

let api: MockApi;
let runtime: EmbeddedRuntime;

before(async () => {
  api = await startMockApi();
  runtime = await EmbeddedRuntime.start({ ...loadConfig({}, {}), memory: true, pollMs: 60_000 });
});
after(async () => {
  await runtime?.close();
  await api?.close();
});

test("retried calls run when their backoff ends, without waiting for the poll interval", {
  timeout: 30_000,
}, async () => {
  const yaml = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: delayed}
workflow:
  - step: start
    tool: {kind: http, endpoint: "${api.url}/flaky/items", params: {page: 1}}
    case:
      - when: "{{ event.name == 'call.done' and error is defined }}"
        then: {retry: {max_attempts: 3, initial_delay: 0.2}}
`;
  const outcome = await runtime.run(yaml);
  assert.equal(outcome.status, "completed", JSON.stringify(outcome.error));
  assert.equal(api.hits.get("/flaky/items?page=1"), 2);
});
