/** Builders shared by the tool tests. */
import type { JsonObject } from "../../src/dsl/types.ts";
import type { Command } from "../../src/engine/types.ts";
import type { ToolContext, ToolOutcome } from "../../src/tools/index.ts";

export function context(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    execution_id: "exec-1",
    step: "fetch",
    step_run_id: "run-1",
    command_id: "cmd-1",
    attempt: 1,
    call_index: 0,
    signal: new AbortController().signal,
    ...overrides,
  };
}

export function command(tool: JsonObject & { kind: string }, args: JsonObject = {}): Command {
  return {
    command_id: "cmd-1",
    execution_id: "exec-1",
    step: "fetch",
    step_run_id: "run-1",
    purpose: "call",
    kind: tool.kind,
    tool,
    args,
    attempt: 1,
    call_index: 0,
  };
}

/** The response of a successful outcome; fails the test with the error otherwise. */
export function responseOf(outcome: ToolOutcome): JsonObject {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome.error)}`);
  return outcome.response as JsonObject;
}

export function errorOf(outcome: ToolOutcome): JsonObject {
  if (outcome.ok) throw new Error(`expected failure, got ${JSON.stringify(outcome.response)}`);
  return outcome.error;
}
