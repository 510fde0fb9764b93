import { stringify } from "yaml";
import type { Actions, JsonObject, JsonValue, Playbook, Step } from "./types.ts";

/**
 * Writes a normalised playbook back to YAML in its normalised shape, so that
 * `parsePlaybook(toYaml(p))` deep-equals `p`. Forms that would read back differently are written
 * in their explicit spelling: `set` as `{ctx: {...}}`, a `result` value as a template-free literal, `skip: true`.
 */
export function toYaml(playbook: Playbook): string {
  const doc: JsonObject = {
    apiVersion: playbook.apiVersion,
    kind: playbook.kind,
    metadata: clean(playbook.metadata),
    workload: playbook.workload,
    keychain: playbook.keychain as JsonValue,
    workbook: playbook.workbook as unknown as JsonValue,
    workflow: playbook.workflow.map(writeStep),
  };
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

function writeStep(step: Step): JsonObject {
  const out = clean(step as unknown as Record<string, unknown>);
  if (step.case) {
    out.case = step.case.map((rule) => ({
      when: rule.when,
      // biome-ignore lint/suspicious/noThenProperty: `then` is a key of the playbook language
      then: rule.then.map(writeActions),
    }));
  }
  return out;
}

function writeActions(actions: Actions): JsonObject {
  const out = clean(actions as unknown as Record<string, unknown>);
  if (actions.set) out.set = { ctx: actions.set };
  if (actions.result)
    out.result = "from" in actions.result ? { from: actions.result.from } : actions.result.value;
  if (actions.skip) out.skip = actions.skip.reason === undefined ? true : { reason: actions.skip.reason };
  return out;
}

/** A copy without undefined-valued keys (YAML has no undefined). */
function clean(object: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as JsonObject;
}
