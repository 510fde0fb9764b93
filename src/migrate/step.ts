import type { YAMLMap } from "yaml";
import { RECORDS } from "../dsl/definitions.ts";
import { convertWith } from "./args.ts";
import { convertFlow } from "./flow.ts";
import { convertIterator } from "./iterator.ts";
import type { MigrationLog } from "./log.ts";
import { convertLoop } from "./loop.ts";
import { keyOf } from "./nodes.ts";
import { convertTool } from "./tool.ts";

/** The keys of a v2 step (DSL §2), from the validator's own table. */
const V2_STEP_KEYS: ReadonlySet<string> = new Set(Object.keys(RECORDS.step!.fields));
/**
 * v1 keys of the step itself, not of its tool: they are converted (`with`, `sink`) or reported, never moved
 * under `tool`. Every other unknown key was a tool field in v1, written flat beside `tool:`/`type:`.
 */
const V1_STEP_KEYS: ReadonlySet<string> = new Set([
  "with",
  "sink",
  "save",
  "retry",
  "result",
  "when",
  "description",
  "spec",
  // A YAML merge key: what it merges lives in an anchor elsewhere, so it cannot be split between step and tool.
  "<<",
]);
export const STEP_OWN_KEYS: ReadonlySet<string> = new Set([...V2_STEP_KEYS, ...V1_STEP_KEYS]);

const WORKBOOK_OWN_KEYS: ReadonlySet<string> = new Set(["name", "desc", "args", "tool", ...V1_STEP_KEYS]);
const V2_WORKBOOK_KEYS: ReadonlySet<string> = new Set(["name", "desc", "args", "tool"]);

export function convertStep(step: YAMLMap, path: string, log: MigrationLog): void {
  const outcome = convertTool(step, STEP_OWN_KEYS, path, log);
  if (outcome === "iterator") convertIterator(step, path, log);
  convertWith(step, path, log);
  convertLoop(step, path, log);
  convertFlow(step, path, log);
  reportLeftovers(step, V2_STEP_KEYS, path, log);
}

export function convertWorkbookEntry(entry: YAMLMap, path: string, log: MigrationLog): void {
  const outcome = convertTool(entry, WORKBOOK_OWN_KEYS, path, log);
  if (outcome === "iterator")
    log.unconverted(entry, `${path}.tool`, "an iterator in a workbook entry has no v2 form");
  convertWith(entry, path, log);
  reportLeftovers(entry, V2_WORKBOOK_KEYS, path, log);
}

/** Whatever is still not v2 stays as written and is named, so nothing disappears silently. */
function reportLeftovers(
  holder: YAMLMap,
  v2Keys: ReadonlySet<string>,
  path: string,
  log: MigrationLog,
): void {
  for (const pair of holder.items) {
    const key = keyOf(pair) ?? "?";
    if (!v2Keys.has(key))
      log.unconverted(pair, `${path}.${key}`, `'${key}' has no v2 form here; left in place`);
  }
}
