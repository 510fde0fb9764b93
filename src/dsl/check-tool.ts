import { type Checker, isObject } from "./checker.ts";
import type { Path } from "./path.ts";
import { didYouMean } from "./suggest.ts";
import { isToolKind, TOOL_DEFS, TOOL_KINDS } from "./tool-definitions.ts";
import type { JsonValue } from "./types.ts";

/** What a tool check needs to know about the rest of the playbook. */
export interface ToolScope {
  workbookNames: ReadonlySet<string>;
}

/**
 * A tool config: `kind` present and known, the kind's required fields present, and a `workbook` tool naming
 * an existing entry. `owner` is the message prefix, e.g. `Step 'fetch': `.
 */
export function checkTool(
  checker: Checker,
  tool: JsonValue,
  path: Path,
  owner: string,
  scope: ToolScope,
): void {
  if (!isObject(tool)) {
    checker.error(path, `${owner}'tool' must be a mapping with a 'kind' field`);
    return;
  }
  const kind = tool.kind;
  if (kind === undefined || kind === null) {
    checker.error(path, `${owner}'tool' must have 'kind' field (e.g., http, postgres, python)`);
    return;
  }
  if (typeof kind !== "string" || !isToolKind(kind)) {
    const hint = typeof kind === "string" ? didYouMean(kind, TOOL_KINDS) : "";
    checker.error(
      [...path, "kind"],
      `${owner}unknown tool kind '${String(kind)}'${hint}; known kinds: ${TOOL_KINDS.join(", ")}`,
    );
    return;
  }
  for (const group of TOOL_DEFS[kind].requireOneOf ?? []) {
    if (group.some((field) => tool[field] !== undefined && tool[field] !== null)) continue;
    const [first, ...aliases] = group;
    const alias = aliases.length > 0 ? ` (or ${aliases.map((a) => `'${a}'`).join(", ")})` : "";
    checker.error(path, `${owner}${kind} tool needs '${first}'${alias}`);
  }
  if (kind === "workbook") checkWorkbookReference(checker, tool, path, owner, scope);
  if (kind === "python" && tool.code !== undefined && typeof tool.code !== "string") {
    checker.error([...path, "code"], `${owner}python 'code' must be a string`);
  }
}

function checkWorkbookReference(
  checker: Checker,
  tool: Record<string, JsonValue>,
  path: Path,
  owner: string,
  scope: ToolScope,
): void {
  if (tool.name !== undefined && tool.task !== undefined) {
    checker.error([...path, "task"], `${owner}workbook tool has both 'name' and its alias 'task'; keep one`);
  }
  if (tool.args !== undefined && tool.with !== undefined) {
    checker.error([...path, "with"], `${owner}workbook tool has both 'args' and its alias 'with'; keep one`);
  }
  const field = tool.name !== undefined ? "name" : "task";
  const name = tool[field];
  if (typeof name !== "string" || name.includes("{{")) return;
  if (!scope.workbookNames.has(name)) {
    const hint = didYouMean(name, scope.workbookNames);
    checker.error([...path, field], `${owner}unknown workbook entry '${name}'${hint}`);
  }
  const args = tool.args ?? tool.with;
  if (args !== undefined && !isObject(args)) {
    checker.error(
      [...path, tool.args !== undefined ? "args" : "with"],
      `${owner}workbook tool args must be a mapping`,
    );
  }
}
