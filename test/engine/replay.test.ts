import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { createEngine, type ExecutionState } from "../../src/engine/index.ts";
import type { Command, InputEvent, OutputEvent } from "../../src/engine/types.ts";
import { fixturesDir, loadPlaybook, record, scenarios } from "./replay-scenarios.ts";

interface RecordedLog {
  playbook: string;
  events: InputEvent[];
  commands: Command[];
  cancel_commands: string[];
  output_events: OutputEvent[];
  final_state: ExecutionState;
}

describe("replay of committed event logs", () => {
  for (const scenario of scenarios) {
    test(`${scenario.name}: the recorded events give exactly the recorded commands and final state`, () => {
      const log = JSON.parse(
        readFileSync(new URL(`${scenario.name}.json`, fixturesDir), "utf8"),
      ) as RecordedLog;
      const engine = createEngine(loadPlaybook(log.playbook));
      let state: ExecutionState | undefined;
      const commands: Command[] = [];
      const events: OutputEvent[] = [];
      const cancelled: string[] = [];
      for (const event of log.events) {
        // state goes through JSON between events, as it does through the database
        const result = engine.handle(
          state === undefined ? undefined : JSON.parse(JSON.stringify(state)),
          event,
        );
        state = result.state;
        commands.push(...result.commands);
        events.push(...result.events);
        cancelled.push(...result.cancel_commands);
      }
      assert.deepEqual(JSON.parse(JSON.stringify(commands)), log.commands);
      assert.deepEqual(JSON.parse(JSON.stringify(events)), log.output_events);
      assert.deepEqual(cancelled, log.cancel_commands);
      assert.deepEqual(JSON.parse(JSON.stringify(state)), log.final_state);
    });

    test(`${scenario.name}: recording again is deterministic`, () => {
      const a = record(scenario);
      const b = record(scenario);
      assert.deepEqual(a.issued, b.issued);
      assert.deepEqual(a.events, b.events);
      assert.deepEqual(a.state, b.state);
    });
  }
});
