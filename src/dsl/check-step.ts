import { checkRecord, checkThen, type StepScope } from "./check-actions.ts";
import { checkNext } from "./check-next.ts";
import { checkTool } from "./check-tool.ts";
import { type Checker, isObject, misspelt } from "./checker.ts";
import { record } from "./definitions.ts";
import { isContextName } from "./names.ts";
import type { Path } from "./path.ts";
import { isTemplate } from "./template-sites.ts";
import type { JsonObject, JsonValue } from "./types.ts";

/** Step keys checked by dedicated code rather than the table's generic shape check. */
const CUSTOM_KEYS = ["step", "tool", "loop", "case", "next"];

/** One entry of `workflow` (its name's uniqueness is checked by the caller, which sees all steps). */
export function checkStep(checker: Checker, step: JsonObject, path: Path, scope: StepScope): void {
  const owner = `Step '${scope.stepName}': `;
  if (step.type !== undefined) {
    checker.error([...path, "type"], `${owner}'type' field is not allowed in v2. Use 'tool.kind' instead.`, {
      at: "key",
    });
  }
  checker.checkKeys(step, record("step"), path, owner, "step", ["type", "tool", "step"]);
  checker.checkFields(step, record("step"), path, owner, CUSTOM_KEYS);

  if (step.tool !== undefined && step.tool !== null)
    checkTool(checker, step.tool, [...path, "tool"], owner, scope);
  else if (!misspelt(step, record("step")).has("tool")) checker.error(path, `${owner}Missing 'tool' field`);

  if (step.loop !== undefined && step.loop !== null) checkLoop(checker, step.loop, [...path, "loop"], owner);
  if (step.case !== undefined && step.case !== null) checkCase(checker, step.case, [...path, "case"], scope);
  if (step.next !== undefined && step.next !== null) {
    checkNext(checker, step.next, [...path, "next"], scope.stepName, scope.stepNames);
  }
}

function checkLoop(checker: Checker, loop: JsonValue, path: Path, owner: string): void {
  if (!checkRecord(checker, loop, "loop", path, owner)) return;
  if (typeof loop.in === "string" && !isTemplate(loop.in)) {
    checker.error(
      [...path, "in"],
      `${owner}loop 'in' must be a template ("{{ ... }}") rendering to a list, or a list`,
    );
  }
  const iterator = loop.iterator;
  if (typeof iterator === "string" && isContextName(iterator)) {
    checker.error(
      [...path, "iterator"],
      `${owner}loop iterator '${iterator}' shadows the context name '${iterator}'`,
    );
  }
}

function checkCase(checker: Checker, rules: JsonValue, path: Path, scope: StepScope): void {
  const owner = `Step '${scope.stepName}': `;
  if (!Array.isArray(rules)) {
    checker.error(path, `${owner}'case' must be a list of when/then entries`);
    return;
  }
  rules.forEach((rule, i) => {
    const at = [...path, i];
    if (!isObject(rule)) {
      checker.error(at, `${owner}case[${i}] must be a mapping with 'when' and 'then'`);
      return;
    }
    const typos = misspelt(rule, record("caseRule"));
    if (rule.when === undefined || rule.when === null) {
      if (!typos.has("when")) checker.error(at, `${owner}case[${i}] missing 'when' field`);
    } else if (typeof rule.when !== "string" && typeof rule.when !== "boolean") {
      checker.error(
        [...at, "when"],
        `${owner}case[${i}] 'when' must be a template, an expression or a boolean`,
      );
    }
    if (rule.then === undefined || rule.then === null) {
      if (!typos.has("then")) checker.error(at, `${owner}case[${i}] missing 'then' field`);
    } else checkThen(checker, rule.then, [...at, "then"], scope);
    checker.checkKeys(rule, record("caseRule"), at, owner, "case rule", ["when", "then"]);
  });
}
