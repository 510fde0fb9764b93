/**
 * Posts commands' events to the server, retrying with backoff while the server is briefly unreachable
 * (connection refused, 5xx, 429): the worker keeps its leases by heartbeating meanwhile, so nothing is lost.
 */
import { Agent, request } from "undici";
import { SECOND } from "../config.ts";
import {
  type BatchOutcome,
  type EventReporter,
  type LeasedCommand,
  ReportRejectedError,
  type ReportStatus,
  type SlotOffer,
  type WorkerEvent,
} from "./report.ts";

export { ReportRejectedError };

export interface HttpReporterOptions {
  serverUrl: string;
  /** Give up after this long (the lease will have expired and the reaper re-queues the command). */
  giveUpAfterMs?: number;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One report's answer: an ack, or a refusal carrying the HTTP status it would have had alone. */
type AckOrRefusal =
  | { status: "accepted" | "duplicate" }
  | { status: "refused"; error: { http_status: number; message: string } };

/** The report's outcome, or undefined when it should be posted again (the server could not take it now). */
function answered(ack: AckOrRefusal): BatchOutcome | undefined {
  if (ack.status !== "refused") return ack.status;
  const status = ack.error.http_status;
  if (status === 409) return "stale";
  if (status >= 500 || status === 429) return undefined;
  return new ReportRejectedError(status, ack.error.message);
}

export class HttpReporter implements EventReporter {
  // Keep-alive connections: one TCP handshake per worker, not per command.
  private readonly agent = new Agent({ keepAliveTimeout: 30 * SECOND, connections: 64 });
  private readonly url: string;

  constructor(private readonly opts: HttpReporterOptions) {
    this.url = `${opts.serverUrl}/api/v2/events`;
  }

  async report(events: WorkerEvent[]): Promise<ReportStatus> {
    const [outcome] = await this.reportMany([events]);
    if (outcome instanceof Error) throw outcome;
    return outcome!;
  }

  /**
   * Posts the reports in one request and maps the server's per-report answers. Reports the server could not
   * take just now (5xx, 429, unreachable) are posted again with backoff; a multi-report request refused as a
   * whole (413: too large together) is split into one request per report. The offer goes with the first
   * attempt only: had that one been applied with its answer lost, the commands leased to this worker come
   * back to the queue when their leases expire, and a second offer must not take more.
   */
  async reportMany(reports: WorkerEvent[][], offer?: SlotOffer): Promise<BatchOutcome[]> {
    const pushed: LeasedCommand[] = [];
    try {
      return await this.post(reports, offer, pushed);
    } finally {
      offer?.settle(pushed);
    }
  }

  private async post(
    reports: WorkerEvent[][],
    offer: SlotOffer | undefined,
    pushed: LeasedCommand[],
  ): Promise<BatchOutcome[]> {
    const deadline = Date.now() + (this.opts.giveUpAfterMs ?? 5 * 60 * SECOND);
    const outcomes: BatchOutcome[] = [];
    let pending = reports.map((_, i) => i);
    for (let delay = 100; ; delay = Math.min(delay * 2, 5 * SECOND)) {
      let retryable: string;
      const body = JSON.stringify({
        events: pending.flatMap((i) => reports[i]!),
        ...(offer && { offer: { worker_id: offer.worker_id, slots: offer.slots, lease_ms: offer.lease_ms } }),
      });
      offer = undefined;
      try {
        const res = await request(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          dispatcher: this.agent,
        });
        const text = await res.body.text();
        if (res.statusCode === 200) {
          const { acks, commands } = JSON.parse(text) as { acks: AckOrRefusal[]; commands?: LeasedCommand[] };
          if (commands !== undefined) pushed.push(...commands);
          if (acks.length !== pending.length) {
            throw new ReportRejectedError(500, `expected ${pending.length} acks, got ${acks.length}`);
          }
          const again: number[] = [];
          pending.forEach((i, k) => {
            const outcome = answered(acks[k]!);
            if (outcome === undefined) again.push(i);
            else outcomes[i] = outcome;
          });
          if (again.length === 0) return outcomes;
          pending = again;
          retryable = "the server could not take some reports now";
        } else if (pending.length > 1 && res.statusCode < 500 && res.statusCode !== 429) {
          const singly = await Promise.all(pending.map((i) => this.reportMany([reports[i]!])));
          pending.forEach((i, k) => {
            outcomes[i] = singly[k]![0]!;
          });
          return outcomes;
        } else {
          const outcome = answered({
            status: "refused",
            error: { http_status: res.statusCode, message: text },
          });
          if (outcome !== undefined) {
            outcomes[pending[0]!] = outcome;
            return outcomes;
          }
          retryable = `HTTP ${res.statusCode}`;
        }
      } catch (err) {
        if (err instanceof ReportRejectedError) throw err;
        retryable = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() + delay > deadline || this.opts.signal?.aborted) {
        throw new Error(`could not reach the server at ${this.url}: ${retryable}`);
      }
      await sleep(delay);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
