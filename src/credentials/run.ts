/**
 * The worker's side in one call: resolve the command's credentials, run the tool, mask what it reports.
 * A credential that cannot be resolved fails the call (error kind `credential`), never the worker.
 */
import type { JsonValue } from "../dsl/types.ts";
import type { CallError, Command } from "../engine/types.ts";
import type { ToolOutcome } from "../tools/types.ts";
import { CredentialError } from "./errors.ts";
import { maskPattern, maskWith } from "./mask.ts";
import type { CredentialResolver } from "./resolver.ts";

export async function runWithCredentials<C extends Command>(
  resolver: CredentialResolver | undefined,
  command: C,
  run: (command: C) => Promise<ToolOutcome>,
): Promise<ToolOutcome> {
  if (resolver === undefined) return run(command);
  let resolved: Awaited<ReturnType<CredentialResolver["resolve"]>>;
  try {
    resolved = await resolver.resolve(command);
  } catch (err) {
    return credentialFailure(err);
  }
  return maskOutcome(await run(resolved.command as C), resolved.secrets);
}

/** The failed call for a credential that could not be resolved; the message names it, never a value. */
export function credentialFailure(err: unknown): ToolOutcome {
  if (err instanceof CredentialError) {
    const error: CallError = {
      kind: "credential",
      code: err.code,
      message: err.message,
      retryable: err.retryable,
    };
    if (err.credential !== undefined) error.credential = err.credential;
    return { ok: false, error };
  }
  const reason = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    error: {
      kind: "credential",
      code: "E_CREDENTIAL_UNAVAILABLE",
      message: `cannot resolve credentials: ${reason}`,
      retryable: true,
    },
  };
}

/** The outcome with every secret masked in its response or error, stdout and stderr. */
export function maskOutcome(outcome: ToolOutcome, secrets: readonly string[]): ToolOutcome {
  const pattern = maskPattern(secrets);
  if (pattern === undefined) return outcome;
  const mask = <T extends JsonValue>(value: T): T => maskWith(value, pattern) as T;
  const output = {
    ...(outcome.stdout !== undefined && { stdout: mask(outcome.stdout) }),
    ...(outcome.stderr !== undefined && { stderr: mask(outcome.stderr) }),
  };
  return outcome.ok
    ? { ok: true, response: mask(outcome.response), ...output }
    : {
        ok: false,
        error: mask(outcome.error as CallError & { [key: string]: JsonValue }) as CallError,
        ...output,
      };
}
