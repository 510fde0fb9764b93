import { isMap, isScalar, type YAMLMap } from "yaml";
import type { MigrationLog } from "./log.ts";
import { keyOf, pairOf, renameKey, stringOf } from "./nodes.ts";

/** v1 loop keys with a v2 key of the same meaning (the old iterator step wrote collection/element/concurrency). */
const RENAMES: Readonly<Record<string, string>> = {
  items: "in",
  collection: "in",
  element: "iterator",
  concurrency: "max_in_flight",
};
const V2_LOOP_KEYS: ReadonlySet<string> = new Set(["in", "iterator", "mode", "max_in_flight"]);

/**
 * Converts a step's `loop` in place. v1 `mode: async` ran items concurrently (the v1 docs: "concurrency:
 * max parallel tasks when mode=async"), which is v2's `parallel`. Filters and ordering (`where`,
 * `order_by`, `limit`, `chunk`) have no v2 loop form: they are left in place and reported.
 */
export function convertLoop(step: YAMLMap, path: string, log: MigrationLog): void {
  const loopPair = pairOf(step, "loop");
  if (!loopPair) return;
  const loop = loopPair.value;
  const loopPath = `${path}.loop`;
  if (!isMap(loop)) {
    log.unconverted(loopPair, loopPath, "'loop' is not a mapping {in, iterator, mode}; left in place");
    return;
  }
  convertLoopKeys(loop, loopPath, log);
}

export function convertLoopKeys(loop: YAMLMap, loopPath: string, log: MigrationLog): void {
  for (const pair of [...loop.items]) {
    const key = keyOf(pair) ?? "";
    const renamed = RENAMES[key];
    if (renamed === undefined) continue;
    if (pairOf(loop, renamed)) {
      log.unconverted(pair, `${loopPath}.${key}`, `'${key}' beside '${renamed}'; left in place`);
      continue;
    }
    renameKey(pair, renamed);
    log.change(pair, `${loopPath}.${key}`, `loop '${key}' → '${renamed}'`);
  }
  const modePair = pairOf(loop, "mode");
  const mode = stringOf(modePair?.value);
  if (modePair && mode === "async" && isScalar(modePair.value)) {
    modePair.value.value = "parallel";
    log.change(modePair, `${loopPath}.mode`, "loop 'mode: async' → 'mode: parallel'");
  } else if (modePair && mode !== "sequential" && mode !== "parallel") {
    log.unconverted(modePair, `${loopPath}.mode`, `loop mode ${JSON.stringify(mode ?? null)} has no v2 form`);
  }
  for (const pair of loop.items) {
    const key = keyOf(pair) ?? "?";
    if (!V2_LOOP_KEYS.has(key)) {
      log.unconverted(pair, `${loopPath}.${key}`, `loop '${key}' has no v2 form; left in place`);
    }
  }
  for (const required of ["in", "iterator"]) {
    if (!pairOf(loop, required)) log.unconverted(loop, loopPath, `loop without '${required}'; v2 needs it`);
  }
}
