import { isScalar } from "yaml";

/** The `when` of a v2 rule that fires on the step's exit, where v1 evaluated its `next` conditions. */
export const ON_STEP_EXIT = "event.name == 'step.exit'";

export type ConditionResult = { ok: true; expression: string } | { ok: false; reason: string };

const ONE_TEMPLATE = /^\s*\{\{([\s\S]*)\}\}\s*$/;

/**
 * The bare expression of a v1 `when`: the inside of a string that is exactly one `{{ }}`, a bare expression
 * as written, or a YAML boolean. A string with text around its templates renders to a string in v1 (true when
 * non-empty), and its meaning cannot be kept inside a larger expression, so it is refused.
 */
export function conditionExpression(node: unknown): ConditionResult {
  if (!isScalar(node)) return { ok: false, reason: "the condition is not a scalar" };
  const value = node.value;
  if (typeof value === "boolean") return { ok: true, expression: value ? "true" : "false" };
  if (typeof value !== "string" || value.trim() === "")
    return { ok: false, reason: "the condition is empty" };
  const template = ONE_TEMPLATE.exec(value);
  if (template) {
    const inner = (template[1] ?? "").trim();
    if (inner.includes("{{") || inner.includes("}}") || inner === "") {
      return { ok: false, reason: `the condition ${JSON.stringify(value)} is not a single {{ }} expression` };
    }
    return { ok: true, expression: inner };
  }
  if (value.includes("{{") || value.includes("{%")) {
    return { ok: false, reason: `the condition ${JSON.stringify(value)} mixes text and templates` };
  }
  return { ok: true, expression: value.trim() };
}

/** `{{ event.name == 'step.exit' and (<expr>) }}`; the parentheses keep `or` inside the original condition. */
export function onStepExit(expression?: string): string {
  return expression === undefined ? `{{ ${ON_STEP_EXIT} }}` : `{{ ${ON_STEP_EXIT} and (${expression}) }}`;
}
