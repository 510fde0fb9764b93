import { isMap, isSeq, type YAMLMap } from "yaml";
import { onStepExit } from "./condition.ts";
import type { MigrationLog } from "./log.ts";
import { planNext } from "./next.ts";
import {
  copyOf,
  indexOfKey,
  insertPair,
  newMap,
  newSeq,
  pairOf,
  quoted,
  removeKey,
  stringOf,
} from "./nodes.ts";
import { buildRules, type RulePlan } from "./rules.ts";
import { planSink } from "./sink.ts";

/**
 * A step's v1 `next` and `sink` → v2 `case` rules on `step.exit` plus a structural `next`.
 * Both are read first and written only when they convert, so a step is never half converted.
 */
export function convertFlow(step: YAMLMap, path: string, log: MigrationLog): void {
  const nextPair = pairOf(step, "next");
  const plan = nextPair
    ? planNext(nextPair.value, `${path}.next`)
    : { ok: true as const, items: [], edits: [] };
  if (!plan.ok) {
    log.unconverted(plan.at, plan.path, `${plan.message}; 'next' left in place`);
    if (pairOf(step, "sink")) {
      log.unconverted(
        pairOf(step, "sink"),
        `${path}.sink`,
        "left in place because 'next' could not be converted",
      );
    }
    return;
  }
  const sink = planSink(step, path, log);
  for (const edit of plan.edits) {
    edit.apply();
    log.change(edit.at, edit.path, edit.message);
  }
  const { rules, plain, catchAll, unreachable } = buildRules(plan.items);
  for (const item of unreachable) {
    log.change(
      item.node,
      item.path,
      "follows an 'else': v1 never evaluated it; kept as a rule that cannot fire",
    );
  }
  if (sink.kind === "sink") {
    for (const rule of rules) rule.sink = copyOf(sink.action);
    if (!catchAll) {
      const targets = plain.map((target) => copyOf(target));
      rules.push({
        when: onStepExit(),
        targets,
        sink: sink.action,
        at: sink.pair,
        path: `${path}.sink`,
        origin: "'sink'",
      });
    }
    log.change(
      sink.pair,
      `${path}.sink`,
      "step 'sink' → a 'sink' action in every step.exit rule (a failed write fails the step, as in v1)",
    );
  }
  if (rules.length === 0) return;
  writeRules(step, rules, path, log);
  writeStructuralNext(step, plain);
  for (const rule of rules) log.change(rule.at, rule.path, describe(rule));
  if (plain.length > 0 && rules.some((rule) => rule.origin !== "'sink'")) {
    const names = plain.map(
      (target) => stringOf(target) ?? stringOf(isMap(target) ? pairOf(target, "step")?.value : ""),
    );
    log.change(
      nextPair,
      `${path}.next`,
      `unconditional ${names.join(", ")} kept in structural 'next' and added to every rule's then.next (v1 ran them whatever the conditions)`,
    );
  }
}

function writeRules(step: YAMLMap, rules: RulePlan[], path: string, log: MigrationLog): void {
  const ruleNodes = rules.map((rule) => {
    const then = newMap([]);
    if (rule.sink !== undefined) then.items.push(...newMap([["sink", rule.sink]]).items);
    if (rule.targets.length > 0 || rule.sink === undefined)
      then.items.push(...newMap([["next", newSeq(rule.targets)]]).items);
    return newMap([
      ["when", quoted(rule.when)],
      ["then", then],
    ]);
  });
  const casePair = pairOf(step, "case");
  if (casePair && isSeq(casePair.value)) {
    casePair.value.items.push(...ruleNodes);
    log.change(
      casePair,
      `${path}.case`,
      "rules from v1 'next'/'sink' appended after the existing 'case' rules",
    );
    return;
  }
  const at = indexOfKey(step, "next");
  insertPair(step, at < 0 ? step.items.length : at, "case", newSeq(ruleNodes));
}

/** Only the unconditional items stay; the conditional ones now live in `case`. */
function writeStructuralNext(step: YAMLMap, plain: unknown[]): void {
  const nextPair = pairOf(step, "next");
  if (!nextPair) return;
  if (plain.length === 0) {
    removeKey(step, "next");
    return;
  }
  if (isSeq(nextPair.value)) {
    const keep = new Set(plain);
    nextPair.value.items = nextPair.value.items.filter((item) => keep.has(item));
  }
}

function describe(rule: RulePlan): string {
  const names = rule.targets.map(
    (target) => stringOf(target) ?? stringOf(isMap(target) ? pairOf(target, "step")?.value : ""),
  );
  const then = [rule.sink !== undefined ? "sink" : "", names.length > 0 ? `next [${names.join(", ")}]` : ""]
    .filter(Boolean)
    .join(" + ");
  return `${rule.origin} → case rule when ${JSON.stringify(rule.when)} then ${then || "nothing"}`;
}
