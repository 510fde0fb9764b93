import { checkTarget } from "./check-next.ts";
import { type Checker, isObject } from "./checker.ts";
import type { Path } from "./path.ts";
import { didYouMean } from "./suggest.ts";
import { isToolKind, TOOL_DEFS } from "./tool-definitions.ts";
import type { JsonObject, JsonValue } from "./types.ts";

/** What checking a `call` needs to know about its step: the step's tool and the playbook's workbook. */
export interface CallScope {
  stepName: string;
  stepNames: ReadonlySet<string>;
  /** The step's `tool`, as written. */
  tool?: JsonValue | undefined;
  /** The playbook's `workbook`, as written (a `workbook` step's overrides apply to its entry's tool). */
  workbook?: JsonValue | undefined;
}

const STEP_FORM = ["step", "args"];

/**
 * `call` has two forms. `{step, args?}` invokes another step, and the engine reads nothing else: any other
 * key would be dropped. Otherwise its keys are overrides deep-merged into this step's tool config for a
 * re-invocation, so each must be a field of that tool (its kind's fields, or a key its config already has),
 * `args`, or a typo, reported with a suggestion. When the step's tool cannot be known statically (an unknown
 * kind, a workbook entry named by a template), overrides are not checked.
 */
export function checkCall(checker: Checker, call: JsonValue, path: Path, scope: CallScope): void {
  const owner = `Step '${scope.stepName}': `;
  if (!isObject(call)) {
    checker.error(path, `${owner}'call' must be a mapping: tool overrides, or {step, args}`);
    return;
  }
  if (call.args !== undefined && call.args !== null && !isObject(call.args)) {
    checker.error([...path, "args"], `${owner}'args' must be a mapping`);
  }
  if (call.step !== undefined) {
    checkTarget(checker, call.step, [...path, "step"], owner, scope.stepNames);
    for (const key of Object.keys(call)) {
      if (STEP_FORM.includes(key)) continue;
      checker.error(
        [...path, key],
        `${owner}unknown call key '${key}'${didYouMean(key, STEP_FORM)}; a call with 'step' takes only 'step' and 'args'`,
        { at: "key" },
      );
    }
    return;
  }
  const target = overrideTarget(scope);
  if (target === undefined) return;
  const known = new Set([...Object.keys(TOOL_DEFS[target.kind].fields), ...target.written, "args"]);
  known.delete("kind");
  for (const key of Object.keys(call)) {
    if (key === "kind") {
      checker.error(
        [...path, key],
        `${owner}'call' cannot change the tool's kind; its overrides are merged into this step's ${target.kind} tool`,
        { at: "key" },
      );
    } else if (!known.has(key)) {
      const hint = didYouMean(key, [...known, "step"]);
      const fields = [...known].map((field) => `'${field}'`).join(", ");
      const why = hint || `: not a field of this step's ${target.kind} tool (${fields}) nor 'step'`;
      checker.error([...path, key], `${owner}unknown call key '${key}'${why}`, { at: "key" });
    }
  }
}

/** Entries may use other entries; a longer chain is a cycle (the engine's limit too). */
const MAX_DEPTH = 16;

/**
 * The tool config `call` overrides are merged into: the step's tool, or for a `workbook` tool the entry's
 * tool it resolves to (as the engine does). Its kind and the keys written on it; undefined when unknown.
 */
function overrideTarget(scope: CallScope): { kind: keyof typeof TOOL_DEFS; written: string[] } | undefined {
  let tool = scope.tool;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    if (!isObject(tool) || typeof tool.kind !== "string" || !isToolKind(tool.kind)) return undefined;
    if (tool.kind !== "workbook") return { kind: tool.kind, written: Object.keys(tool) };
    tool = workbookEntryTool(scope.workbook, tool);
  }
  return undefined;
}

function workbookEntryTool(workbook: JsonValue | undefined, tool: JsonObject): JsonValue | undefined {
  const name = tool.name ?? tool.task;
  if (typeof name !== "string" || !Array.isArray(workbook)) return undefined;
  const entry = workbook.find((e) => isObject(e) && e.name === name);
  return isObject(entry) ? entry.tool : undefined;
}
