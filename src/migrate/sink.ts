import { isMap, isScalar, isSeq, type Pair, type YAMLMap } from "yaml";
import type { MigrationLog } from "./log.ts";
import { keyOf, newMap, pairOf, removeKey, stringOf } from "./nodes.ts";

/** What a v1 sink's tool must carry to be a v2 tool of the same meaning (DSL §7). */
const REQUIRED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  postgres: ["command", "query"],
  duckdb: ["command", "query"],
  http: ["endpoint", "url"],
  python: ["code"],
  playbook: ["path"],
  workbook: ["name", "task"],
};
/** v1 keys that chose the sink's tool. `storage` is the oldest spelling. */
const KIND_KEYS = ["tool", "type", "storage"];
/** Keys of a v1 sink that are not tool fields: inputs. */
const ARGS_KEYS = ["args", "with"];

export type SinkPlan =
  | { kind: "none" }
  | { kind: "unconverted" }
  | { kind: "sink"; action: YAMLMap; pair: Pair };

/**
 * Reads a v1 step-level `sink` (write the step's result with another tool; a failed write fails the step)
 * as a v2 `sink` action {tool: {kind, ...}, args?}. It is not applied here: the caller writes it into
 * rules on `step.exit`, where the step's `result` is visible as it was to the v1 sink.
 *
 * Refused (left in place): sinks on loop steps (v1 wrote per item there, and a step.exit sink would write
 * once), declarative table sinks (`table`/`mode`/`key`/`data` with no SQL: v2's postgres tool runs a
 * command, it does not build one), conditional sinks (`when`/`on`), and kinds v2 does not have.
 */
export function planSink(step: YAMLMap, path: string, log: MigrationLog): SinkPlan {
  const pair = pairOf(step, "sink");
  if (!pair) return { kind: "none" };
  const sinkPath = `${path}.sink`;
  const refuse = (at: unknown, message: string): SinkPlan => {
    log.unconverted(at, sinkPath, `${message}; sink left in place`);
    return { kind: "unconverted" };
  };
  const sink = pair.value;
  if (!isMap(sink)) return refuse(pair, "'sink' is not a mapping");
  if (pairOf(step, "loop")) {
    return refuse(
      pair,
      "a sink on a loop step wrote each item in v1; v2 has no per-item sink with the same inputs",
    );
  }
  for (const key of ["when", "on"]) {
    if (pairOf(sink, key))
      return refuse(pairOf(sink, key), `conditional sink ('${key}') has no faithful v2 form`);
  }
  const existing = pairOf(sink, "tool");
  if (existing && isMap(existing.value)) return v2Sink(step, sink, pair, sinkPath, log);
  const kindPairs = KIND_KEYS.map((key) => pairOf(sink, key)).filter((p): p is Pair => p !== undefined);
  const kinds = new Set(kindPairs.map((p) => stringOf(p.value)));
  const kind = kinds.size === 1 ? [...kinds][0] : undefined;
  if (kind === undefined) return refuse(pair, "the sink does not name one tool kind (tool/type)");
  const required = REQUIRED_FIELDS[kind];
  if (!required) return refuse(kindPairs[0], `sink kind '${kind}' has no v2 tool`);
  const fields = sink.items.filter(
    (p) => !KIND_KEYS.includes(keyOf(p) ?? "") && !ARGS_KEYS.includes(keyOf(p) ?? ""),
  );
  if (!required.some((field) => fields.some((p) => keyOf(p) === field))) {
    const declarative = fields.some((p) => ["table", "data", "key", "mode"].includes(keyOf(p) ?? ""));
    const why = declarative
      ? "a declarative table sink (table/mode/key/data) has no v2 form: write the SQL in 'command'"
      : `a ${kind} sink without ${required.join("/")} has no v2 form`;
    return refuse(pair, why);
  }
  const tool = newMap([["kind", kindPairs[0]?.value]]);
  tool.items.push(...fields);
  const action = newMap([["tool", tool]]);
  const argsPairs = ARGS_KEYS.map((key) => pairOf(sink, key)).filter((p): p is Pair => p !== undefined);
  if (argsPairs.length > 1) return refuse(argsPairs[1], "the sink has both 'args' and 'with'");
  if (argsPairs[0]) action.items.push(newMap([["args", argsPairs[0].value]]).items[0] as Pair);
  warnAboutThis(action, sinkPath, pair, log);
  removeKey(step, "sink");
  return { kind: "sink", action, pair };
}

/** A sink already written as {tool: {kind, ...}, args?}. */
function v2Sink(step: YAMLMap, sink: YAMLMap, pair: Pair, sinkPath: string, log: MigrationLog): SinkPlan {
  const extra = sink.items.map((p) => keyOf(p) ?? "?").filter((key) => key !== "tool" && key !== "args");
  if (extra.length > 0) {
    log.unconverted(pair, sinkPath, `sink keys ${extra.join(", ")} have no v2 form; sink left in place`);
    return { kind: "unconverted" };
  }
  removeKey(step, "sink");
  return { kind: "sink", action: sink, pair };
}

/** v1 sinks read the step's output as `this`; v2 has no such name (it is `result` on step.exit). */
function warnAboutThis(node: unknown, sinkPath: string, at: unknown, log: MigrationLog): void {
  if (mentionsThis(node)) {
    log.unconverted(at, `${sinkPath}.this`, "the sink reads 'this', which v2 does not define: use 'result'");
  }
}

function mentionsThis(node: unknown): boolean {
  if (isScalar(node)) return typeof node.value === "string" && /\{\{[^}]*\bthis\b/.test(node.value);
  if (isMap(node)) return node.items.some((p) => mentionsThis(p.value));
  if (isSeq(node)) return node.items.some(mentionsThis);
  return false;
}
