import { isObject } from "./checker.ts";
import type { Path } from "./path.ts";
import type { JsonObject, JsonValue } from "./types.ts";

/** One string the engine will render or evaluate, with what is in scope where it is used. */
export interface TemplateSite {
  path: Path;
  source: string;
  /** `when`, `collect.from`, `result.from`: a bare expression or a template. */
  expression: boolean;
  /** The step whose run renders it; undefined for workbook entries and keychain. */
  step?: string;
  /** Loop iterators visible here. */
  iterators: readonly string[];
  /** Whether the names it reads are checked (not for keychain entries, whose context is the worker's). */
  checkNames: boolean;
}

/** A string the engine renders: it contains a template tag. */
export function isTemplate(text: string): boolean {
  return text.includes("{{") || text.includes("{%") || text.includes("{#");
}

/**
 * Every template and expression of the document. `workload` and `metadata` are data (never rendered) and
 * python `code` is never rendered (DSL §5), so they are not listed.
 */
export function collectTemplateSites(doc: JsonObject): TemplateSite[] {
  const sites: TemplateSite[] = [];
  const iterators: string[] = [];
  const workflow = Array.isArray(doc.workflow) ? doc.workflow : [];
  for (const step of workflow) {
    if (isObject(step) && isObject(step.loop) && typeof step.loop.iterator === "string") {
      iterators.push(step.loop.iterator);
    }
  }
  workflow.forEach((step, i) => {
    if (!isObject(step)) return;
    const scope: Scope = {
      sites,
      checkNames: true,
      step: typeof step.step === "string" ? step.step : undefined,
      iterators: isObject(step.loop) && typeof step.loop.iterator === "string" ? [step.loop.iterator] : [],
    };
    collectStep(scope, step, ["workflow", i]);
  });
  // A workbook entry runs inside whichever step calls it, so any loop iterator may be visible.
  const workbookScope: Scope = { sites, checkNames: true, step: undefined, iterators };
  if (Array.isArray(doc.workbook)) {
    doc.workbook.forEach((entry, i) => {
      if (!isObject(entry)) return;
      collectTool(workbookScope, entry.tool, ["workbook", i, "tool"]);
      collectStrings(workbookScope, entry.args, ["workbook", i, "args"]);
    });
  }
  collectStrings({ sites, checkNames: false, step: undefined, iterators }, doc.keychain, ["keychain"]);
  return sites;
}

interface Scope {
  sites: TemplateSite[];
  checkNames: boolean;
  step: string | undefined;
  iterators: readonly string[];
}

function add(scope: Scope, source: string, path: Path, expression: boolean): void {
  const site: TemplateSite = {
    path,
    source,
    expression,
    iterators: scope.iterators,
    checkNames: scope.checkNames,
  };
  if (scope.step !== undefined) site.step = scope.step;
  scope.sites.push(site);
}

function collectStep(scope: Scope, step: JsonObject, path: Path): void {
  collectTool(scope, step.tool, [...path, "tool"]);
  collectStrings(scope, step.args, [...path, "args"]);
  collectStrings(scope, step.vars, [...path, "vars"]);
  if (isObject(step.loop)) collectStrings(scope, step.loop.in, [...path, "loop", "in"]);
  collectNext(scope, step.next, [...path, "next"]);
  if (!Array.isArray(step.case)) return;
  step.case.forEach((rule, j) => {
    if (!isObject(rule)) return;
    const at = [...path, "case", j];
    if (typeof rule.when === "string") add(scope, rule.when, [...at, "when"], true);
    if (Array.isArray(rule.then)) {
      rule.then.forEach((actions, k) => {
        collectActions(scope, actions, [...at, "then", k]);
      });
    } else {
      collectActions(scope, rule.then, [...at, "then"]);
    }
  });
}

function collectActions(scope: Scope, actions: JsonValue | undefined, path: Path): void {
  if (!isObject(actions)) return;
  collectStrings(scope, actions.set, [...path, "set"]);
  const { collect, result, sink, call } = actions;
  if (isObject(collect) && typeof collect.from === "string")
    add(scope, collect.from, [...path, "collect", "from"], true);
  if (isObject(result) && Object.keys(result).length === 1 && typeof result.from === "string") {
    add(scope, result.from, [...path, "result", "from"], true);
  } else {
    collectStrings(scope, result, [...path, "result"]);
  }
  if (isObject(sink)) {
    collectTool(scope, sink.tool, [...path, "sink", "tool"]);
    collectStrings(scope, sink.args, [...path, "sink", "args"]);
  }
  if (isObject(call)) {
    for (const [key, value] of Object.entries(call)) {
      if (key !== "step") collectStrings(scope, value, [...path, "call", key]);
    }
  }
  collectNext(scope, actions.next, [...path, "next"]);
  collectStrings(scope, actions.fail, [...path, "fail"]);
  collectStrings(scope, actions.skip, [...path, "skip"]);
}

/** Only transition `args` are rendered; targets are plain names. */
function collectNext(scope: Scope, next: JsonValue | undefined, path: Path): void {
  const items = Array.isArray(next) ? next : [next];
  items.forEach((item, i) => {
    if (!isObject(item)) return;
    const at = Array.isArray(next) ? [...path, i] : path;
    collectStrings(scope, item.args, [...at, "args"]);
  });
}

function collectTool(scope: Scope, tool: JsonValue | undefined, path: Path): void {
  if (!isObject(tool)) return;
  for (const [key, value] of Object.entries(tool)) {
    if (key === "code" && tool.kind === "python") continue;
    collectStrings(scope, value, [...path, key]);
  }
}

function collectStrings(scope: Scope, value: JsonValue | undefined, path: Path): void {
  if (typeof value === "string") {
    if (isTemplate(value)) add(scope, value, path, false);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      collectStrings(scope, item, [...path, i]);
    });
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) collectStrings(scope, item, [...path, key]);
  }
}
