import type { RecordDef, Shape } from "./shapes.ts";
import {
  any,
  boolean,
  enumOf,
  identifier,
  listOf,
  nonNegativeNumber,
  object,
  oneOf,
  positiveInteger,
  positiveNumber,
  ref,
  string,
} from "./shapes.ts";
import { TOOL_KINDS } from "./tool-definitions.ts";

/**
 * The language, as tables: every key of every structure with its shape and description. The validator
 * reads these for known keys, required keys, enums and value types; schema.ts turns them into JSON Schema.
 */

export const API_VERSION = "noetl.io/v2";
export const LOOP_MODES = Object.freeze(["sequential", "parallel"] as const);
export const COLLECT_MODES = Object.freeze(["append", "extend", "replace"] as const);
/** The order in which the engine runs the actions of one fired `then`, whatever the written order. */
export const ACTION_NAMES = Object.freeze([
  "set",
  "collect",
  "result",
  "sink",
  "call",
  "retry",
  "next",
  "fail",
  "skip",
] as const);
export type ActionName = (typeof ACTION_NAMES)[number];

/** `next` (on a step or in `then`): a name, a list of names or {step, args}, or one {step, args}. */
export const NEXT_SHAPE: Shape = oneOf(string, ref("transition"), listOf(oneOf(string, ref("transition"))));
const templateOrList: Shape = oneOf(string, listOf(any));

