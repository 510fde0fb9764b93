import { isMap, isScalar, isSeq, type Pair, type YAMLMap } from "yaml";
import { conditionExpression } from "./condition.ts";
import { keysOf, newMap, pairOf, renameKey, shapeOf, stringOf } from "./nodes.ts";

/** One item of a v1 `next`, in written order. Target nodes are already in v2 form ({step, args} or a name). */
export type NextItem =
  | { kind: "plain"; target: unknown; node: unknown; path: string }
  | {
      kind: "when";
      expression: string;
      targets: unknown[];
      elseTargets?: unknown[];
      node: YAMLMap;
      path: string;
    }
  | { kind: "else"; targets: unknown[]; node: YAMLMap; path: string };

export interface NextEdit {
  at: unknown;
  path: string;
  message: string;
  apply: () => void;
}

export type NextPlan =
  | { ok: true; items: NextItem[]; edits: NextEdit[] }
  | { ok: false; at: unknown; path: string; message: string };

class Refusal extends Error {
  constructor(
    readonly at: unknown,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a v1 `next` without changing it: the edits (`with` → `args`) are returned to apply once the whole
 * `next` is known to convert, so a `next` with one unknown form is left entirely as written.
 */
export function planNext(value: unknown, path: string): NextPlan {
  const edits: NextEdit[] = [];
  try {
    if (isScalar(value) && value.value === null) return { ok: true, items: [], edits };
    if (isScalar(value)) return { ok: true, items: [plainItem(value, value, path, edits)], edits };
    if (isMap(value)) return { ok: true, items: [readItem(value, path, edits)], edits };
    if (!isSeq(value)) throw new Refusal(value, path, "'next' is neither a name, a mapping nor a list");
    const items = value.items.map((item, index) => readItem(item, `${path}[${index}]`, edits));
    return { ok: true, items, edits };
  } catch (error) {
    if (error instanceof Refusal)
      return { ok: false, at: error.at, path: error.path, message: error.message };
    throw error;
  }
}

function readItem(item: unknown, path: string, edits: NextEdit[]): NextItem {
  if (!isMap(item)) return plainItem(item, item, path, edits);
  const keys = new Set(keysOf(item));
  if (keys.has("when")) return conditionalItem(item, keys, path, edits);
  if (keys.has("else")) {
    if (keys.size > 1) throw new Refusal(item, path, `'else' item ${shapeOf(item)} has keys besides 'else'`);
    const targets = readTargets(pairOf(item, "else")?.value, `${path}.else`, edits);
    return { kind: "else", targets, node: item, path };
  }
  if (keys.has("then")) throw new Refusal(item, path, "'then' without 'when' has no meaning in v1 or v2");
  return plainItem(item, item, path, edits);
}

function plainItem(target: unknown, node: unknown, path: string, edits: NextEdit[]): NextItem {
  return { kind: "plain", target: readTarget(target, path, edits), node, path };
}

function conditionalItem(item: YAMLMap, keys: Set<string>, path: string, edits: NextEdit[]): NextItem {
  const condition = conditionExpression(pairOf(item, "when")?.value);
  if (!condition.ok)
    throw new Refusal(pairOf(item, "when"), `${path}.when`, `cannot convert: ${condition.reason}`);
  if (keys.has("then") || keys.has("else")) {
    const extra = [...keys].filter((key) => !["when", "then", "else"].includes(key));
    if (extra.length > 0) {
      throw new Refusal(
        item,
        path,
        `conditional item ${shapeOf(item)} mixes then/else with ${extra.join(", ")}`,
      );
    }
    const thenTargets = readTargets(pairOf(item, "then")?.value, `${path}.then`, edits);
    const elsePair = pairOf(item, "else");
    const elseTargets = elsePair ? readTargets(elsePair.value, `${path}.else`, edits) : undefined;
    return {
      kind: "when",
      expression: condition.expression,
      targets: thenTargets,
      elseTargets,
      node: item,
      path,
    };
  }
  // The inline form {when, step, with}: the item minus `when` is its one target.
  const targetPairs = item.items.filter((pair) => stringOf(pair.key) !== "when");
  const target = newMap([]);
  target.items.push(...targetPairs);
  checkTarget(target, path, edits);
  return { kind: "when", expression: condition.expression, targets: [target], node: item, path };
}

function readTargets(value: unknown, path: string, edits: NextEdit[]): unknown[] {
  if (value === undefined || value === null) return [];
  if (isSeq(value)) return value.items.map((item, index) => readTarget(item, `${path}[${index}]`, edits));
  return [readTarget(value, path, edits)];
}

function readTarget(value: unknown, path: string, edits: NextEdit[]): unknown {
  if (isScalar(value) && typeof value.value === "string") return value;
  if (isMap(value)) return checkTarget(value, path, edits);
  throw new Refusal(value, path, "a transition target must be a step name or {step, with}");
}

function checkTarget(target: YAMLMap, path: string, edits: NextEdit[]): YAMLMap {
  const keys = keysOf(target);
  const unknown = keys.filter((key) => !["step", "with", "args"].includes(key));
  if (unknown.length > 0) {
    throw new Refusal(
      target,
      path,
      `transition ${shapeOf(target)} has keys v2 does not know: ${unknown.join(", ")}`,
    );
  }
  if (stringOf(pairOf(target, "step")?.value) === undefined) {
    throw new Refusal(target, path, "transition without a 'step' name");
  }
  const withPair: Pair | undefined = pairOf(target, "with");
  if (withPair && pairOf(target, "args")) {
    throw new Refusal(withPair, `${path}.with`, "transition has both 'with' and 'args'");
  }
  if (withPair) {
    edits.push({
      at: withPair,
      path: `${path}.with`,
      message: "'with' → 'args' (data passed to the target step)",
      apply: () => renameKey(withPair, "args"),
    });
  }
  return target;
}
