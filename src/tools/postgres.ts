/**
 * `postgres`: runs `command` (alias `query`; one or more statements) with `params` bound to `$1..$n` on a
 * pooled connection chosen by `auth` (a resolved credential) or `connection`. Response
 * `{rows, row_count, columns, statements}`. See docs/tools.md for transactions, parameters, value mapping
 * and errors.
 */
import type { JsonObject } from "../dsl/types.ts";
import { checkSeconds, SECOND, secondsToMs } from "./fields.ts";
import { type PostgresPoolOptions, PostgresPools } from "./postgres/pools.ts";
import { runScript } from "./postgres/run.ts";
import { parseTarget } from "./postgres/target.ts";
import { readStatements } from "./sql/command.ts";
import { checkParams } from "./sql/params.ts";
import type { Tool, ToolContext, ToolOutcome } from "./types.ts";

export interface PostgresToolOptions extends PostgresPoolOptions {
  /** Timeout when the config has no `timeout` (default 300 s). */
  defaultTimeoutMs?: number;
}

export interface PostgresTool extends Tool {
  /** The connection pools, one per credential (exposed for tests and metrics). */
  readonly pools: PostgresPools;
}

export function createPostgresTool(opts: PostgresToolOptions = {}): PostgresTool {
  const defaultTimeoutMs = opts.defaultTimeoutMs ?? 300 * SECOND;
  const pools = new PostgresPools(opts);

  return {
    kind: "postgres",
    pools,
    validate(config: JsonObject): string[] {
      const problems: string[] = [];
      const target = parseTarget(config);
      if ("problem" in target) problems.push(target.problem);
      const read = readStatements(config);
      if ("problem" in read) problems.push(read.problem);
      else problems.push(...checkParams(config, read.statements, "dollar"));
      return [...problems, ...checkSeconds(config, "timeout")];
    },
    async execute(config: JsonObject, _args: JsonObject, ctx: ToolContext): Promise<ToolOutcome> {
      const target = parseTarget(config);
      const read = readStatements(config);
      if ("problem" in target || "problem" in read) throw new Error("execute called with an invalid config");
      const pool = pools.checkout(target.target);
      let sessionLost = false;
      try {
        const run = await runScript(pool, {
          statements: read.statements,
          params: config.params ?? undefined,
          timeoutMs: secondsToMs(config.timeout, defaultTimeoutMs),
          signal: ctx.signal,
        });
        sessionLost = run.sessionLost;
        return run.outcome;
      } finally {
        pools.checkin(pool, sessionLost);
      }
    },
    close: () => pools.close(),
  };
}
