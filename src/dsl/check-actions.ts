import { type CallScope, checkCall } from "./check-call.ts";
import { checkNext } from "./check-next.ts";
import { checkTool, type ToolScope } from "./check-tool.ts";
import { type Checker, isObject, misspelt } from "./checker.ts";
import { ACTION_NAMES, record } from "./definitions.ts";
import type { Path } from "./path.ts";
import { didYouMean } from "./suggest.ts";
import type { JsonObject, JsonValue } from "./types.ts";

/** `set: {ctx: {...}}` and `set: {vars: {...}}` wrap the names to set; they are not names themselves. */
const SET_WRAPPERS = ["ctx", "vars"];

export interface StepScope extends ToolScope, CallScope {}

/** `then`: one action map or a list of them. */
export function checkThen(checker: Checker, then: JsonValue, path: Path, scope: StepScope): void {
  const owner = `Step '${scope.stepName}': `;
  if (Array.isArray(then)) {
    if (then.length === 0) checker.error(path, `${owner}'then' has no actions`);
    then.forEach((actions, i) => {
      checkActions(checker, actions, [...path, i], scope);
    });
  } else if (isObject(then)) {
    checkActions(checker, then, path, scope);
  } else {
    checker.error(path, `${owner}'then' must be an action map or a list of action maps`);
  }
}

function checkActions(checker: Checker, actions: JsonValue, path: Path, scope: StepScope): void {
  const owner = `Step '${scope.stepName}': `;
  if (!isObject(actions)) {
    checker.error(path, `${owner}an entry of 'then' must be an action map`);
    return;
  }
  for (const [name, value] of Object.entries(actions)) {
    const at = [...path, name];
    if (!(ACTION_NAMES as readonly string[]).includes(name)) {
      checker.error(at, `${owner}unknown action '${name}'${didYouMean(name, ACTION_NAMES)}`, { at: "key" });
    } else if (value === null && name !== "result") {
      checker.error(at, `${owner}action '${name}' has no value`);
    } else {
      checkAction(checker, name, value, at, scope);
    }
  }
  if (actions.call !== undefined && actions.retry !== undefined) {
    checker.error([...path, "retry"], `${owner}'call' and 'retry' cannot fire together`, { at: "key" });
  }
  if (actions.fail !== undefined && actions.skip !== undefined) {
    checker.error([...path, "skip"], `${owner}'fail' and 'skip' cannot fire together`, { at: "key" });
  }
}

function checkAction(checker: Checker, name: string, value: JsonValue, path: Path, scope: StepScope): void {
  const owner = `Step '${scope.stepName}': `;
  const shape = record("actions").fields[name]?.shape;
  switch (name) {
    case "set":
      if (!checker.checkShape(value, record("actions").fields.set!.shape, path, owner) || !isObject(value))
        return;
      for (const wrapper of SET_WRAPPERS) {
        if (value[wrapper] === undefined || isObject(value[wrapper])) continue;
        checker.error(
          [...path, wrapper],
          `${owner}'set.${wrapper}' must be a mapping of names to values (set: {${wrapper}: {name: value}}); '${wrapper}' is not a variable name`,
          value[wrapper] === null ? { at: "key" } : {},
        );
      }
      return;
    case "collect":
      checkRecord(checker, value, "collect", path, owner);
      return;
    case "retry":
    case "fail":
      if (typeof value === "string" && name === "fail") return;
      checkRecord(checker, value, name, path, owner);
      return;
    case "skip":
      if (value === false) checker.error(path, `${owner}'skip' must be true, a reason string or {reason}`);
      else if (typeof value !== "boolean" && typeof value !== "string")
        checkRecord(checker, value, "skip", path, owner);
      return;
    case "sink":
      checkRecord(checker, value, "sink", path, owner, ["tool"]);
      if (isObject(value)) {
        if (value.tool !== undefined && value.tool !== null)
          checkTool(checker, value.tool, [...path, "tool"], owner, scope);
        else if (!misspelt(value, record("sink")).has("tool"))
          checker.error(path, `${owner}sink needs a 'tool' with a 'kind'`);
      }
      return;
    case "call":
      checkCall(checker, value, path, scope);
      return;
    case "next":
      checkNext(checker, value, path, scope.stepName, scope.stepNames);
      return;
    default:
      if (shape) checker.checkShape(value, shape, path, owner);
  }
}

/** A mapping checked against its table: known keys, required keys, leaf shapes. */
export function checkRecord(
  checker: Checker,
  value: JsonValue,
  name: string,
  path: Path,
  owner: string,
  skip: readonly string[] = [],
): value is JsonObject {
  if (!isObject(value)) {
    checker.error(path, `${owner}'${String(path[path.length - 1] ?? name)}' must be a mapping`);
    return false;
  }
  const def = record(name);
  const label = name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
  checker.checkKeys(value, def, path, owner, label, skip);
  checker.checkFields(value, def, path, owner, skip);
  return true;
}
