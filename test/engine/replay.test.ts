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

describe("handleAll folds a batch exactly as handle() event by event", () => {
  for (const scenario of scenarios) {
    for (const size of [2, 3, 7, Number.POSITIVE_INFINITY]) {
      test(`${scenario.name}, batches of ${size}: same commands, events, cancellations and final state`, () => {
        const log = JSON.parse(
          readFileSync(new URL(`${scenario.name}.json`, fixturesDir), "utf8"),
        ) as RecordedLog;
        const engine = createEngine(loadPlaybook(log.playbook));
        // One timestamp per batch, as the server gives every event of one transaction.
        const events = log.events.map((e, i) => ({
          ...e,
          timestamp:
            log.events[Math.floor(i / Math.min(size, log.events.length)) * Math.min(size, log.events.length)]!
              .timestamp,
        }));
        const fresh = () => ({
          state: undefined as ExecutionState | undefined,
          commands: [] as Command[],
          events: [] as OutputEvent[],
          cancelled: [] as string[],
        });
        const sequential = fresh();
        const batched = fresh();
        const add = (into: ReturnType<typeof fresh>, r: ReturnType<typeof engine.handle>) => {
          into.state = r.state;
          into.commands.push(...r.commands);
          into.events.push(...r.events);
          into.cancelled.push(...r.cancel_commands);
        };
        for (const event of events) add(sequential, engine.handle(sequential.state, event));
        const step = Math.min(size, events.length);
        for (let i = 0; i < events.length; i += step)
          add(batched, engine.handleAll(batched.state, events.slice(i, i + step)));
        assert.deepEqual(batched, sequential);
      });
    }
  }
});
