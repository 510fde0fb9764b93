/**
 * A worker: claims commands from the queue, runs each with the tool for its kind, and reports the events.
 * It never decides control flow and never writes commands (ARCHITECTURE.md). It has no HTTP endpoints.
 *
 * Wake-ups come from NOTIFY on the queue channel and from a poll timer (NOTIFY is only a hint). Claims are
 * batched: one statement claims as many commands as there are free slots. A command frees its slot when its
 * tool ends; its report then travels on its own (ReportQueue), still under the command's lease, so a slot
 * never idles while the server answers. At most UNREPORTED_PER_SLOT × concurrency reports may be pending.
 */

import { type CredentialResolver, runWithCredentials } from "../credentials/index.ts";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/db.ts";
import { claimCommands, extendLeases, QUEUE_CHANNEL, releaseCommands } from "../store/index.ts";
import type { ToolRegistry } from "../tools/registry.ts";
import type { ToolContext, ToolOutcome } from "../tools/types.ts";
import {
  commandEvents,
  type EventReporter,
  type LeasedCommand,
  ReportRejectedError,
  type SlotOffer,
} from "./report.ts";
import { ReportQueue } from "./report-queue.ts";

export interface WorkerOptions {
  db: Db;
  tools: ToolRegistry;
  /** Resolves `auth: <name>` into stored credentials and masks their values in what is reported. */
  credentials?: CredentialResolver;
  reporter: EventReporter;
  id: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  shutdownGraceMs: number;
  log: Logger;
  /** LISTEN for NOTIFY (default). Embedded mode wakes its worker by function call instead. */
  listen?: boolean;
}

interface Running {
  command: LeasedCommand;
  abort: AbortController;
  /** Settles once the command ran and its report was answered (or given up). */
  done: Promise<void>;
}

/**
 * Reports waiting for the server's answer, per slot, before the worker stops claiming: backpressure when
 * the server is slow or unreachable. Deep enough that a fast tool's results queue up while the server works
 * through the previous batch, which makes its batches (and so its transactions) larger. At 4 the workers of
 * a 10,000-item fan-out kept waiting on it (scratch runs: about 1,000 steps/s at 4, 2,000-2,300 at 32).
 */
const UNREPORTED_PER_SLOT = 32;

