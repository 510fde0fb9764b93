import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JsonObject, JsonValue, Playbook } from "../../src/dsl/types.ts";
import { createEngine, type ExecutionState } from "../../src/engine/index.ts";
import type { Command, HandleResult, InputEvent } from "../../src/engine/types.ts";
import { noopTool } from "../../src/tools/noop.ts";
import { migrateFixture, playbookOf } from "./helpers.ts";

interface Run {
  state: ExecutionState;
  /** Steps in the order their commands ran. */
  ran: string[];
}

/**
 * Runs a migrated playbook through the real engine, executing each command with the real noop tool and
 * posting what a worker posts (step.enter, call.done, step.exit). Commands run oldest first.
 */
async function run(playbook: Playbook, payload: JsonObject): Promise<Run> {
  const engine = createEngine(playbook);
  let clock = Date.parse("2025-01-01T00:00:00.000Z");
  let state: ExecutionState | undefined;
  const queue: Command[] = [];
  const ran: string[] = [];
  const send = (event: Omit<InputEvent, "execution_id" | "timestamp">): void => {
    clock += 1;
    const result: HandleResult<ExecutionState> = engine.handle(state, {
      ...event,
      execution_id: "migrated-1",
      timestamp: new Date(clock).toISOString(),
    });
    state = result.state;
    queue.push(...result.commands);
  };
  send({ name: "workflow.start", payload: { payload } });
  for (let i = 0; i < 100 && queue.length > 0 && state?.status === "running"; i++) {
    const command = queue.shift() as Command;
    ran.push(command.step);
    const signal = new AbortController().signal;
    const context = { ...command, signal };
    const outcome = await noopTool.execute(command.tool, command.args, context);
    assert.ok(outcome.ok);
    const base = {
      step: command.step,
      step_run_id: command.step_run_id,
      command_id: command.command_id,
      attempt: 1,
    };
    send({ ...base, name: "step.enter", payload: {} });
    send({ ...base, name: "call.done", payload: { response: outcome.response as JsonValue } });
    send({ ...base, name: "step.exit", payload: { status: "completed" } });
  }
  return { state: state as ExecutionState, ran };
}

describe("a migrated v1 workflow runs with the result its v1 form describes", () => {
  const playbook = playbookOf(migrateFixture("route_noop.yaml"));

  test("temperature 25: classify → hot (t=25) → end {label: hot, t: 25}; log runs too", async () => {
    const { state, ran } = await run(playbook, {});
    assert.equal(state.status, "completed");
    assert.deepEqual(state.result, { label: "hot", t: 25 });
    assert.deepEqual([...ran].sort(), ["classify", "end", "hot", "log", "start"]);
    assert.equal(ran[0], "start");
  });

  test("temperature 10 takes the else branch: end {label: cold, t: 10}", async () => {
    const { state, ran } = await run(playbook, { temp: 10 });
    assert.equal(state.status, "completed");
    assert.deepEqual(state.result, { label: "cold", t: 10 });
    assert.ok(ran.includes("cold") && ran.includes("log") && !ran.includes("hot"));
  });
});
