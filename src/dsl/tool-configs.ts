/**
 * Every tool config of a playbook: step tools, sink tools, workbook entries, `call` overrides, and tool
 * configs nested under `tool`/`sink`. What credentials (auth-names.ts) and warm-ups (toolKinds) look at.
 */
import { isObject } from "./checker.ts";
import type { Path } from "./path.ts";
import type { JsonObject, JsonValue, Playbook } from "./types.ts";

const NESTED_TOOL_KEYS = ["tool", "sink"];

/** Calls `visit` for every tool config of a playbook document (written or normalised form). */
export function forEachToolConfig(
  doc: JsonValue,
  visit: (tool: JsonObject, path: Path, step: string | undefined) => void,
): void {
  if (!isObject(doc)) return;
  const tool = (value: JsonValue | undefined, path: Path, step: string | undefined): void => {
    if (!isObject(value)) return;
    visit(value, path, step);
    for (const key of NESTED_TOOL_KEYS) tool(value[key], [...path, key], step);
  };
  const actions = (value: JsonValue | undefined, path: Path, step: string | undefined): void => {
    if (!isObject(value)) return;
    if (isObject(value.sink)) tool(value.sink.tool, [...path, "sink", "tool"], step);
    tool(value.call, [...path, "call"], step);
  };
  if (Array.isArray(doc.workbook)) {
    doc.workbook.forEach((entry, i) => {
      if (isObject(entry)) tool(entry.tool, ["workbook", i, "tool"], undefined);
    });
  }
  if (!Array.isArray(doc.workflow)) return;
  doc.workflow.forEach((step, i) => {
    if (!isObject(step)) return;
    const name = typeof step.step === "string" ? step.step : undefined;
    tool(step.tool, ["workflow", i, "tool"], name);
    if (!Array.isArray(step.case)) return;
    step.case.forEach((rule, j) => {
      if (!isObject(rule)) return;
      const path = ["workflow", i, "case", j, "then"];
      if (!Array.isArray(rule.then)) actions(rule.then, path, name);
      else
        rule.then.forEach((then, k) => {
          actions(then, [...path, k], name);
        });
    });
  });
}

/** The tool kinds a playbook names, in the written or normalised form. */
export function toolKinds(doc: JsonValue | Playbook): Set<string> {
  const kinds = new Set<string>();
  forEachToolConfig(doc as JsonValue, (tool) => {
    if (typeof tool.kind === "string") kinds.add(tool.kind);
  });
  return kinds;
}
