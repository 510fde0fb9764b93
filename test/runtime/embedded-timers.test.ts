/**
 * Heartbeats, the reaper and signal handlers are timers. PGlite answers without real I/O, so a busy embedded
 * run must still yield to the event loop, or none of them would run until it ends.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { EmbeddedRuntime } from "../../src/runtime/embedded.ts";

let runtime: EmbeddedRuntime;
before(async () => {
  runtime = await EmbeddedRuntime.start({ ...loadConfig({}, {}), memory: true });
});
after(() => runtime?.close());

test("timers fire while a 40-step embedded run is busy", async () => {
  const steps = Array.from({ length: 40 }, (_, i) => {
    const name = i === 0 ? "start" : `s${i}`;
    return `  - step: ${name}\n    tool: {kind: noop}\n${i < 39 ? `    next: s${i + 1}\n` : ""}`;
  }).join("");
  const yaml = `apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: busy}\nworkflow:\n${steps}`;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = performance.now();
  try {
    const outcome = await runtime.run(yaml);
    assert.equal(outcome.status, "completed");
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - started;
  // Not a speed assertion: only that the event loop reached its timers at all during the run.
  assert.ok(ticks > 0, `a 1 ms interval never fired during a ${elapsed.toFixed(0)} ms run`);
});
