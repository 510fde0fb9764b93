/**
 * `duckdb`: runs `command`/`query` (one or more statements) with `params` on an embedded DuckDB database:
 * `database` is a file, or by default one in-memory database per execution kept for its later duckdb steps.
 * Response `{rows, row_count, columns, statements}`, the same shape as `postgres`. See docs/tools.md.
 */
import type { JsonObject } from "../dsl/types.ts";
import { DuckDatabases, type DuckDatabasesOptions, MEMORY } from "./duckdb/databases.ts";
import { duckFailure } from "./duckdb/failures.ts";
import { checkSeconds, SECOND, secondsToMs } from "./fields.ts";
import { readStatements } from "./sql/command.ts";
import { checkParams } from "./sql/params.ts";
import type { Tool, ToolContext, ToolOutcome } from "./types.ts";

export interface DuckdbToolOptions extends DuckDatabasesOptions {
  /** Timeout when the config has no `timeout` (default 300 s). */
  defaultTimeoutMs?: number;
}

export interface DuckdbTool extends Tool {
  /** The open databases (exposed for tests and metrics). */
  readonly databases: DuckDatabases;
}

function databaseOf(config: JsonObject): string {
  const database = config.database;
  return typeof database === "string" && database.trim() !== "" ? database.trim() : MEMORY;
}

export function createDuckdbTool(opts: DuckdbToolOptions = {}): DuckdbTool {
  const defaultTimeoutMs = opts.defaultTimeoutMs ?? 300 * SECOND;
  const databases = new DuckDatabases(opts);

  return {
    kind: "duckdb",
    databases,
    validate(config: JsonObject): string[] {
      const problems: string[] = [];
      const database = config.database;
      if (database !== undefined && database !== null && typeof database !== "string") {
        problems.push("'database' must be a file path or ':memory:'");
      }
      const read = readStatements(config);
      if ("problem" in read) problems.push(read.problem);
      else problems.push(...checkParams(config, read.statements, "dollar-or-question"));
      return [...problems, ...checkSeconds(config, "timeout")];
    },
    async execute(config: JsonObject, _args: JsonObject, ctx: ToolContext): Promise<ToolOutcome> {
      const read = readStatements(config);
      if ("problem" in read) throw new Error("execute called with an invalid config");
      let lease: Awaited<ReturnType<DuckDatabases["connect"]>>;
      try {
        lease = await databases.connect(databaseOf(config), ctx.execution_id);
      } catch (err) {
        return { ok: false, error: duckFailure(err, null) };
      }
      try {
        // Loaded on the first call: DuckDB's native module costs ~200 ms at startup (see databases.ts).
        const { runDuckScript } = await import("./duckdb/run.ts");
        return await runDuckScript(lease.connection, {
          statements: read.statements,
          params: config.params ?? undefined,
          timeoutMs: secondsToMs(config.timeout, defaultTimeoutMs),
          signal: ctx.signal,
        });
      } finally {
        lease.release();
      }
    },
    close: () => databases.close(),
  };
}
