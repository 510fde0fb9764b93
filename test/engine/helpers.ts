import { parsePlaybook } from "../../src/dsl/index.ts";
import type { Playbook } from "../../src/dsl/types.ts";

/** Parses a playbook written as YAML, with the apiVersion/kind/metadata header added. */
export function playbook(body: string, name = "test"): Playbook {
  return parsePlaybook(`apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: ${name}}\n${body}`);
}
