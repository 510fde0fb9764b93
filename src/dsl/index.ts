/** The playbook language: parse, normalise, validate, describe (JSON Schema), write back. */
export { parseCount } from "./analyse.ts";
export {
  type AuthSite,
  authSites,
  keychainNames,
  type LocatedAuthName,
  locateAuthNames,
  playbookAuthNames,
} from "./auth-names.ts";
export { cacheKey } from "./cache.ts";
export { ACTION_NAMES, API_VERSION, COLLECT_MODES, LOOP_MODES } from "./definitions.ts";
export { formatIssue, PlaybookInvalidError } from "./errors.ts";
export { CONTEXT_NAMES } from "./names.ts";
export { clearParseCache, parsePlaybook, parsePlaybookFile, validate } from "./parse.ts";
export { formatPath } from "./path.ts";
export { playbookSchema } from "./schema.ts";
export { toYaml } from "./to-yaml.ts";
export { toolKinds } from "./tool-configs.ts";
export { TOOL_KINDS, type ToolKind } from "./tool-definitions.ts";
export type * from "./types.ts";
