/** `noop`: echoes its args back. Routing steps and benchmarks use it; it cannot fail. */
import type { JsonObject } from "../dsl/types.ts";
import type { Tool, ToolOutcome } from "./types.ts";

export const noopTool: Tool = {
  kind: "noop",
  validate(): string[] {
    return [];
  },
  async execute(_config: JsonObject, args: JsonObject): Promise<ToolOutcome> {
    return { ok: true, response: { ...args } };
  },
};