export class Worker {
  /** Commands whose tool is running: each holds a slot. */
  private readonly running = new Map<string, Running>();
  /** Commands that ran and whose report the server has not answered yet (their leases are still kept). */
  private readonly reporting = new Map<string, LeasedCommand>();
  /** Every command not yet fully done (running or reporting), for stop() and runOnce(). */
  private readonly unfinished = new Set<Promise<void>>();
  private readonly reports: ReportQueue;
  private stopping = false;
  private claiming: Promise<void> | undefined;
  private wakeAgain = false;
  private wakeScheduled = false;
  /**
   * The queue may hold more than we took: the last claim filled every free slot, or a wake-up came while
   * none was free. Only then does a finished command trigger a claim; otherwise NOTIFY (or the poll) does,
   * which keeps empty claims off the hot path.
   */
  private backlog = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly opts: WorkerOptions) {
    this.reports = new ReportQueue(opts.reporter, { offer: (reports) => this.offer(reports) });
  }

  get id(): string {
    return this.opts.id;
  }

  /** Commands being executed right now. */
  get busy(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    if (this.opts.listen !== false) {
      this.unlisten = await this.opts.db.listen(QUEUE_CHANNEL, (payload) => this.notified(payload));
    }
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollMs);
    // Extend leases well before they expire: three heartbeats per lease period survive one slow round.
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat(),
      Math.max(50, Math.floor(this.opts.leaseMs / 3)),
    );
    this.pollTimer.unref();
    this.heartbeatTimer.unref();
    this.wake();
  }

  /** A NOTIFY from the server: claim now, or when a delayed command (a retry's backoff) becomes runnable. */
  notified(payload: string): void {
    const delay = /^delay_ms=(\d+)$/.exec(payload)?.[1];
    if (delay === undefined) {
      this.wake();
      return;
    }
    // A few ms of slack: the database clock decides when run_at has passed.
    const timer = setTimeout(() => this.wake(), Number(delay) + 5);
    timer.unref();
  }

  /** Asks for a claim round; concurrent wake-ups (a NOTIFY storm) collapse into one follow-up round. */
  wake(): void {
    if (this.stopping) return;
    if (this.freeSlots() <= 0) {
      this.backlog = true;
      return;
    }
    if (this.claiming) {
      this.wakeAgain = true;
      return;
    }
    this.claiming = this.claimRound().finally(() => {
      this.claiming = undefined;
    });
  }

  /**
   * One claim round, then waits until every command it claimed has been run and reported.
   * Tests drive the worker with this instead of timers. Returns how many commands ran.
   */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map((r) => r.done));
    return claimed.length;
  }

  private async claimRound(): Promise<void> {
    this.wakeAgain = false;
    try {
      await this.claim();
    } catch (err) {
      this.opts.log.error({ err }, "claim failed; retrying on the next poll");
      return;
    }
    // A full batch suggests more is waiting: claim again once the commands just started have had their turn.
    if (this.wakeAgain || this.backlog) this.wakeSoon();
  }

  /** Slots free for new commands, fewer while too many reports wait for the server. */
  private freeSlots(): number {
    const unreported = UNREPORTED_PER_SLOT * this.opts.concurrency - this.reporting.size;
    return Math.min(this.opts.concurrency - this.running.size, unreported);
  }

  /**
   * Offers, with a request of `reports` reports, as many free slots as commands those reports finished:
   * the server leases the commands they made runnable to this worker in the same transaction and answers
   * with them, so they need no NOTIFY and no claim (a sequential chain's next step, above all). Only while
   * the queue looks empty to this worker: with a backlog, its free slots are better filled by a claim now
   * than held for an answer. Nothing is reserved: pushed commands that find no free slot on arrival go back
   * to the queue, and this worker claims again as soon as a slot frees.
   */
  private offer(reports: number): SlotOffer | undefined {
    const slots = Math.min(this.freeSlots(), reports);
    if (this.backlog || this.stopping || slots <= 0) return undefined;
    return {
      worker_id: this.opts.id,
      slots,
      lease_ms: this.opts.leaseMs,
      settle: (commands) => {
        const fit = this.stopping ? 0 : Math.max(0, this.freeSlots());
        for (const command of commands.slice(0, fit)) this.dispatch(command);
        const rest = commands.slice(fit).map((c) => c.command_id);
        if (rest.length === 0) return;
        this.backlog = true;
        void releaseCommands(this.opts.db, { workerId: this.opts.id, commandIds: rest }).catch((err) =>
          this.opts.log.warn({ err }, "could not release pushed commands; their leases will expire"),
        );
      },
    };
  }

  private async claim(): Promise<Running[]> {
    const free = this.freeSlots();
    if (free <= 0 || this.stopping) return [];
    const rows = await claimCommands(this.opts.db, {
      workerId: this.opts.id,
      limit: free,
      leaseMs: this.opts.leaseMs,
    });
    this.backlog = rows.length === free;
    return rows.map((row) => this.dispatch(row as LeasedCommand));
  }

  private dispatch(command: LeasedCommand): Running {
    const abort = new AbortController();
    const entry: Running = { command, abort, done: Promise.resolve() };
    entry.done = this.execute(entry).finally(() => {
      this.freeSlot(entry);
      this.unfinished.delete(entry.done);
    });
    this.unfinished.add(entry.done);
    // This worker may claim a command again that it still runs (it lost the lease, e.g. cut off from the
    // database past the lease time, and the reaper re-queued it): the old run's lease is gone, stop it.
    this.running.get(command.command_id)?.abort.abort(new Error("lease lost: the command was claimed again"));
    this.running.set(command.command_id, entry);
    return entry;
  }

  /** The command's slot is free again (its tool ended); a claim follows if the queue has more. */
  private freeSlot(entry: Running): void {
    const id = entry.command.command_id;
    if (this.running.get(id) !== entry) return;
    this.running.delete(id);
    if (this.backlog) this.wakeSoon();
  }

  /**
   * A wake-up once the current burst has run: commands claimed together usually finish together (and
   * reports are answered together), so one claim then fills every slot they freed instead of a claim per
   * slot. In a 10,000-item fan-out of noop this took claims from 3.4 to 7 commands each.
   */
  private wakeSoon(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.wake();
    });
  }

  private async execute(entry: Running): Promise<void> {
    const { command } = entry;
    const signal = entry.abort.signal;
    const ctx: ToolContext = {
      execution_id: command.execution_id,
      step: command.step,
      step_run_id: command.step_run_id,
      command_id: command.command_id,
      attempt: command.attempt,
      call_index: command.call_index,
      signal,
    };
    const outcome = await runWithCredentials(this.opts.credentials, command, (c) =>
      this.opts.tools.run(c, ctx),
    );
    this.freeSlot(entry);
    if (signal.aborted) return; // released on shutdown or lease lost: the command runs again elsewhere
    this.reporting.set(command.command_id, command);
    try {
      await this.report(command, outcome);
    } catch (err) {
      if (!(err instanceof ReportRejectedError)) {
        // The lease expires and the reaper re-queues the command: at-least-once, nothing lost.
        this.opts.log.error({ err, command_id: command.command_id }, "could not report command events");
        return;
      }
      // The server will never take this result (too large for its body limit, ...). Dropping it would make
      // the command run again max_claims times and then fail as worker_lost; report the real cause instead.
      this.opts.log.error({ err, command_id: command.command_id }, "result refused; reporting a failed call");
      const error = { kind: "result_rejected", message: err.message, retryable: false, status: err.status };
      await this.report(command, { ok: false, error }).catch((again: unknown) =>
        this.opts.log.error({ err: again, command_id: command.command_id }, "could not report the failure"),
      );
    } finally {
      if (this.reporting.get(command.command_id) === command) this.reporting.delete(command.command_id);
      if (this.backlog) this.wakeSoon();
    }
  }

  private async report(command: LeasedCommand, outcome: ToolOutcome): Promise<void> {
    const status = await this.reports.send(commandEvents(command, this.opts.id, outcome));
    if (status === "stale") {
      this.opts.log.warn(
        { command_id: command.command_id },
        "lease was lost before the report; result dropped",
      );
    }
  }

  /** Extends the leases of running and reporting commands; a running command whose lease is gone is aborted. */
  async heartbeat(): Promise<void> {
    const ids = [...new Set([...this.running.keys(), ...this.reporting.keys()])];
    if (ids.length === 0) return;
    try {
      const held = new Set(
        await extendLeases(this.opts.db, {
          workerId: this.opts.id,
          commandIds: ids,
          leaseMs: this.opts.leaseMs,
        }),
      );
      for (const id of ids) {
        if (!held.has(id)) this.running.get(id)?.abort.abort(new Error("lease lost"));
      }
    } catch (err) {
      this.opts.log.warn({ err }, "heartbeat failed");
    }
  }

  /**
   * Graceful stop: claim nothing more, give running commands `graceMs` to finish and report, then abort the
   * rest and release them to the queue (no claim is charged for a release).
   */
  async stop(graceMs = this.opts.shutdownGraceMs): Promise<void> {
    this.stopping = true;
    // Leases are still extended during the grace period: a command running or reporting there must not be
    // reaped and run again elsewhere meanwhile (it was, when the heartbeat stopped with the poll).
    clearInterval(this.pollTimer);
    await this.unlisten?.().catch(() => undefined);
    await this.claiming;
    const all = Promise.all([...this.unfinished]);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    const first = await Promise.race([all.then(() => "done" as const), deadline]);
    clearTimeout(timer);
    clearInterval(this.heartbeatTimer);
    if (first === "timeout") {
      const left = [...this.running.values()];
      for (const r of left) r.abort.abort(new Error("worker shutting down"));
      const ids = left.map((r) => r.command.command_id);
      await releaseCommands(this.opts.db, { workerId: this.opts.id, commandIds: ids }).catch((err) =>
        this.opts.log.error({ err }, "could not release commands; their leases will expire"),
      );
      this.opts.log.info({ released: ids.length }, "released unfinished commands to the queue");
    }
  }
}
