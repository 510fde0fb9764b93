import { type Checker, isObject } from "./checker.ts";
import { record } from "./definitions.ts";
import type { Path } from "./path.ts";
import { didYouMean } from "./suggest.ts";
import type { JsonValue } from "./types.ts";

const V1_CONDITIONAL_KEYS = ["when", "then", "else"];

/** Checks a reference to a step by name (next, then.next, call.step). */
export function checkTarget(
  checker: Checker,
  target: JsonValue | undefined,
  path: Path,
  owner: string,
  stepNames: ReadonlySet<string>,
): void {
  if (typeof target !== "string") {
    checker.error(path, `${owner}a transition target must be a step name`);
    return;
  }
  if (!stepNames.has(target)) {
    checker.error(path, `${owner}unknown step '${target}'${didYouMean(target, stepNames)}`);
  }
}

/**
 * `next` on a step or in `then`: a name, a list of names or {step, args}, or (leniently) one {step, args}.
 * v1's conditional form (`next: [{when, then}, {else}]`) is rejected with its dedicated message.
 */
export function checkNext(
  checker: Checker,
  next: JsonValue,
  path: Path,
  stepName: string,
  stepNames: ReadonlySet<string>,
): void {
  const owner = `Step '${stepName}': `;
  if (typeof next === "string") {
    checkTarget(checker, next, path, owner, stepNames);
    return;
  }
  if (isObject(next)) {
    checkTransitionMap(checker, next, path, stepName, stepNames);
    return;
  }
  if (!Array.isArray(next)) {
    checker.error(path, `${owner}'next' must be a step name, a list of names, or a list of {step, args}`);
    return;
  }
  next.forEach((item, i) => {
    if (typeof item === "string") checkTarget(checker, item, [...path, i], owner, stepNames);
    else if (isObject(item)) checkTransitionMap(checker, item, [...path, i], stepName, stepNames);
    else checker.error([...path, i], `${owner}a 'next' item must be a step name or {step, args}`);
  });
}

function checkTransitionMap(
  checker: Checker,
  item: Record<string, JsonValue>,
  path: Path,
  stepName: string,
  stepNames: ReadonlySet<string>,
): void {
  const owner = `Step '${stepName}': `;
  if (V1_CONDITIONAL_KEYS.some((key) => key in item)) {
    checker.error(
      path,
      `Step '${stepName}': Conditional 'next' with when/then/else is not allowed. Use 'case/when/then' for conditional transitions.`,
    );
    return;
  }
  checker.checkKeys(item, record("transition"), path, owner, "transition");
  if (item.step !== undefined) checkTarget(checker, item.step, [...path, "step"], owner, stepNames);
  if (item.args !== undefined && !isObject(item.args)) {
    checker.error([...path, "args"], `${owner}transition 'args' must be a mapping`);
  }
}
