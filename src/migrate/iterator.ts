import { isMap, type Pair, type YAMLMap } from "yaml";
import { convertWith } from "./args.ts";
import type { MigrationLog } from "./log.ts";
import { convertLoopKeys } from "./loop.ts";
import { indexOfKey, insertPair, keyOf, newMap, pairOf, removeKey, renameKey } from "./nodes.ts";
import { convertTool } from "./tool.ts";

const ITERATOR_KEYS = ["collection", "element", "mode", "concurrency"];
/** Step keys that stay on the step when its iterator becomes a loop. */
const STEP_KEYS: ReadonlySet<string> = new Set([
  "step",
  "desc",
  "tool",
  "type",
  "task",
  "next",
  "args",
  "with",
  "vars",
]);
const NO_TASK_KEYS = ["sink", "save", "next", "loop"];

/**
 * The oldest v1 loop: `tool: iterator` with `collection`, `element`, `mode` and a nested `task` (the tool run
 * per item). It is the v2 step `loop: {in, iterator, mode}` with the task's tool as the step's tool; the
 * step's result is the list of item results in both. Iterators with filters, per-item or aggregated saves,
 * or a task that is not one tool are left as written.
 */
export function convertIterator(step: YAMLMap, path: string, log: MigrationLog): boolean {
  const kindPair = (pairOf(step, "tool") ?? pairOf(step, "type")) as Pair;
  const refuse = (message: string): boolean => {
    log.unconverted(kindPair, `${path}.tool`, `${message}; left in place`);
    return false;
  };
  const extra = step.items
    .map((p) => keyOf(p) ?? "?")
    .filter((k) => !STEP_KEYS.has(k) && !ITERATOR_KEYS.includes(k));
  if (extra.length > 0) return refuse(`iterator keys ${extra.join(", ")} have no v2 loop form`);
  const task = pairOf(step, "task")?.value;
  if (!isMap(task)) return refuse("iterator without a 'task' mapping");
  const taskExtra = NO_TASK_KEYS.filter((key) => pairOf(task, key));
  if (taskExtra.length > 0) return refuse(`iterator task keys ${taskExtra.join(", ")} have no v2 form`);
  if (!pairOf(task, "tool") && !pairOf(task, "type")) return refuse("iterator task names no tool");
  if (!pairOf(step, "collection") || !pairOf(step, "element"))
    return refuse("iterator without collection/element");

  const at = indexOfKey(step, "collection");
  const loop = newMap([]);
  for (const key of ITERATOR_KEYS) {
    const pair = pairOf(step, key);
    if (!pair) continue;
    removeKey(step, key);
    loop.items.push(pair);
  }
  insertPair(step, at, "loop", loop);
  log.change(kindPair, `${path}.tool`, "'tool: iterator' → step 'loop' with the iterator task's tool");
  convertLoopKeys(loop, `${path}.loop`, log);

  convertWith(task, `${path}.task`, log);
  convertTool(task, new Set(), `${path}.task`, log);
  const taskTool = pairOf(task, "tool")?.value;
  removeKey(step, "task");
  renameKey(kindPair, "tool");
  kindPair.value = taskTool;
  return true;
}
