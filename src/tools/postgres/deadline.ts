/**
 * A postgres call's deadline: its `timeout` and the worker's abort signal. When either fires, the running
 * query is cancelled and nothing new starts.
 *
 * A cancel request travels on a connection of its own and names the backend, not the query: if it lands
 * after its statement finished, it cancels whatever that session runs next (another call's statement,
 * once the connection is back in the pool). So `settled()` waits for the request to be delivered before
 * the session is reset and released; a request that reaches an idle session is dropped by the server.
 */
import type { CallError } from "../../engine/types.ts";
import { ToolAbortedError, ToolTimeoutError } from "../errors.ts";
import { SECOND } from "../fields.ts";

/** Thrown instead of starting work once the call is stopped. */
export class Stopped extends Error {}

export interface CancellableQuery {
  cancel(): void;
}

const CANCEL_WAIT_MS = 5 * SECOND;

/**
 * Sends the cancel request and returns when it has been delivered. postgres.js's `Query.cancel()`
 * discards that promise; its `canceller` (a field of postgres.js 3's Query) returns it.
 */
function cancelQuery(query: CancellableQuery): Promise<void> {
  const internal = query as CancellableQuery & { canceller?: ((q: unknown) => unknown) | null };
  const canceller = internal.canceller;
  if (typeof canceller !== "function") {
    query.cancel();
    return Promise.resolve();
  }
  internal.canceller = null;
  return Promise.resolve(canceller(query)).then(
    () => {},
    () => {},
  );
}

/** Cancels what is running when the deadline passes or the worker aborts; `reason` says which. */
export class Deadline {
  reason: "timeout" | "aborted" | undefined;
  current: CancellableQuery | undefined;
  private cancelling: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.stop("aborted");
  private rejectWait: ((err: Error) => void) | undefined;

  constructor(
    private readonly ms: number,
    private readonly signal: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.stop("timeout"), ms);
    signal.addEventListener("abort", this.onAbort, { once: true });
  }

  private stop(reason: "timeout" | "aborted"): void {
    this.reason ??= reason;
    if (this.current && !this.cancelling) this.cancelling = cancelQuery(this.current);
    this.rejectWait?.(new Stopped());
  }

  /** Waits for `promise` unless the call is stopped first. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.reason) return Promise.reject(new Stopped());
    return new Promise<T>((resolve, reject) => {
      this.rejectWait = reject;
      promise.then(resolve, reject);
    });
  }

  error(statementIndex: number | null): CallError {
    if (this.reason === "aborted") return new ToolAbortedError().toCallError();
    const message = `postgres call timed out after ${this.ms / SECOND}s`;
    return new ToolTimeoutError(message, { statement_index: statementIndex }).toCallError();
  }

  /** Stops the timer and waits (up to 5 s) for a cancel request in flight to be delivered. */
  async settled(): Promise<void> {
    clearTimeout(this.timer);
    this.signal.removeEventListener("abort", this.onAbort);
    if (this.cancelling === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CANCEL_WAIT_MS);
    });
    await Promise.race([this.cancelling, cap]);
    clearTimeout(timer);
  }
}
