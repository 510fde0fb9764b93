/** The tools a worker can run, and the registry it runs them through. */

export type { DuckdbTool, DuckdbToolOptions } from "./duckdb.ts";
export { createDuckdbTool } from "./duckdb.ts";
export type { ToolErrorCode } from "./errors.ts";
export { failure, ToolAbortedError, ToolError, ToolTimeoutError, toCallError } from "./errors.ts";
export type { HttpToolOptions } from "./http.ts";
export { createHttpTool, idempotencyKey } from "./http.ts";
export { noopTool } from "./noop.ts";
export type { PostgresTool, PostgresToolOptions } from "./postgres.ts";
export { createPostgresTool } from "./postgres.ts";
export type { PythonToolOptions } from "./python.ts";
export { createPythonTool } from "./python.ts";
export type { DefaultToolsOptions } from "./registry.ts";
export { defaultTools, ToolRegistry } from "./registry.ts";
export type { Tool, ToolContext, ToolOutcome } from "./types.ts";
