/**
 * The engine's only contact with the expression language. Every template error becomes a StepFailure
 * (code E_RENDER) naming what was being rendered, so a bad template at run time fails its step cleanly.
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import { evaluate, isTruthy, renderDeep } from "../expr/index.ts";
import { ErrorCode, StepFailure } from "./errors.ts";
import type { Scope } from "./scope.ts";
import { storable } from "./storable.ts";

/** Objects already known to hold no `{{`: rendering returns them as they are (static tool configs are common). */
const staticValues = new WeakMap<object, boolean>();

function hasTemplate(value: JsonValue): boolean {
  if (typeof value === "string") return value.includes("{{");
  if (value === null || typeof value !== "object") return false;
  const known = staticValues.get(value);
  if (known !== undefined) return !known;
  const found = Array.isArray(value) ? value.some(hasTemplate) : Object.values(value).some(hasTemplate);
  staticValues.set(value, !found);
  return found;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Renders every string of `value`; `what` names it in the error ("tool config", "set.count", ...). */
export function renderValue(value: JsonValue, scope: Scope, step: string, what: string): JsonValue {
  if (!hasTemplate(value)) return value;
  try {
    return storable(toJson(renderDeep(value, scope)));
  } catch (error) {
    throw new StepFailure(ErrorCode.render, `Step '${step}': cannot render ${what}: ${describe(error)}`);
  }
}

/**
 * Renders a tool config (or `call` overrides of one); for python tools `code` is never rendered (its inputs
 * go in as data). `kind` defaults to the config's own.
 */
export function renderTool(
  tool: JsonObject,
  scope: Scope,
  step: string,
  what = "tool config",
  kind = tool.kind,
): JsonObject {
  if (!hasTemplate(tool)) return tool;
  const skip = kind === "python" ? isPythonCode : undefined;
  try {
    return storable(renderDeep(tool, scope, skip) as JsonObject);
  } catch (error) {
    throw new StepFailure(ErrorCode.render, `Step '${step}': cannot render ${what}: ${describe(error)}`);
  }
}

function isPythonCode(path: readonly (string | number)[]): boolean {
  return path.length === 1 && path[0] === "code";
}

/** Evaluates a bare expression (or one `{{ }}` template); undefined stays undefined. */
export function evaluateExpression(
  expression: string,
  scope: Scope,
  step: string,
  what: string,
): JsonValue | undefined {
  try {
    const value = evaluate(expression, scope);
    return value === undefined ? undefined : storable(toJson(value));
  } catch (error) {
    throw new StepFailure(ErrorCode.render, `Step '${step}': cannot evaluate ${what}: ${describe(error)}`);
  }
}

/** A rule's `when`: returns the truth value, or the error message when evaluation failed. */
export function testCondition(
  when: string,
  scope: Scope,
): { ok: true; value: boolean } | { ok: false; message: string } {
  try {
    return { ok: true, value: isTruthy(evaluate(when, scope)) };
  } catch (error) {
    return { ok: false, message: describe(error) };
  }
}

function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue);
}
