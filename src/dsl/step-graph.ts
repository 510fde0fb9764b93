import { isObject } from "./checker.ts";
import type { JsonObject, JsonValue } from "./types.ts";

/** Which step can start which: structural `next`, and `next`/`call.step` fired by case rules. */
export interface StepGraph {
  steps: Set<string>;
  /** step → the steps it can start. */
  edges: Map<string, Set<string>>;
  /** loop iterator → the step that defines it. */
  iterators: Map<string, string>;
}

export function stepGraph(doc: JsonObject): StepGraph {
  const steps = new Set<string>();
  const edges = new Map<string, Set<string>>();
  const iterators = new Map<string, string>();
  const workflow = Array.isArray(doc.workflow) ? doc.workflow : [];
  for (const step of workflow) {
    if (!isObject(step) || typeof step.step !== "string") continue;
    steps.add(step.step);
    if (isObject(step.loop) && typeof step.loop.iterator === "string")
      iterators.set(step.loop.iterator, step.step);
    const targets = edges.get(step.step) ?? new Set<string>();
    edges.set(step.step, targets);
    addTargets(targets, step.next);
    if (!Array.isArray(step.case)) continue;
    for (const rule of step.case) {
      if (!isObject(rule)) continue;
      const thens = Array.isArray(rule.then) ? rule.then : [rule.then];
      for (const actions of thens) {
        if (!isObject(actions)) continue;
        addTargets(targets, actions.next);
        if (isObject(actions.call)) addTargets(targets, actions.call.step);
      }
    }
  }
  return { steps, edges, iterators };
}

function addTargets(targets: Set<string>, next: JsonValue | undefined): void {
  const items = Array.isArray(next) ? next : [next];
  for (const item of items) {
    if (typeof item === "string") targets.add(item);
    else if (isObject(item) && typeof item.step === "string") targets.add(item.step);
  }
}

/** Whether `from` can complete before `to` starts: `to` is reachable from `from` along the edges. */
export function canRunBefore(graph: StepGraph, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const target of graph.edges.get(current) ?? []) {
      if (target === to) return true;
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return false;
}
