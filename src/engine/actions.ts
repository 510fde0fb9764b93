/**
 * Running the actions of a fired rule (DSL.md §4) in the fixed order
 * set → collect → result → sink → call | retry → next → fail | skip, whatever order they are written in.
 * A `then` written as several action maps runs each action type in written order.
 */
import type { Actions, CollectAction, JsonObject, JsonValue, RetryAction } from "../dsl/types.ts";
import { issueCall, issueSink } from "./commands.ts";
import type { Draft } from "./draft.ts";
import { ErrorCode, StepFailure } from "./errors.ts";
import { deepMerge } from "./merge.ts";
import { addSeconds, retryDelaySeconds, retryPolicy } from "./retry.ts";
import type { RuleEvent } from "./rules.ts";
import { refreshCtx, type Scope } from "./scope.ts";
import type { CommandEntry } from "./state.ts";
import { evaluateExpression, renderTool, renderValue } from "./templates.ts";

export const DEFAULT_MAX_CALLS = 1000;

export interface Trigger {
  event: RuleEvent;
  runId: string;
  /** call.done only: the call whose outcome fired the rule. */
  command?: CommandEntry;
}

export interface ActionOutcome {
  /** `call` or `retry` issued a new command continuing this call. */
  reinvoked: boolean;
  /** A `retry` fired with no attempts left (the call's error stands). */
  retryExhausted: boolean;
  skipped: boolean;
  /** A `result` fired on a loop item's call.done: the item's result. */
  itemResult?: { value: JsonValue };
  /** A `fail` fired: its rendered message. */
  fail?: string;
}

/** Throws StepFailure when a template fails or max_calls is exceeded. */
export function runActions(d: Draft, trigger: Trigger, then: Actions[], scope: Scope): ActionOutcome {
  const run = d.state.runs[trigger.runId]!;
  const step = d.step(run.step)!;
  const name = step.step;
  const outcome: ActionOutcome = { reinvoked: false, retryExhausted: false, skipped: false };
  const onCall = trigger.event === "call.done" ? trigger.command : undefined;

  for (const action of then) {
    if (action.set === undefined) continue;
    for (const [key, value] of Object.entries(action.set)) {
      d.setCtx(key, renderValue(value, scope, name, `set.${key}`));
      refreshCtx(scope, d.state);
    }
  }
  for (const action of then) {
    if (action.collect === undefined) continue;
    collect(d, action.collect, scope, name);
    refreshCtx(scope, d.state);
  }
  for (const action of then) {
    if (action.result === undefined) continue;
    const value =
      "from" in action.result
        ? (evaluateExpression(action.result.from, scope, name, "result.from") ?? null)
        : renderValue(action.result.value, scope, name, "result");
    scope.result = value;
    if (onCall?.loop_index !== undefined) outcome.itemResult = { value };
    else d.run(trigger.runId).result = { value };
  }
  for (const action of then) {
    if (action.sink !== undefined) issueSink(d, trigger.runId, action.sink, scope, onCall?.call_index ?? 0);
  }

  let overrides: JsonObject | undefined;
  let retry: RetryAction | undefined;
  for (const action of then) {
    if (action.call !== undefined) {
      const target = action.call.step;
      if (typeof target === "string") {
        route(d, trigger.runId, target, action.call.args, scope, name, "call.args");
      } else {
        const rendered = renderTool(action.call, scope, name, "call overrides", step.tool.kind);
        overrides = deepMerge(overrides ?? {}, rendered);
      }
    }
    if (action.retry !== undefined && retry === undefined) retry = action.retry;
  }
  if (overrides !== undefined) {
    if (onCall === undefined) ignored(d, trigger, "call");
    else reinvoke(d, trigger.runId, onCall, overrides, step.max_calls ?? DEFAULT_MAX_CALLS, name);
    if (onCall !== undefined) outcome.reinvoked = true;
    if (retry !== undefined)
      d.warn(`Step '${name}': 'retry' ignored because 'call' fired in the same rule`, name);
  } else if (retry !== undefined) {
    if (onCall === undefined) ignored(d, trigger, "retry");
    else if (retryCall(d, trigger.runId, onCall, retry)) outcome.reinvoked = true;
    else outcome.retryExhausted = true;
  }

  for (const action of then) {
    for (const transition of action.next ?? []) {
      route(d, trigger.runId, transition.step, transition.args, scope, name, "next.args");
    }
  }

  const fail = then.find((action) => action.fail !== undefined)?.fail;
  if (fail !== undefined) {
    outcome.fail = String(renderValue(fail.message ?? "failed", scope, name, "fail.message"));
  } else if (then.some((action) => action.skip !== undefined)) {
    if (onCall === undefined) ignored(d, trigger, "skip");
    else outcome.skipped = true;
  }
  return outcome;
}

function ignored(d: Draft, trigger: Trigger, action: string): void {
  const step = d.state.runs[trigger.runId]?.step;
  d.warn(
    `Step '${step}': '${action}' only applies on call.done; ignored on ${trigger.event}`,
    step,
    trigger.runId,
  );
}

function asList(value: JsonValue | undefined): JsonValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** An undefined `from` collects nothing; a non-list target is treated as a one-item list. */
function collect(d: Draft, action: CollectAction, scope: Scope, step: string): void {
  const value = evaluateExpression(action.from, scope, step, "collect.from");
  if (value === undefined) return;
  const current = d.state.ctx[action.into];
  switch (action.mode) {
    case "replace":
      d.setCtx(action.into, value);
      return;
    case "extend":
      d.setCtx(action.into, [...asList(current), ...asList(value)]);
      return;
    default:
      d.setCtx(action.into, [...asList(current), value]);
  }
}

function route(
  d: Draft,
  runId: string,
  target: string,
  args: JsonValue | undefined,
  scope: Scope,
  step: string,
  what: string,
): void {
  const run = d.run(runId);
  const record: { step: string; args?: JsonObject } = { step: target };
  if (args !== undefined && args !== null) {
    const rendered = renderValue(args, scope, step, what);
    if (typeof rendered === "object" && rendered !== null && !Array.isArray(rendered)) record.args = rendered;
  }
  run.transitions = [...run.transitions, record];
  run.routed = true;
}

function reinvoke(
  d: Draft,
  runId: string,
  call: CommandEntry,
  overrides: JsonObject,
  maxCalls: number,
  step: string,
): void {
  const run = d.run(runId);
  if (run.calls >= maxCalls) {
    throw new StepFailure(
      ErrorCode.maxCalls,
      `Step '${step}': 'call' re-invoked the tool more than max_calls (${maxCalls}) times; stopped to avoid an endless loop`,
    );
  }
  run.calls += 1;
  issueCall(d, runId, {
    call_index: call.call_index + 1,
    attempt: 1,
    loop_index: call.loop_index,
    overrides: deepMerge(call.overrides ?? {}, overrides),
  });
}

/** Re-issues the same call with attempt + 1 after the backoff; false when no attempts are left. */
function retryCall(d: Draft, runId: string, call: CommandEntry, action: RetryAction): boolean {
  const policy = retryPolicy(action);
  if (call.attempt >= policy.max_attempts) return false;
  issueCall(d, runId, {
    call_index: call.call_index,
    attempt: call.attempt + 1,
    loop_index: call.loop_index,
    overrides: call.overrides,
    run_at: addSeconds(d.now, retryDelaySeconds(policy, call.attempt)),
  });
  return true;
}
