/**
 * Posts a command's events to the server, retrying with backoff while the server is briefly unreachable
 * (connection refused, 5xx, 429): the worker keeps its lease by heartbeating meanwhile, so nothing is lost.
 */
import { Agent, request } from "undici";
import { SECOND } from "../config.ts";
import { type EventReporter, ReportRejectedError, type ReportStatus, type WorkerEvent } from "./report.ts";

export { ReportRejectedError };

export interface HttpReporterOptions {
  serverUrl: string;
  /** Give up after this long (the lease will have expired and the reaper re-queues the command). */
  giveUpAfterMs?: number;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class HttpReporter implements EventReporter {
  // Keep-alive connections: one TCP handshake per worker, not per command.
  private readonly agent = new Agent({ keepAliveTimeout: 30 * SECOND, connections: 64 });
  private readonly url: string;

  constructor(private readonly opts: HttpReporterOptions) {
    this.url = `${opts.serverUrl}/api/v2/events`;
  }

  async report(events: WorkerEvent[]): Promise<ReportStatus> {
    const deadline = Date.now() + (this.opts.giveUpAfterMs ?? 5 * 60 * SECOND);
    const body = JSON.stringify({ events });
    for (let delay = 100; ; delay = Math.min(delay * 2, 5 * SECOND)) {
      let retryable: string;
      try {
        const res = await request(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          dispatcher: this.agent,
        });
        const text = await res.body.text();
        if (res.statusCode === 200) {
          const parsed = JSON.parse(text) as { acks: Array<{ status: ReportStatus }> };
          return parsed.acks.every((a) => a.status === "duplicate") ? "duplicate" : "accepted";
        }
        if (res.statusCode === 409) return "stale";
        if (res.statusCode < 500 && res.statusCode !== 429)
          throw new ReportRejectedError(res.statusCode, text);
        retryable = `HTTP ${res.statusCode}`;
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
