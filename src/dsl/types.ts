/**
 * The playbook as the rest of NoETL sees it: what `parsePlaybook` returns after validation.
 *
 * Glossary
 * - playbook: a YAML document (apiVersion noetl.io/v2, kind Playbook) describing a workflow.
 * - step: one entry of `workflow`; calls one tool, possibly once per loop item or page.
 * - workbook entry: a reusable named tool config that a `workbook` tool call runs.
 *
 * The parser normalises the shorthand forms the language allows (documented per field), so the engine
 * deals with one shape only. `toYaml` writes this normalised shape, which parses back to an equal value.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Playbook {
  apiVersion: "noetl.io/v2";
  kind: "Playbook";
  metadata: PlaybookMetadata;
  /** Default inputs; the execution payload is deep-merged over it. `{}` when absent. */
  workload: JsonObject;
  /** Credentials the playbook declares it needs. `[]` when absent. */
  keychain: KeychainEntry[];
  /** Reusable tasks. `[]` when absent. */
  workbook: WorkbookEntry[];
  /** Non-empty; exactly one step is named `start`. */
  workflow: Step[];
}

export interface PlaybookMetadata {
  name: string;
  /** Catalog path; defaults to `name`. */
  path: string;
  version?: string;
  description?: string;
  /** Free-form extras (labels, ...). */
  [key: string]: JsonValue | undefined;
}

export interface KeychainEntry {
  name: string;
  [key: string]: JsonValue;
}

export interface WorkbookEntry {
  name: string;
  tool: ToolConfig;
  args?: JsonObject;
}

/** A tool's configuration exactly as written, templates unrendered. */
export interface ToolConfig {
  kind: string;
  [field: string]: JsonValue;
}

export interface Step {
  step: string;
  desc?: string;
  args?: JsonObject;
  loop?: Loop;
  tool: ToolConfig;
  case?: CaseRule[];
  /** Structural successors. Written as a name, a list of names, or a list of {step, args}. */
  next?: Transition[];
  vars?: JsonObject;
  max_calls?: number;
}

export interface Loop {
  /** A template rendering to a list, or a literal list. */
  in: string | JsonValue[];
  iterator: string;
  /** Default `sequential`. */
  mode: "sequential" | "parallel";
  /** Parallel only; absent means unbounded. */
  max_in_flight?: number;
}

export interface Transition {
  step: string;
  args?: JsonObject;
}

export interface CaseRule {
  /** A template (`"{{ expr }}"`) or a bare expression; YAML booleans are normalised to "true"/"false". */
  when: string;
  /** Written as one action map or a list of them; always a list here, in written order. */
  then: Actions[];
}

/**
 * One action map. Whatever order actions are written in, the engine runs them in this order:
 * set → collect → result → sink → call | retry → next → fail | skip.
 */
export interface Actions {
  /** ctx names → values (templates). `{ctx: {...}}` and `{vars: {...}}` are flattened into this. */
  set?: JsonObject;
  collect?: CollectAction;
  result?: ResultAction;
  sink?: SinkAction;
  /** Tool-config overrides for a re-invocation of this step, or `{step, args}` to invoke another step. */
  call?: JsonObject;
  retry?: RetryAction;
  next?: Transition[];
  /** `fail: "message"` is normalised to `{message}`. */
  fail?: { message: string };
  /** `skip: "reason"` or `skip: true` is normalised to `{reason?}`. */
  skip?: { reason?: string };
}

export interface CollectAction {
  /** A bare expression (or a `{{ }}` template). */
  from: string;
  into: string;
  /** Default `append`. */
  mode: "append" | "extend" | "replace";
}

/** `result: {from: expr}` reads an expression; any other value (template or literal) is rendered. */
export type ResultAction = { from: string } | { value: JsonValue };

export interface SinkAction {
  tool: ToolConfig;
  args?: JsonObject;
}

/** Defaults (applied by the engine): max_attempts 3, initial_delay 1 s, backoff_multiplier 2, max_delay 60 s. */
export interface RetryAction {
  max_attempts?: number;
  initial_delay?: number;
  backoff_multiplier?: number;
  max_delay?: number;
}

/** One problem found while parsing or validating a playbook. */
export interface ValidationIssue {
  file?: string;
  /** 1-based; 0 when the problem has no position (e.g. empty document). */
  line: number;
  column: number;
  /** e.g. `workflow[1].case[0].then.next[0].step`; `` for the document root. */
  path: string;
  message: string;
}
