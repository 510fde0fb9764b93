/**
 * Building commands: one per call of a step run's tool (per page, retry, loop item) and one per sink write.
 * Tool configs are rendered here, on the server, so workers receive plain data.
 */
import type { JsonObject, SinkAction } from "../dsl/types.ts";
import type { Draft } from "./draft.ts";
import { deepMerge, isObject, omitKey } from "./merge.ts";
import { addLoopItem, baseScope, type Scope } from "./scope.ts";
import type { CommandEntry } from "./state.ts";
import { renderTool, renderValue } from "./templates.ts";
import type { Command } from "./types.ts";
import { resolveWorkbook } from "./workbook.ts";

export interface CallSpec {
  call_index: number;
  attempt: number;
  loop_index?: number;
  /** Rendered `call` overrides, deep-merged over the rendered tool config. */
  overrides?: JsonObject;
  run_at?: string;
}

/** The run's args as a call sees them: step run args ⊕ the call overrides' args. */
export function callArgs(runArgs: JsonObject, overrides: JsonObject | undefined): JsonObject {
  const extra = overrides?.args;
  return isObject(extra) ? deepMerge(runArgs, extra) : runArgs;
}

/** The scope a call of this run is rendered with (and that its call.done rules see). */
export function callScope(
  d: Draft,
  runId: string,
  loopIndex: number | undefined,
  overrides?: JsonObject,
): Scope {
  const run = d.state.runs[runId]!;
  const scope = baseScope(d.state, callArgs(run.args, overrides));
  const iterator = d.step(run.step)?.loop?.iterator;
  if (run.loop !== undefined && loopIndex !== undefined && iterator !== undefined) {
    addLoopItem(scope, run.loop, iterator, loopIndex);
  }
  return scope;
}

/** Issues one call of the run's tool. Throws StepFailure when the config cannot be rendered. */
export function issueCall(d: Draft, runId: string, spec: CallSpec): void {
  const run = d.state.runs[runId]!;
  const step = d.step(run.step)!;
  const scope = callScope(d, runId, spec.loop_index, spec.overrides);
  const source = resolveWorkbook(d.compiled.playbook, step.tool, step.step);
  const rendered = renderTool(source, scope, step.step);
  const tool = spec.overrides ? deepMerge(rendered, omitKey(spec.overrides, "args")) : rendered;
  const toolArgs = isObject(rendered.args) ? rendered.args : {};
  const seq = d.nextSeq();
  const command: Command = {
    command_id: `${d.state.execution_id}:${seq}`,
    execution_id: d.state.execution_id,
    step: step.step,
    step_run_id: runId,
    purpose: "call",
    kind: source.kind,
    tool: { ...omitKey(tool, "args"), kind: source.kind },
    args: deepMerge(toolArgs, scope.args as JsonObject),
    attempt: spec.attempt,
    call_index: spec.call_index,
  };
  const entry: CommandEntry = {
    step_run_id: runId,
    purpose: "call",
    call_index: spec.call_index,
    attempt: spec.attempt,
  };
  if (spec.loop_index !== undefined) {
    command.loop_index = spec.loop_index;
    entry.loop_index = spec.loop_index;
  }
  if (spec.overrides !== undefined) entry.overrides = spec.overrides;
  if (spec.run_at !== undefined) command.run_at = spec.run_at;
  d.addCommand(command, entry);
  d.run(runId).pending += 1;
}

/** Issues a sink write for the run, rendered with the scope of the rule that fired it. */
export function issueSink(d: Draft, runId: string, sink: SinkAction, scope: Scope, callIndex: number): void {
  const run = d.state.runs[runId]!;
  const source = resolveWorkbook(d.compiled.playbook, sink.tool, run.step);
  const tool = renderTool(source, scope, run.step, "sink tool");
  const sinkArgs = sink.args ? (renderValue(sink.args, scope, run.step, "sink args") as JsonObject) : {};
  const toolArgs = isObject(tool.args) ? tool.args : {};
  const seq = d.nextSeq();
  const command: Command = {
    command_id: `${d.state.execution_id}:${seq}`,
    execution_id: d.state.execution_id,
    step: run.step,
    step_run_id: runId,
    purpose: "sink",
    kind: source.kind,
    tool: { ...omitKey(tool, "args"), kind: source.kind },
    args: deepMerge(toolArgs, isObject(sinkArgs) ? sinkArgs : {}),
    attempt: 1,
    call_index: callIndex,
  };
  d.addCommand(command, { step_run_id: runId, purpose: "sink", call_index: callIndex, attempt: 1 });
  d.run(runId).pending += 1;
}

/**
 * Issues loop items while the mode allows: sequential keeps one item in flight, parallel up to
 * `max_in_flight` (unbounded when absent).
 */
export function fillLoop(d: Draft, runId: string): void {
  const spec = d.step(d.state.runs[runId]!.step)?.loop;
  if (d.state.runs[runId]!.loop === undefined || spec === undefined) return;
  const limit = spec.mode === "parallel" ? (spec.max_in_flight ?? Number.POSITIVE_INFINITY) : 1;
  for (;;) {
    const current = d.state.runs[runId]!.loop!;
    if (current.next >= current.items.length || current.in_flight >= limit) return;
    const loop = d.loop(runId);
    const index = loop.next;
    loop.next += 1;
    loop.in_flight += 1;
    issueCall(d, runId, { call_index: 0, attempt: 1, loop_index: index });
  }
}
