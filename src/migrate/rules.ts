import { onStepExit } from "./condition.ts";
import type { NextItem } from "./next.ts";
import { copyOf } from "./nodes.ts";

/** A v2 case rule to write, before it becomes YAML. */
export interface RulePlan {
  when: string;
  targets: unknown[];
  /** Set when the step's v1 sink is written into this rule. */
  sink?: unknown;
  /** The v1 node the rule comes from, for its note. */
  at: unknown;
  path: string;
  origin: string;
}

export interface RuleSet {
  rules: RulePlan[];
  /** Targets of the unconditional items, in order: the structural `next`. */
  plain: unknown[];
  /** A rule fires on every step exit (an `else`), so the structural `next` is only a fallback. */
  catchAll: boolean;
  /** Conditional items after an `else`: v1 never reached them either. */
  unreachable: NextItem[];
}

/**
 * v1 evaluated a step's `next` items in order: the first true condition (or an `else`) chose its targets,
 * and the unconditional items ran whatever the conditions said. In v2 the structural `next` runs only when
 * no rule fired a transition, so each rule's `then.next` lists its own targets together with the
 * unconditional ones, in the v1 list order; the unconditional ones also stay in the structural `next`
 * for the exits where no rule fires.
 */
export function buildRules(items: NextItem[]): RuleSet {
  const rules: RulePlan[] = [];
  const unreachable: NextItem[] = [];
  let catchAll = false;
  const withPlain = (own: NextItem, targets: unknown[]): unknown[] =>
    items.flatMap((item) => (item === own ? targets : item.kind === "plain" ? [copyOf(item.target)] : []));
  for (const item of items) {
    if (item.kind === "plain") continue;
    // Kept (the author wrote it) but it cannot fire, as in v1; the caller notes it.
    if (catchAll) unreachable.push(item);
    if (item.kind === "when") {
      const origin = "conditional 'next'";
      rules.push({
        when: onStepExit(item.expression),
        targets: withPlain(item, item.targets),
        at: item.node,
        path: item.path,
        origin,
      });
      if (item.elseTargets) {
        const elsePath = `${item.path}.else`;
        rules.push({
          when: onStepExit(),
          targets: withPlain(item, item.elseTargets),
          at: item.node,
          path: elsePath,
          origin: "'else'",
        });
        catchAll = true;
      }
    } else {
      rules.push({
        when: onStepExit(),
        targets: withPlain(item, item.targets),
        at: item.node,
        path: item.path,
        origin: "'else'",
      });
      catchAll = true;
    }
  }
  const plain = items.flatMap((item) => (item.kind === "plain" ? [item.target] : []));
  return { rules, plain, catchAll, unreachable };
}
