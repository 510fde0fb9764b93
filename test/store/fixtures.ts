/** Builders for store tests: valid rows with only what a test cares about spelled out. */
import type { Command } from "../../src/engine/types.ts";
import { completeCommands, type Db, type QueueOptions } from "../../src/store/index.ts";

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

/** Whether the report of `commandId` (of makeCommand's execution unless given) completes it with `leaseToken`. */
export async function completes(
  db: Db,
  commandId: string,
  leaseToken: string,
  executionId = "exec-1",
): Promise<boolean> {
  return (await completeCommands(db, [{ executionId, commandId, leaseToken }])).size === 1;
}
