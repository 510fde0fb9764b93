/**
 * kind → Tool. `run` is the worker's single entry point and never throws: whatever goes wrong with a call
 * (unknown kind, bad config, a tool bug) becomes a failed outcome, so a failing tool fails its call, never the worker.
 */
import type { Command } from "../engine/types.ts";
import { createDuckdbTool } from "./duckdb.ts";
import { failure, ToolAbortedError, ToolError } from "./errors.ts";
import { createHttpTool, type HttpToolOptions } from "./http.ts";
import { noopTool } from "./noop.ts";
import { createPostgresTool } from "./postgres.ts";
import { createPythonTool, type PythonToolOptions } from "./python.ts";
import type { Tool, ToolContext, ToolOutcome } from "./types.ts";

export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  /** Adds a tool; a second tool for the same kind replaces the first. */
  register(tool: Tool): this {
    this.tools.set(tool.kind, tool);
    return this;
  }

  get(kind: string): Tool | undefined {
    return this.tools.get(kind);
  }

  kinds(): string[] {
    return [...this.tools.keys()].sort();
  }

  async run(command: Command, ctx: ToolContext): Promise<ToolOutcome> {
    try {
      const kind = command.kind;
      const tool = this.tools.get(kind);
      if (!tool) {
        const known = this.kinds().join(", ") || "none";
        return failure(
          new ToolError(
            "E_TOOL_UNKNOWN",
            "unknown_tool",
            `no tool for kind '${kind}' (known: ${known})`,
            false,
          ),
        );
      }
      const problems = tool.validate(command.tool);
      if (problems.length > 0) {
        const message = `invalid ${kind} tool config: ${problems.join("; ")}`;
        return failure(
          new ToolError("E_TOOL_INVALID_CONFIG", "invalid_config", message, false, { problems }),
        );
      }
      if (ctx.signal.aborted) return failure(new ToolAbortedError());
      return await tool.execute(command.tool, command.args, ctx);
    } catch (err) {
      return failure(err);
    }
  }

  /** Warms the tools of these kinds ahead of their first call (unknown kinds are ignored). */
  warm(kinds: Iterable<string>): void {
    for (const kind of kinds) this.tools.get(kind)?.warm?.();
  }

  /** Closes every tool; one tool failing to close does not stop the others. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.tools.values()].map((tool) => tool.close?.()));
  }
}

export interface DefaultToolsOptions {
  /** The python interpreter (config: NOETL_PYTHON); resolved from `python3` when absent. */
  pythonPath?: string;
  python?: Omit<PythonToolOptions, "pythonPath">;
  http?: HttpToolOptions;
}

/** A registry with `noop`, `http`, `python`, `postgres` and `duckdb`. Nothing is started until a call needs it; `close()` releases all. */
export function defaultTools(opts: DefaultToolsOptions = {}): ToolRegistry {
  const python: PythonToolOptions = { ...opts.python };
  if (opts.pythonPath) python.pythonPath = opts.pythonPath;
  return new ToolRegistry()
    .register(noopTool)
    .register(createHttpTool(opts.http))
    .register(createPythonTool(python))
    .register(createPostgresTool())
    .register(createDuckdbTool());
}
