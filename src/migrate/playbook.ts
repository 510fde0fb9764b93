import { isMap, isSeq, LineCounter, parseDocument, type YAMLMap } from "yaml";
import { MigrationLog } from "./log.ts";
import { indexOfKey, insertPair, newMap, pairOf, quoted, removeKey, stringOf } from "./nodes.ts";
import { convertStep, convertWorkbookEntry } from "./step.ts";
import type { MigrateOptions, MigrationNote, MigrationResult } from "./types.ts";

const V1 = "noetl.io/v1";
const V2 = "noetl.io/v2";
/** The oldest v1 header wrote these at the top level instead of under `metadata`. */
const HEADER_KEYS = ["name", "path", "version", "description"];

/**
 * Converts a v1 playbook to v2, keeping comments and key order (the yaml library's document API edits the
 * parsed document in place). A v2 playbook, or a document that is not a v1 playbook, is returned unchanged.
 */
export function migratePlaybook(text: string, _opts: MigrateOptions = {}): MigrationResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, keepSourceTokens: false });
  const log = new MigrationLog(lineCounter);
  const unchanged = (notes: MigrationNote[]): MigrationResult => ({
    yaml: text,
    changed: false,
    changes: [],
    unconverted: notes,
  });
  if (doc.errors.length > 0) {
    const notes = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { line, column: col, path: "", message: `YAML syntax: ${error.message.split("\n")[0]}` };
    });
    return unchanged(notes);
  }
  const root = doc.contents;
  if (!isMap(root))
    return unchanged([
      { line: 1, column: 1, path: "", message: "not a playbook: the document is not a mapping" },
    ]);
  const apiPair = pairOf(root, "apiVersion");
  const apiVersion = stringOf(apiPair?.value);
  if (apiVersion === V2) return unchanged([]);
  if (apiPair && apiVersion !== V1) {
    log.unconverted(
      apiPair,
      "apiVersion",
      `apiVersion ${JSON.stringify(apiVersion ?? null)} is not ${V1}; nothing converted`,
    );
    return unchanged(log.unconvertedItems);
  }

  convertHeader(root, log);
  convertWorkbook(root, log);
  convertWorkflow(root, log);
  const yaml = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  return { yaml, changed: true, changes: log.changes, unconverted: log.unconvertedItems };
}

function convertHeader(root: YAMLMap, log: MigrationLog): void {
  const apiPair = pairOf(root, "apiVersion");
  if (apiPair) {
    apiPair.value = V2;
    log.change(apiPair, "apiVersion", `apiVersion: ${V1} → ${V2}`);
  } else {
    insertPair(root, 0, "apiVersion", V2);
    log.change(root, "apiVersion", `no apiVersion: added apiVersion: ${V2}`);
  }
  const kindPair = pairOf(root, "kind");
  if (!kindPair) {
    insertPair(root, indexOfKey(root, "apiVersion") + 1, "kind", "Playbook");
    log.change(root, "kind", "no kind: added kind: Playbook");
  } else if (stringOf(kindPair.value) !== "Playbook") {
    log.unconverted(
      kindPair,
      "kind",
      `kind ${JSON.stringify(stringOf(kindPair.value) ?? null)} is not Playbook`,
    );
  }
  moveHeaderIntoMetadata(root, log);
}

function moveHeaderIntoMetadata(root: YAMLMap, log: MigrationLog): void {
  const loose = HEADER_KEYS.map((key) => pairOf(root, key)).filter((pair) => pair !== undefined);
  if (loose.length === 0) return;
  let metadataPair = pairOf(root, "metadata");
  if (!metadataPair) {
    const at = Math.min(...loose.map((pair) => root.items.indexOf(pair)));
    metadataPair = insertPair(root, at, "metadata", newMap([]));
  }
  const metadata = metadataPair.value;
  if (!isMap(metadata)) return;
  for (const pair of loose) {
    const key = stringOf(pair.key) ?? "";
    if (pairOf(metadata, key)) {
      log.unconverted(pair, key, `top-level '${key}' and metadata.${key} both exist; left in place`);
      continue;
    }
    removeKey(root, key);
    metadata.items.push(pair);
    log.change(pair, key, `top-level '${key}' → metadata.${key}`);
  }
}

function convertWorkbook(root: YAMLMap, log: MigrationLog): void {
  const workbook = pairOf(root, "workbook")?.value;
  if (!isSeq(workbook)) return;
  workbook.items.forEach((entry, index) => {
    if (isMap(entry)) convertWorkbookEntry(entry, `workbook[${index}]`, log);
  });
}

function convertWorkflow(root: YAMLMap, log: MigrationLog): void {
  const workflowPair = pairOf(root, "workflow");
  const workflow = workflowPair?.value;
  if (!isSeq(workflow)) return;
  workflow.items.forEach((step, index) => {
    if (isMap(step)) convertStep(step, `workflow[${index}]`, log);
  });
  const names = workflow.items.map((step) =>
    isMap(step) ? stringOf(pairOf(step, "step")?.value) : undefined,
  );
  const first = names[0];
  if (names.includes("start") || first === undefined) return;
  const start = newMap([
    ["step", "start"],
    ["desc", quoted(`Added by noetl migrate: leads to the first v1 step, '${first}'`)],
    ["tool", newMap([["kind", "noop"]], true)],
    ["next", first],
  ]);
  start.commentBefore = " added by noetl migrate: every v2 workflow starts at a step named 'start'";
  workflow.items.unshift(start);
  log.change(workflowPair, "workflow", `no 'start' step: added 'start' (tool noop) leading to '${first}'`);
}
