/**
 * The runner's reply line (see runner.py for the protocol) and what it means as a call outcome.
 * A user exception is `{kind: "python", type, message: "<type>: <message>", traceback}`, never retryable.
 */
import type { JsonValue } from "../../dsl/types.ts";
import type { ToolOutcome } from "../types.ts";

export type RunnerReply =
  | { id: number; ok: true; result: JsonValue; stdout: string; stderr: string }
  | {
      id: number;
      ok: false;
      error: { type: string; message: string; traceback: string };
      stdout: string;
      stderr: string;
    };

/** Parses one reply line; undefined when it is not a reply (user code wrote to the protocol fd). */
export function parseReply(line: string): RunnerReply | undefined {
  try {
    const reply = JSON.parse(line) as RunnerReply;
    return typeof reply === "object" && reply !== null && typeof reply.id === "number" ? reply : undefined;
  } catch {
    return undefined;
  }
}

export function replyToOutcome(reply: RunnerReply): ToolOutcome {
  const output = { stdout: reply.stdout, stderr: reply.stderr };
  if (reply.ok) return { ok: true, response: reply.result, ...output };
  const { type, message, traceback } = reply.error;
  const error = {
    kind: "python",
    code: "E_PYTHON_EXCEPTION",
    type,
    message: `${type}: ${message}`,
    traceback,
  };
  return { ok: false, error: { ...error, retryable: false }, ...output };
}
