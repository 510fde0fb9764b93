import { isMap, type Pair, type YAMLMap } from "yaml";
import type { MigrationLog } from "./log.ts";
import { indexOfKey, insertPair, keyOf, newMap, pairOf, removeKey, renameKey, stringOf } from "./nodes.ts";

/** The tool kinds of DSL v2 §7. */
export const V2_TOOL_KINDS: ReadonlySet<string> = new Set([
  "http",
  "postgres",
  "duckdb",
  "python",
  "workbook",
  "playbook",
  "noop",
]);

/** v1 "tools" that only route: in v2 they are steps whose tool does nothing. */
const ROUTING_KINDS: ReadonlySet<string> = new Set(["router", "end"]);

export type ToolOutcome = "converted" | "already-v2" | "iterator" | "unconverted";

/**
 * Moves a v1 holder's tool (`type: X` or `tool: X` with the tool's fields beside it) into
 * `tool: {kind: X, ...fields}`. A holder is a step or a workbook entry; `ownKeys` are the keys that
 * belong to the holder itself and stay where they are. The new `tool` takes the place of `type`/`tool`.
 */
export function convertTool(
  holder: YAMLMap,
  ownKeys: ReadonlySet<string>,
  path: string,
  log: MigrationLog,
): ToolOutcome {
  const toolPair = pairOf(holder, "tool");
  const typePair = pairOf(holder, "type");
  if (toolPair && isMap(toolPair.value)) {
    if (typePair)
      log.unconverted(typePair, `${path}.type`, "'type' beside a v2 'tool' mapping; left in place");
    return "already-v2";
  }
  const toolKind = toolPair ? stringOf(toolPair.value) : undefined;
  const typeKind = typePair ? stringOf(typePair.value) : undefined;
  if ((toolPair && toolKind === undefined) || (typePair && typeKind === undefined)) {
    const bad = toolPair && toolKind === undefined ? toolPair : typePair;
    log.unconverted(
      bad,
      `${path}.${keyOf(bad as Pair)}`,
      "the tool is neither a kind name nor a mapping; left in place",
    );
    return "unconverted";
  }
  if (toolKind !== undefined && typeKind !== undefined && toolKind !== typeKind) {
    log.unconverted(
      typePair,
      `${path}.type`,
      `'type: ${typeKind}' contradicts 'tool: ${toolKind}'; left in place`,
    );
    return "unconverted";
  }
  if (toolKind !== undefined && typePair) {
    removeKey(holder, "type");
    log.change(typePair, `${path}.type`, `removed 'type: ${typeKind}', a repeat of 'tool: ${toolKind}'`);
  }
  const kindPair = toolPair ?? typePair;
  const kind = toolKind ?? typeKind;
  if (kind === "iterator") return "iterator";
  const fields = holder.items.filter((pair) => pair !== kindPair && !ownKeys.has(keyOf(pair) ?? ""));
  if (kind === undefined || ROUTING_KINDS.has(kind)) return toNoop(holder, kindPair, kind, fields, path, log);

  for (const field of fields) removeKey(holder, keyOf(field) ?? "");
  const tool = newMap([]);
  tool.items.push(...[kindEntry(kindPair as Pair), ...fields]);
  const written = `${keyOf(kindPair as Pair)}: ${kind}`;
  renameKey(kindPair as Pair, "tool");
  (kindPair as Pair).value = tool;
  const moved = fields.length > 0 ? `; moved ${fields.map((f) => keyOf(f)).join(", ")} under 'tool'` : "";
  log.change(kindPair, `${path}.tool`, `'${written}' → 'tool: {kind: ${kind}}'${moved}`);
  if (!V2_TOOL_KINDS.has(kind)) {
    log.unconverted(kindPair, `${path}.tool.kind`, `tool kind '${kind}' does not exist in v2`);
  }
  return "converted";
}

/** `kind: X`, keeping the scalar node (and the comment written after it). */
function kindEntry(kindPair: Pair): Pair {
  const tool = newMap([["kind", kindPair.value]]);
  return tool.items[0] as Pair;
}

function toNoop(
  holder: YAMLMap,
  kindPair: Pair | undefined,
  kind: string | undefined,
  fields: Pair[],
  path: string,
  log: MigrationLog,
): ToolOutcome {
  const noop = newMap([["kind", "noop"]], true);
  if (kindPair) {
    const written = `${keyOf(kindPair)}: ${kind}`;
    renameKey(kindPair, "tool");
    kindPair.value = noop;
    log.change(kindPair, `${path}.tool`, `'${written}' → 'tool: {kind: noop}' (a routing step)`);
  } else {
    const at = Math.max(indexOfKey(holder, "step"), indexOfKey(holder, "desc")) + 1;
    insertPair(holder, at, "tool", noop);
    log.change(holder, path, "step without a tool → 'tool: {kind: noop}' (a routing step)");
  }
  for (const field of fields) {
    log.unconverted(
      field,
      `${path}.${keyOf(field)}`,
      `'${keyOf(field)}' on a step without a tool; left in place`,
    );
  }
  return "converted";
}
