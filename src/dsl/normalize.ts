import { isObject } from "./checker.ts";
import type {
  Actions,
  CaseRule,
  CollectAction,
  JsonObject,
  JsonValue,
  KeychainEntry,
  Loop,
  Playbook,
  PlaybookMetadata,
  ResultAction,
  SinkAction,
  Step,
  ToolConfig,
  Transition,
  WorkbookEntry,
} from "./types.ts";

/**
 * Turns a validated document into the one shape the engine reads (types.ts documents each rule).
 * Only step-level structure is normalised; tool fields stay as written, except the `workbook` tool's
 * DSL aliases (`task` → `name`, `with` → `args`). A YAML `null` for an optional key means "absent".
 */
export function normalizePlaybook(doc: JsonObject): Playbook {
  const metadata = doc.metadata as JsonObject;
  return {
    apiVersion: "noetl.io/v2",
    kind: "Playbook",
    metadata: normalizeMetadata(metadata),
    workload: (present(doc.workload) as JsonObject | undefined) ?? {},
    keychain: ((present(doc.keychain) as JsonValue[] | undefined) ?? []) as KeychainEntry[],
    workbook: ((present(doc.workbook) as JsonObject[] | undefined) ?? []).map(normalizeWorkbookEntry),
    workflow: (doc.workflow as JsonObject[]).map(normalizeStep),
  };
}

function present(value: JsonValue | undefined): JsonValue | undefined {
  return value === null ? undefined : value;
}

function normalizeMetadata(metadata: JsonObject): PlaybookMetadata {
  const out: PlaybookMetadata = { ...withoutNulls(metadata), name: metadata.name as string, path: "" };
  out.path = typeof metadata.path === "string" ? metadata.path : out.name;
  if (typeof metadata.version === "number") out.version = String(metadata.version);
  return out;
}

function withoutNulls(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null));
}

function normalizeWorkbookEntry(entry: JsonObject): WorkbookEntry {
  const out: WorkbookEntry = { name: entry.name as string, tool: normalizeTool(entry.tool as JsonObject) };
  if (isObject(entry.args)) out.args = entry.args;
  if (typeof entry.desc === "string") Object.assign(out, { desc: entry.desc });
  return out;
}

export function normalizeTool(tool: JsonObject): ToolConfig {
  if (tool.kind !== "workbook") return tool as ToolConfig;
  const { task, with: withArgs, ...rest } = tool;
  const out = { ...rest } as ToolConfig;
  if (out.name === undefined && task !== undefined) out.name = task;
  if (out.args === undefined && withArgs !== undefined) out.args = withArgs;
  return out;
}

function normalizeStep(raw: JsonObject): Step {
  const step: Step = { step: raw.step as string, tool: normalizeTool(raw.tool as JsonObject) };
  if (typeof raw.desc === "string") step.desc = raw.desc;
  if (isObject(raw.args)) step.args = raw.args;
  if (isObject(raw.loop)) step.loop = normalizeLoop(raw.loop);
  if (Array.isArray(raw.case)) step.case = raw.case.map((rule) => normalizeRule(rule as JsonObject));
  const next = present(raw.next);
  if (next !== undefined) step.next = normalizeNext(next);
  if (isObject(raw.vars)) step.vars = raw.vars;
  if (typeof raw.max_calls === "number") step.max_calls = raw.max_calls;
  return step;
}

function normalizeLoop(raw: JsonObject): Loop {
  const loop: Loop = {
    in: raw.in as string | JsonValue[],
    iterator: raw.iterator as string,
    mode: raw.mode === "parallel" ? "parallel" : "sequential",
  };
  if (typeof raw.max_in_flight === "number") loop.max_in_flight = raw.max_in_flight;
  return loop;
}

/** A name, a list of names or {step, args}, or one {step, args}. */
export function normalizeNext(next: JsonValue): Transition[] {
  const items = Array.isArray(next) ? next : [next];
  return items.map((item) => {
    if (typeof item === "string") return { step: item };
    const transition = item as JsonObject;
    const out: Transition = { step: transition.step as string };
    if (isObject(transition.args)) out.args = transition.args;
    return out;
  });
}

function normalizeRule(rule: JsonObject): CaseRule {
  const when = typeof rule.when === "boolean" ? String(rule.when) : (rule.when as string);
  const then = Array.isArray(rule.then) ? rule.then : [rule.then];
  // biome-ignore lint/suspicious/noThenProperty: `then` is a key of the playbook language
  return { when, then: then.map((actions) => normalizeActions(actions as JsonObject)) };
}

function normalizeActions(raw: JsonObject): Actions {
  const actions: Actions = {};
  if (isObject(raw.set)) actions.set = flattenSet(raw.set);
  if (isObject(raw.collect)) actions.collect = normalizeCollect(raw.collect);
  if (raw.result !== undefined) actions.result = normalizeResult(raw.result);
  if (isObject(raw.sink)) actions.sink = normalizeSink(raw.sink);
  if (isObject(raw.call)) actions.call = raw.call;
  if (isObject(raw.retry)) actions.retry = raw.retry;
  if (raw.next !== undefined && raw.next !== null) actions.next = normalizeNext(raw.next);
  if (raw.fail !== undefined) {
    actions.fail =
      typeof raw.fail === "string"
        ? { message: raw.fail }
        : { message: (raw.fail as JsonObject).message as string };
  }
  if (raw.skip !== undefined) actions.skip = normalizeSkip(raw.skip);
  return actions;
}

/** `{ctx: {a: 1}}` and `{vars: {a: 1}}` mean `{a: 1}`; other keys are kept beside them. */
function flattenSet(set: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(set)) {
    if ((key === "ctx" || key === "vars") && isObject(value)) Object.assign(out, value);
    else out[key] = value;
  }
  return out;
}

function normalizeCollect(raw: JsonObject): CollectAction {
  const mode = raw.mode === "extend" || raw.mode === "replace" ? raw.mode : "append";
  return { from: raw.from as string, into: raw.into as string, mode };
}

/** `{from: expr}` (exactly that one key, a string) reads an expression; anything else is a value. */
export function normalizeResult(raw: JsonValue): ResultAction {
  if (isObject(raw) && Object.keys(raw).length === 1 && typeof raw.from === "string")
    return { from: raw.from };
  return { value: raw };
}

function normalizeSink(raw: JsonObject): SinkAction {
  const sink: SinkAction = { tool: normalizeTool(raw.tool as JsonObject) };
  if (isObject(raw.args)) sink.args = raw.args;
  return sink;
}

function normalizeSkip(raw: JsonValue): { reason?: string } {
  if (typeof raw === "string") return { reason: raw };
  if (isObject(raw) && typeof raw.reason === "string") return { reason: raw.reason };
  return {};
}
