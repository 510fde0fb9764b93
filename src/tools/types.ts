/**
 * The contract between the worker and the tools it runs. One module per `kind` implements `Tool`
 * (CONVENTIONS 1); the registry maps kind → tool and turns every failure into a `CallError`.
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import type { CallError } from "../engine/types.ts";

/** Who is calling, and how to stop. Built by the worker for one command. */
export interface ToolContext {
  execution_id: string;
  step: string;
  step_run_id: string;
  command_id: string;
  attempt: number;
  call_index: number;
  /** Aborted on the worker's shutdown deadline (or by the caller's own timeout). */
  signal: AbortSignal;
  log?: (line: string) => void;
}

/** A call either produced a JSON response or failed with a classified error; output is captured either way. */
export type ToolOutcome =
  | { ok: true; response: JsonValue; stdout?: string; stderr?: string }
  | { ok: false; error: CallError; stdout?: string; stderr?: string };

export interface Tool {
  readonly kind: string;
  /** Problems with a rendered config, [] when it can run. Never throws. */
  validate(config: JsonObject): string[];
  /** Run one call. May throw; the registry converts any exception into a failed outcome. */
  execute(config: JsonObject, args: JsonObject, ctx: ToolContext): Promise<ToolOutcome>;
  /** Start what a first call would wait for (an interpreter), in the background; failures are the call's. */
  warm?(): void;
  /** Release pools, sockets and processes on shutdown. */
  close?(): Promise<void>;
}
