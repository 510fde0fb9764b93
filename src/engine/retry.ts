/** Retry backoff (DSL.md §4): delay = min(max_delay, initial_delay * backoff_multiplier^(attempt-1)) seconds. */
import type { RetryAction } from "../dsl/types.ts";

export const RETRY_DEFAULTS = {
  max_attempts: 3,
  initial_delay: 1,
  backoff_multiplier: 2,
  max_delay: 60,
} as const;

export interface RetryPolicy {
  max_attempts: number;
  initial_delay: number;
  backoff_multiplier: number;
  max_delay: number;
}

export function retryPolicy(action: RetryAction): RetryPolicy {
  return {
    max_attempts: action.max_attempts ?? RETRY_DEFAULTS.max_attempts,
    initial_delay: action.initial_delay ?? RETRY_DEFAULTS.initial_delay,
    backoff_multiplier: action.backoff_multiplier ?? RETRY_DEFAULTS.backoff_multiplier,
    max_delay: action.max_delay ?? RETRY_DEFAULTS.max_delay,
  };
}

/** Seconds to wait before re-issuing a call whose attempt number `attempt` (1-based) failed. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number): number {
  const delay = policy.initial_delay * policy.backoff_multiplier ** Math.max(0, attempt - 1);
  return Math.max(0, Math.min(policy.max_delay, delay));
}

/** `iso` + `seconds` as an ISO-8601 string; undefined when `iso` is not a valid time. */
export function addSeconds(iso: string, seconds: number): string | undefined {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms + Math.round(seconds * 1000)).toISOString();
}