export const RECORDS: Readonly<Record<string, RecordDef>> = {
  playbook: {
    description: "A NoETL playbook (DSL v2).",
    fields: {
      apiVersion: { shape: enumOf([API_VERSION]), description: "Always `noetl.io/v2`.", required: true },
      kind: { shape: enumOf(["Playbook"]), description: "Always `Playbook`.", required: true },
      metadata: { shape: ref("metadata"), description: "Name, catalog path, version.", required: true },
      workload: {
        shape: object,
        description: "Default inputs; the execution payload is deep-merged over it.",
      },
      keychain: { shape: listOf(ref("keychainEntry")), description: "Credentials the playbook needs." },
      workbook: { shape: listOf(ref("workbookEntry")), description: "Reusable named tasks." },
      workflow: {
        shape: listOf(ref("step")),
        description: "The steps; one must be named `start`.",
        required: true,
      },
    },
  },
  metadata: {
    description: "Identity of the playbook; other keys (labels, ...) are free-form.",
    fields: {
      name: { shape: string, description: "Name of the playbook.", required: true },
      path: { shape: string, description: "Catalog path (defaults to name)." },
      version: { shape: oneOf(string, { type: "positiveNumber" }), description: "Free-form version label." },
      description: { shape: string, description: "What the playbook does." },
    },
    open: true,
  },
  keychainEntry: {
    description: "A credential the playbook needs.",
    fields: { name: { shape: string, description: "Credential name.", required: true } },
    open: true,
  },
  workbookEntry: {
    description: "A reusable task, run by a `workbook` tool.",
    fields: {
      name: { shape: identifier, description: "Name the `workbook` tool refers to.", required: true },
      desc: { shape: string, description: "What the task does." },
      tool: { shape: ref("tool"), description: "The tool the task runs.", required: true },
      args: { shape: object, description: "Default inputs of the task." },
    },
  },
  step: {
    description: "One step of the workflow: calls one tool, possibly once per loop item or page.",
    fields: {
      step: {
        shape: identifier,
        description: "Unique step name; templates read its result as `<name>`.",
        required: true,
      },
      desc: { shape: string, description: "What the step does." },
      args: { shape: object, description: "Static inputs of the step (templates allowed)." },
      loop: { shape: ref("loop"), description: "Run the tool once per item." },
      tool: { shape: ref("tool"), description: "What the worker executes.", required: true },
      case: {
        shape: listOf(ref("caseRule")),
        description: "Rules evaluated on the step's events; the first whose `when` is true fires.",
      },
      next: {
        shape: NEXT_SHAPE,
        description: "Structural successors, used when no rule fired a transition.",
      },
      vars: { shape: object, description: "Rendered after step.exit (with `result`) and stored into ctx." },
      max_calls: {
        shape: positiveInteger,
        description: "Bound on `call` re-invocations of one step run (default 1000).",
      },
    },
  },
  loop: {
    description: "Run the step's tool once per item.",
    fields: {
      in: {
        shape: templateOrList,
        description: "A template rendering to a list, or a literal list.",
        required: true,
      },
      iterator: { shape: identifier, description: "Name of the current item in templates.", required: true },
      mode: { shape: enumOf(LOOP_MODES), description: "sequential (default) or parallel." },
      max_in_flight: {
        shape: positiveInteger,
        description: "Parallel only: at most this many items at once.",
      },
    },
  },
  tool: {
    description: "A tool configuration; fields depend on `kind`.",
    fields: { kind: { shape: enumOf(TOOL_KINDS), description: "The tool kind.", required: true } },
    open: true,
  },
  caseRule: {
    description: "A rule: when the condition holds on an event, run the actions.",
    fields: {
      when: {
        shape: oneOf(string, boolean),
        description: 'A template ("{{ expr }}") or bare expression, evaluated on each event.',
        required: true,
      },
      // biome-ignore lint/suspicious/noThenProperty: `then` is a key of the playbook language
      then: {
        shape: oneOf(ref("actions"), listOf(ref("actions"))),
        description: "One action map, or a list of them.",
        required: true,
      },
    },
  },
  actions: {
    description: "Actions, run in the order set, collect, result, sink, call|retry, next, fail|skip.",
    fields: {
      set: { shape: object, description: "ctx names to values: {ctx: {k: v}} or {k: v}." },
      collect: { shape: ref("collect"), description: "Accumulate values into a ctx list." },
      result: { shape: any, description: "{from: expr}, or any value/template: the step run's result." },
      sink: { shape: ref("sink"), description: "Write with another tool; a `next` waits for it." },
      call: {
        shape: ref("call"),
        description: "Re-invoke this step's tool with overrides, or {step, args}.",
      },
      retry: { shape: ref("retry"), description: "Re-issue the failed call with backoff." },
      next: { shape: NEXT_SHAPE, description: "Start these steps when this step run completes." },
      fail: { shape: oneOf(string, ref("fail")), description: "Fail the execution with a message." },
      skip: { shape: oneOf(boolean, string, ref("skip")), description: "Ignore the current call's error." },
    },
  },
  transition: {
    description: "A transition to a step, with inputs merged over the target's args.",
    fields: {
      step: { shape: identifier, description: "Target step.", required: true },
      args: { shape: object, description: "Rendered now, merged over the target's static args." },
    },
  },
  collect: {
    description: "Evaluate `from` and add it to ctx[into].",
    fields: {
      from: { shape: string, description: "A bare expression (or template).", required: true },
      into: { shape: identifier, description: "The ctx name to accumulate into.", required: true },
      mode: { shape: enumOf(COLLECT_MODES), description: "append (default), extend or replace." },
    },
  },
  sink: {
    description: "Run a tool as a write for this step.",
    fields: {
      tool: { shape: ref("tool"), description: "The tool to run.", required: true },
      args: { shape: object, description: "Inputs of the sink's tool." },
    },
  },
  call: {
    description: "Overrides deep-merged into this step's tool config (pagination), or {step, args}.",
    fields: {
      step: { shape: identifier, description: "Invoke this step instead (like `next`)." },
      args: { shape: object, description: "Inputs for the re-invocation or the invoked step." },
    },
    open: true,
  },
  retry: {
    description: "Backoff: min(max_delay, initial_delay * backoff_multiplier^(attempt-1)) seconds.",
    fields: {
      max_attempts: { shape: positiveInteger, description: "Attempts in total (default 3)." },
      initial_delay: { shape: nonNegativeNumber, description: "Seconds before the first retry (default 1)." },
      backoff_multiplier: { shape: positiveNumber, description: "Delay growth per attempt (default 2)." },
      max_delay: {
        shape: nonNegativeNumber,
        description: "Upper bound of the delay in seconds (default 60).",
      },
    },
  },
  fail: {
    description: "Fail the execution.",
    fields: { message: { shape: string, description: "Why.", required: true } },
  },
  skip: {
    description: "Mark the current call (or loop item) skipped.",
    fields: { reason: { shape: string, description: "Why." } },
  },
};

export function record(name: string): RecordDef {
  const def = RECORDS[name];
  if (!def) throw new Error(`no record definition '${name}'`);
  return def;
}
