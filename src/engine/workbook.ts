/**
 * `workbook` tools run a named entry of the playbook's workbook. The engine resolves them while building the
 * command (the worker never sees the playbook): the entry's tool, with the entry's args, the entry tool's own
 * args and the call's `args` (alias `with`) merged in that order.
 */
import type { JsonObject, Playbook, ToolConfig } from "../dsl/types.ts";
import { ErrorCode, StepFailure } from "./errors.ts";
import { deepMerge, isObject } from "./merge.ts";

/** Entries may use other entries; a longer chain than this is a cycle. */
const MAX_DEPTH = 16;

export function resolveWorkbook(playbook: Playbook, tool: ToolConfig, step: string): ToolConfig {
  let current = tool;
  for (let depth = 0; current.kind === "workbook"; depth++) {
    const name = current.name ?? current.task;
    const entry = playbook.workbook.find((e) => e.name === name);
    if (entry === undefined) {
      throw new StepFailure(ErrorCode.render, `Step '${step}': no workbook entry named '${String(name)}'`);
    }
    if (depth >= MAX_DEPTH) {
      throw new StepFailure(
        ErrorCode.render,
        `Step '${step}': workbook entries refer to each other in a cycle`,
      );
    }
    const callArgs = isObject(current.args) ? current.args : isObject(current.with) ? current.with : {};
    const entryToolArgs = isObject(entry.tool.args) ? entry.tool.args : {};
    const args: JsonObject = deepMerge(deepMerge(entry.args ?? {}, entryToolArgs), callArgs);
    current = { ...entry.tool, args };
  }
  return current;
}
