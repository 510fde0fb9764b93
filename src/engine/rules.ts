/** case/when matching (DSL.md §4): the first rule whose `when` is truthy fires; the others do not. */
import type { CaseRule, Step } from "../dsl/types.ts";
import type { Draft } from "./draft.ts";
import type { Scope } from "./scope.ts";
import { testCondition } from "./templates.ts";

export type RuleEvent = "step.enter" | "call.done" | "loop.done" | "step.exit";

export interface Match {
  rule: CaseRule;
  index: number;
}

/**
 * A `when` that fails to evaluate (type error, bad filter argument) does not fire: it is reported as a
 * `warning` event naming the step and the rule, and matching goes on with the next rule.
 */
export function firstMatch(
  d: Draft,
  runId: string,
  step: Step,
  scope: Scope,
  event: RuleEvent,
): Match | undefined {
  const rules = step.case ?? [];
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    const outcome = testCondition(rule.when, scope);
    if (!outcome.ok) {
      d.warn(
        `Step '${step.step}': case[${index}].when could not be evaluated on ${event}, the rule did not fire: ${outcome.message}`,
        step.step,
        runId,
        { rule: index, event },
      );
      continue;
    }
    if (outcome.value) return { rule, index };
  }
  return undefined;
}
