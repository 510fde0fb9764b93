import { isMap, isNode, isScalar, isSeq, type Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";

/** Small helpers over the yaml library's document API, so edits keep comments, styles and key order. */

export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === "string" ? pair.key.value : undefined;
}

export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => keyOf(pair) === key);
}

export function indexOfKey(map: YAMLMap, key: string): number {
  return map.items.findIndex((pair) => keyOf(pair) === key);
}

/** The string value of a scalar node, or undefined for anything else. */
export function stringOf(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

export function keysOf(map: YAMLMap): string[] {
  return map.items.map((pair) => keyOf(pair) ?? "?");
}

/** Renames a key in place: the pair keeps its position and its comments. */
export function renameKey(pair: Pair, name: string): void {
  if (isScalar(pair.key)) pair.key.value = name;
  else pair.key = new Scalar(name);
}

export function removeKey(map: YAMLMap, key: string): Pair | undefined {
  const index = indexOfKey(map, key);
  if (index < 0) return undefined;
  return map.items.splice(index, 1)[0];
}

export function insertPair(map: YAMLMap, index: number, key: string, value: unknown): Pair {
  const pair = new Pair(new Scalar(key), value);
  map.items.splice(Math.max(0, Math.min(index, map.items.length)), 0, pair);
  return pair;
}

export function newMap(pairs: Array<[string, unknown]>, flow = false): YAMLMap {
  const map = new YAMLMap();
  for (const [key, value] of pairs) map.items.push(new Pair(new Scalar(key), value));
  map.flow = flow;
  return map;
}

export function newSeq(items: unknown[], flow = false): YAMLSeq {
  const seq = new YAMLSeq();
  seq.items.push(...items);
  seq.flow = flow;
  return seq;
}

export function quoted(text: string): Scalar {
  const scalar = new Scalar(text);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

/** A copy without comments and blank lines, for a node that appears a second time. */
export function copyOf<T>(node: T): T {
  if (!isNode(node)) return node;
  const copy = node.clone() as Node;
  uncomment(copy);
  return copy as T;
}

function uncomment(node: unknown): void {
  if (!isNode(node)) return;
  node.commentBefore = undefined;
  node.comment = undefined;
  node.spaceBefore = false;
  if (isMap(node)) {
    for (const pair of node.items) {
      uncomment(pair.key);
      uncomment(pair.value);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) uncomment(item);
  }
}

/** A mapping's items as a JS-free description for messages: `{when, then}`. */
export function shapeOf(map: YAMLMap): string {
  return `{${keysOf(map).join(", ")}}`;
}
