import { isMap, type YAMLMap } from "yaml";
import type { MigrationLog } from "./log.ts";
import { keysOf, pairOf, removeKey, renameKey } from "./nodes.ts";

/**
 * v1 `with` (inputs of a step or workbook entry) → v2 `args`. When both are written and are mappings with
 * different keys they are merged into `args`; overlapping keys would need a guess about which one v1 used.
 */
export function convertWith(holder: YAMLMap, path: string, log: MigrationLog): void {
  const withPair = pairOf(holder, "with");
  if (!withPair) return;
  const argsPair = pairOf(holder, "args");
  if (!argsPair) {
    renameKey(withPair, "args");
    log.change(withPair, `${path}.with`, "'with' → 'args'");
    return;
  }
  const withMap = withPair.value;
  const argsMap = argsPair.value;
  if (!isMap(withMap) || !isMap(argsMap)) {
    log.unconverted(withPair, `${path}.with`, "'with' beside 'args' and one is not a mapping; left in place");
    return;
  }
  const argKeys = new Set(keysOf(argsMap));
  const overlap = keysOf(withMap).filter((key) => argKeys.has(key));
  if (overlap.length > 0) {
    log.unconverted(
      withPair,
      `${path}.with`,
      `'with' and 'args' both set ${overlap.join(", ")}; left in place`,
    );
    return;
  }
  argsMap.items.push(...withMap.items);
  removeKey(holder, "with");
  log.change(withPair, `${path}.with`, "'with' merged into 'args'");
}
