/** Builders for store tests: valid rows with only what a test cares about spelled out. */
import type { Command } from "../../src/engine/types.ts";
import type { QueueOptions } from "../../src/store/index.ts";

export function makeCommand(
  id: string,
  overrides: Partial<Command & QueueOptions> = {},
): Command & QueueOptions {
  return {
    command_id: id,
    execution_id: "exec-1",
    step: "fetch",
    step_run_id: "fetch#1",
    purpose: "call",
    kind: "http",
    tool: { kind: "http", url: "http://localhost/x" },
    args: { page: 1 },
    attempt: 1,
    call_index: 0,
    ...overrides,
  };
}

export function makeCommands(count: number, prefix = "c", overrides: Partial<Command & QueueOptions> = {}) {
  return Array.from({ length: count }, (_, i) =>
    makeCommand(`${prefix}-${String(i).padStart(4, "0")}`, overrides),
  );
}
