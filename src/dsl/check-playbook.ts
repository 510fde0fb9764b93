import { checkKeychainAndAuth } from "./auth-names.ts";
import { checkRecord } from "./check-actions.ts";
import { checkStep } from "./check-step.ts";
import { checkTool } from "./check-tool.ts";
import { type Checker, isObject, misspelt } from "./checker.ts";
import { API_VERSION, record } from "./definitions.ts";
import { isContextName, isIdentifier } from "./names.ts";
import type { JsonObject, JsonValue } from "./types.ts";

/** Checks the whole document structure; every problem goes to `checker`. */
export function checkPlaybook(checker: Checker, doc: JsonValue): void {
  if (!isObject(doc)) {
    checker.error([], "a playbook must be a YAML mapping (apiVersion, kind, metadata, workflow)");
    return;
  }
  // A required key that is absent because it is misspelt (`workfow:`) is reported once, as the unknown key
  // with its suggestion, not also as missing.
  const typos = misspelt(doc, record("playbook"));
  checkHeader(checker, doc, typos);
  const workbookNames = checkWorkbook(checker, doc.workbook);
  if (!typos.has("workflow")) checkWorkflow(checker, doc, workbookNames);
  checkKeychainAndAuth(checker, doc);
}

function checkHeader(checker: Checker, doc: JsonObject, typos: ReadonlySet<string>): void {
  const def = record("playbook");
  checker.checkKeys(doc, def, [], "", "playbook", ["apiVersion", "kind", "metadata", "workflow"]);
  if (doc.apiVersion !== API_VERSION && !typos.has("apiVersion")) {
    const written = doc.apiVersion === undefined ? "(missing)" : String(doc.apiVersion);
    checker.error(
      ["apiVersion"],
      `Invalid apiVersion: ${written}. v2 playbooks must use 'apiVersion: noetl.io/v2'`,
    );
  }
  if (doc.kind !== "Playbook" && !typos.has("kind")) checker.error(["kind"], "kind must be 'Playbook'");
  if (doc.metadata === undefined || doc.metadata === null) {
    if (!typos.has("metadata")) checker.error(["metadata"], "missing 'metadata' (with a 'name')");
  } else checkRecord(checker, doc.metadata, "metadata", ["metadata"], "");
  checker.checkShape(doc.workload ?? undefined, def.fields.workload!.shape, ["workload"], "");
  if (doc.keychain !== undefined && doc.keychain !== null) {
    if (!Array.isArray(doc.keychain)) checker.error(["keychain"], "'keychain' must be a list of {name, ...}");
    else
      doc.keychain.forEach((entry, i) => {
        checkRecord(checker, entry, "keychainEntry", ["keychain", i], "");
      });
  }
}

/** Checks the workbook entries and returns their names. */
function checkWorkbook(checker: Checker, workbook: JsonValue | undefined): Set<string> {
  const names = new Set<string>();
  if (workbook === undefined || workbook === null) return names;
  if (!Array.isArray(workbook)) {
    checker.error(["workbook"], "'workbook' must be a list of {name, tool, args}");
    return names;
  }
  for (const entry of workbook) {
    if (isObject(entry) && typeof entry.name === "string") names.add(entry.name);
  }
  const seen = new Set<string>();
  workbook.forEach((entry, i) => {
    const path = ["workbook", i];
    if (!checkRecord(checker, entry, "workbookEntry", path, "", ["tool"])) return;
    const owner = typeof entry.name === "string" ? `Workbook entry '${entry.name}': ` : `workbook[${i}]: `;
    if (typeof entry.name === "string") {
      if (seen.has(entry.name)) checker.error([...path, "name"], `${owner}duplicate workbook entry name`);
      seen.add(entry.name);
    }
    if (entry.tool === undefined || entry.tool === null) checker.error(path, `${owner}Missing 'tool' field`);
    else checkTool(checker, entry.tool, [...path, "tool"], owner, { workbookNames: names });
  });
  return names;
}

function checkWorkflow(checker: Checker, doc: JsonObject, workbookNames: Set<string>): void {
  const workflow = doc.workflow;
  if (workflow === undefined || workflow === null || (Array.isArray(workflow) && workflow.length === 0)) {
    checker.error(["workflow"], "Workflow cannot be empty");
    return;
  }
  if (!Array.isArray(workflow)) {
    checker.error(["workflow"], "'workflow' must be a list of steps");
    return;
  }
  const stepNames = new Set<string>();
  for (const step of workflow) {
    if (isObject(step) && typeof step.step === "string") stepNames.add(step.step);
  }
  if (!stepNames.has("start") && !workflow.some(isMisspeltStart)) {
    checker.error(["workflow"], "Workflow must have a step named 'start'");
  }

  const firstLine = new Map<string, number>();
  workflow.forEach((step, i) => {
    const path = ["workflow", i];
    if (!isObject(step)) {
      checker.error(path, `workflow[${i}] must be a step mapping ({step, tool, ...})`);
      return;
    }
    const name = typeof step.step === "string" ? step.step : undefined;
    const label = name ?? `workflow[${i}]`;
    if (step.step !== undefined || !misspelt(step, record("step")).has("step")) {
      checkStepName(checker, step.step, [...path, "step"], label, firstLine);
    }
    const scope = { stepName: label, stepNames, workbookNames, tool: step.tool, workbook: doc.workbook };
    checkStep(checker, step, path, scope);
  });
}

/** A step whose `step` key is misspelt (`stp: start`): its typo is reported, not a missing `start`. */
function isMisspeltStart(step: JsonValue): boolean {
  if (!isObject(step) || step.step !== undefined || !misspelt(step, record("step")).has("step")) return false;
  return Object.values(step).includes("start");
}

function checkStepName(
  checker: Checker,
  name: JsonValue | undefined,
  path: (string | number)[],
  label: string,
  firstLine: Map<string, number>,
): void {
  const owner = `Step '${label}': `;
  if (name === undefined || name === null) {
    checker.error(path.slice(0, -1), `${owner}missing 'step' field (the step's name)`);
    return;
  }
  if (typeof name !== "string") {
    checker.error(path, `${owner}'step' must be a name`);
    return;
  }
  if (!isIdentifier(name)) {
    checker.error(
      path,
      `${owner}step name must be identifier-like (letters, digits and _, not starting with a digit)`,
    );
  } else if (isContextName(name)) {
    checker.error(path, `${owner}step name shadows the context name '${name}'`);
  }
  const line = checker.source.locate(path).line;
  const first = firstLine.get(name);
  if (first !== undefined)
    checker.error(path, `${owner}duplicate step name (first defined on line ${first})`);
  else firstLine.set(name, line);
}
