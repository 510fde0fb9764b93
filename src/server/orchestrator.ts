/**
 * The orchestration transaction (ARCHITECTURE.md "Flow of one step"): the only place that writes commands.
 *
 * For each event (or a worker's batch of events for one command), in ONE transaction:
 *   lock the execution → finish the worker's command (lease check) → run the pure engine → append the events,
 *   save the state, cancel/insert commands → NOTIFY (delivered on commit).
 * Event handling locks the execution row before any command row: ending or failing an execution deletes
 * its other commands while it holds the execution lock, and a report that had locked its command first
 * then waited for the execution deadlocked with it (measured: 3 parallel loops of 300 items failing at
 * item 150, 2 workers × 16 slots: 30 deadlocks, 3 reports lost after all retries). The reaper follows the
 * same order.
 *
 * `playbook` tool calls never reach a worker: the orchestrator starts the child execution in the same
 * transaction, and the child's end becomes the parent command's call.done. No worker slot waits for a child.
 */
import { randomUUID } from "node:crypto";
import type { JsonObject } from "../dsl/types.ts";
import type { Engine, ExecutionState } from "../engine/index.ts";
import type { Command } from "../engine/types.ts";
import type { Logger } from "../logger.ts";
import {
  commitTransitions,
  completeCommands,
  type Db,
  type ExecutionRow,
  eventsByIdempotencyKey,
  executionStatus,
  executionsWithExhaustedCommands,
  type HeldLease,
  type InsertLease,
  insertExecution,
  insertLockedExecutions,
  type LockedExecution,
  leaseKey,
  lockExecution,
  lockExecutions,
  type NewEvent,
  readCheckpoint,
  runningChildren,
  SQLSTATE,
  sqlState,
  type Transition,
  takeExhaustedCommands,
} from "../store/index.ts";
import { ApiError, badRequest, conflict, notFound } from "./errors.ts";
import {
  fromEngine,
  groupByCommand,
  type IncomingEvent,
  idempotencyKey,
  toInputEvent,
  toStored,
  WORKER_EVENTS,
} from "./event-records.ts";
import {
  CHECKPOINT_AFTER_REPLAY,
  CHECKPOINT_EVERY_EVENTS,
  replayJournal,
  StateCache,
  type VersionedState,
} from "./execution-states.ts";
import { ServerMetrics } from "./metrics.ts";
import type { LoadedPlaybook, PlaybookCatalog } from "./playbooks.ts";
import { QueueVacuum } from "./queue-vacuum.ts";
import { ReportBatcher, type ReportOutcome } from "./report-batcher.ts";
import { StartBatcher } from "./start-batcher.ts";

export type { IncomingEvent } from "./event-records.ts";

export interface EventAck {
  execution_id: string;
  command_id?: string;
  /** accepted: applied now; duplicate: these events were applied before (nothing changed). */
  status: "accepted" | "duplicate";
  execution_status: string;
}

/** What one orchestration transaction wrote for one execution, announced to listeners after commit. */
export interface Committed {
  execution_id: string;
  events: NewEvent[];
  /** Commands queued. */
  commands: number;
  /** The execution's status after the transaction. */
  status: string;
  /** Set when the execution ended in this transaction. */
  ended?: string;
  /**
   * For in-process workers: the NOTIFY payload (see wakeHint) when commands were queued for any worker to
   * claim; absent when there were none, or all went to the worker that offered slots (the push model).
   */
  wake?: string;
}

export interface ExecuteRequest {
  path?: string;
  version?: number;
  playbook_yaml?: string;
  payload?: JsonObject;
  execution_id?: string;
  parent_execution_id?: string;
}

/**
 * The push model (ARCHITECTURE.md): a worker's report request may offer slots for the commands its reports
 * make runnable. The transaction that applies them inserts up to `slots` of those commands already leased
 * to the worker, and the answer carries them, so the worker needs no NOTIFY and no claim for them.
 */
export interface PushOffer {
  worker_id: string;
  slots: number;
  lease_ms: number;
  /** Filled once a transaction committed: the commands leased to the worker. */
  pushed: PushedCommand[];
}

/** A command leased to the worker that offered a slot, as the answer carries it. */
export type PushedCommand = Command & { lease_token: string };

/** What one transaction accumulates: what to announce after commit, and the states it produced. */
interface TxScope {
  out: Committed[];
  /** Each execution's state as this transaction left it (kept by the server once committed). */
  states: Map<string, VersionedState>;
  /** Transitions decided but not written yet: written together, in one statement (writePending). */
  pending: PendingTransition[];
  /** Offers of the reports in this transaction, and what it leased to each (handed over after commit). */
  offers: readonly PushOffer[];
  pushed: Map<PushOffer, PushedCommand[]>;
  /** Metrics of what this transaction applied, counted once it committed (a retried one counts once). */
  observed: Observation[];
}

interface Observation {
  group: IncomingEvent[];
  stored: NewEvent[];
  queued: Command[];
  endedAs?: string;
}

interface PendingTransition {
  transition: Transition;
  state: ExecutionState;
  /** The execution's head before the write: still the head after it means no event was stored. */
  headBefore: number;
  /** The transaction's clock (now()). */
  now: string;
  /** What is announced after commit; its wake hint is set when the commands' leases are known. */
  committed: Committed;
  /** The locked row the transition was computed from. */
  row: LockedExecution;
}

/** Deadlocks are possible only between rare pairs (a cancel cascading to children while one ends). */
const TRANSACTION_ATTEMPTS = 3;

export class Orchestrator {
  private readonly listeners: Array<(c: Committed) => void> = [];
  private readonly reports = new ReportBatcher((batch, offers) => this.applyReports(batch, offers));
  private readonly starts = new StartBatcher<NewStart>((batch) => this.startAll(batch));
  private readonly states = new StateCache();
  private readonly vacuum: QueueVacuum;

  constructor(
    readonly db: Db,
    readonly catalog: PlaybookCatalog,
    private readonly log: Logger,
    readonly metrics: ServerMetrics = new ServerMetrics(),
  ) {
    this.vacuum = new QueueVacuum(db, log);
  }

  /** Resolves once background work on the database (a queue vacuum) is done: call before closing it. */
  async idle(): Promise<void> {
    await this.vacuum.idle();
  }

  /** Calls `fn` after each committed orchestration transaction (progress display, wake-ups, waiting). */
  onCommit(fn: (c: Committed) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Creates an execution and starts it (workflow.start) in one transaction, which it shares with the other
   * execute requests waiting at that moment (StartBatcher).
   */
  async execute(request: ExecuteRequest): Promise<{ execution_id: string; path: string; version: number }> {
    const loaded = await this.resolve(request);
    const executionId = request.execution_id ?? randomUUID();
    await this.starts.submit({ executionId, loaded, request });
    return { execution_id: executionId, path: loaded.path, version: loaded.version };
  }

  /**
   * Starts a batch of executions in one transaction. If that fails (an id that exists, say), each is
   * started again on its own, so only the request at fault is refused, with its own error.
   */
  private async startAll(batch: readonly NewStart[]): Promise<Array<Error | undefined>> {
    if (batch.length > 1) {
      try {
        await this.transact((tx, scope) => this.startIn(tx, batch, scope));
        return batch.map(() => undefined);
      } catch {
        // Each alone, below.
      }
    }
    return Promise.all(
      batch.map((start) =>
        this.transact((tx, scope) => this.startIn(tx, [start], scope)).then(
          () => undefined,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        ),
      ),
    );
  }

  private async startIn(tx: Db, batch: readonly NewStart[], scope: TxScope): Promise<void> {
    const sent = Date.now();
    const rows = await this.insertStarted(tx, batch);
    this.learnClock(rows.values().next().value?.locked_at, sent);
    for (const { executionId, request } of batch) {
      const start = {
        execution_id: executionId,
        name: "workflow.start",
        payload: { payload: request.payload ?? {} },
      };
      await this.applyEvents(tx, rows.get(executionId)!, [start as IncomingEvent], scope, true);
    }
  }

  /**
   * The original two-call flow: register a playbook for a given execution id, then post workflow.start.
   * The execution exists from registration on, as `pending` (without engine state) until it starts.
   */
  async prepare(executionId: string, loaded: LoadedPlaybook): Promise<void> {
    await this.insert(this.db, executionId, loaded, { status: "pending" });
  }

  /** Applies posted events (see acceptEach); the first refused group's error is thrown. */
  async accept(events: IncomingEvent[]): Promise<EventAck[]> {
    return (await this.acceptEach(events)).map((outcome) => {
      if ("error" in outcome) throw outcome.error;
      return outcome.ack;
    });
  }

  /**
   * Applies posted events group by group (a group: consecutive events of one execution, command and lease),
   * each group accepted or refused on its own. Worker reports go to their execution's batcher at once, in
   * order, so a request carrying many reports is applied in few transactions; other events run one by one
   * after everything before them.
   */
  async acceptEach(events: IncomingEvent[], offer?: PushOffer): Promise<ReportOutcome[]> {
    const pending: Array<Promise<ReportOutcome>> = [];
    const settle = (p: Promise<EventAck>) =>
      p.then(
        (ack): ReportOutcome => ({ ack }),
        (err: unknown): ReportOutcome => ({ error: err instanceof Error ? err : new Error(String(err)) }),
      );
    for (const group of groupByCommand(events)) {
      const first = group[0]!;
      if (first.lease_token !== undefined && first.command_id !== undefined) {
        pending.push(settle(this.acceptGroup(group, offer)));
      } else {
        await Promise.all(pending);
        const outcome = settle(this.acceptGroup(group));
        pending.push(outcome);
        await outcome;
      }
    }
    return Promise.all(pending);
  }

  async cancel(executionId: string, reason?: string): Promise<EventAck> {
    const payload: JsonObject = reason === undefined ? {} : { reason };
    return this.acceptGroup([{ execution_id: executionId, name: "workflow.cancel", payload }]);
  }

  /**
   * The reaper's second half: commands whose claims are spent and whose last lease expired become a failed
   * call (error.kind "worker_lost") for the engine. Returns how many were failed.
   */
  async failExhausted(limit = 100): Promise<number> {
    let failed = 0;
    // One transaction per execution, locking the execution before its commands, as event handling does.
    for (const executionId of await executionsWithExhaustedCommands(this.db, limit)) {
      failed += await this.transact(async (tx, scope) => {
        const row = await lockExecution(tx, executionId);
        const taken = await takeExhaustedCommands(tx, { executionId });
        if (!row || taken.length === 0) return taken.length;
        const events = taken.flatMap((c) => {
          const error = {
            kind: "worker_lost",
            message: `the worker running this command was lost ${c.claims} time(s); giving up`,
            retryable: false,
          };
          return callFinished(executionId, c, { error }, "reaper");
        });
        await this.applyEvents(tx, row, events, scope);
        return taken.length;
      });
    }
    return failed;
  }

  /** Runs fn in a transaction (retried on deadlock), then announces what it committed. */
  private async transact<T>(fn: (tx: Db, scope: TxScope) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const scope = newScope();
      try {
        const result = await this.db.transaction(async (tx) => {
          const value = await fn(tx, scope);
          // Nothing in the transaction waits for these writes: COMMIT goes out right behind them.
          if (scope.pending.length > 0) tx.defer(this.writePending(tx, scope));
          return value;
        });
        this.announce(scope);
        return result;
      } catch (err) {
        const state = sqlState(err);
        const retry = state === SQLSTATE.deadlockDetected || state === SQLSTATE.serializationFailure;
        if (!retry || attempt >= TRANSACTION_ATTEMPTS) throw err;
        this.log.warn({ err, attempt }, "transaction conflict; retrying");
      }
    }
  }

  /**
   * After a commit: keep the states it produced, hand pushed commands to their offers, count it in the
   * metrics, tell the listeners.
   */
  private announce(scope: TxScope): void {
    for (const [id, versioned] of scope.states) this.states.set(id, versioned);
    for (const observation of scope.observed) this.observe(observation);
    for (const [offer, commands] of scope.pushed) offer.pushed.push(...commands);
    for (const c of scope.out) for (const listener of this.listeners) listener(c);
  }

  private async insert(
    tx: Db,
    executionId: string,
    loaded: LoadedPlaybook,
    extra: { parentExecutionId?: string | null; parentCommandId?: string; status?: "pending" },
  ): Promise<void> {
    try {
      await insertExecution(tx, {
        id: executionId,
        playbookPath: loaded.path,
        playbookVersion: loaded.version,
        workload: loaded.playbook.workload,
        ...extra,
      });
    } catch (err) {
      throw existsError(err, executionId);
    }
  }

  /** Inserts a start batch's executions, returned as locked rows by id (see insertLockedExecutions). */
  private async insertStarted(tx: Db, batch: readonly NewStart[]): Promise<Map<string, LockedExecution>> {
    const rows = await insertLockedExecutions(
      tx,
      batch.map(({ executionId, loaded, request }) => ({
        id: executionId,
        playbookPath: loaded.path,
        playbookVersion: loaded.version,
        workload: loaded.playbook.workload,
        parentExecutionId: request.parent_execution_id ?? null,
      })),
    ).catch((err: unknown) => {
      throw existsError(err, batch.map((start) => start.executionId).join(", "));
    });
    return new Map(rows.map((row) => [row.id, row]));
  }

  private async resolve(request: ExecuteRequest): Promise<LoadedPlaybook> {
    if (request.playbook_yaml !== undefined) return this.catalog.register(request.playbook_yaml);
    if (request.path !== undefined) return this.catalog.load(request.path, request.version);
    throw badRequest("give either 'path' (a registered playbook) or 'playbook_yaml'");
  }

  private async acceptGroup(group: IncomingEvent[], offer?: PushOffer): Promise<EventAck> {
    const first = group[0]!;
    if (first.lease_token !== undefined && first.command_id !== undefined) {
      return this.reports.submit(first.execution_id, group, offer);
    }
    if (group.some((e) => WORKER_EVENTS.has(e.name))) {
      throw badRequest(`${first.name} events must carry command_id and lease_token`);
    }
    const key = idempotencyKey(first);
    return this.transact(async (tx, scope): Promise<EventAck> => {
      if (key !== undefined && (await eventsByIdempotencyKey(tx, [key])).length > 0) {
        const status = (await executionStatus(tx, first.execution_id)) ?? "unknown";
        return { ...ackBase(first), status: "duplicate", execution_status: status };
      }
      const applied = await this.applyLocked(tx, first.execution_id, group, scope);
      return { ...ackBase(first), status: "accepted", execution_status: applied.status };
    });
  }

  /**
   * Worker reports of several executions, applied together in one transaction (see ReportBatcher). If it
   * fails, each execution's reports are applied again in a transaction of their own, so that one
   * execution's failure refuses only its own reports.
   */
  private async applyReports(
    batch: ReadonlyMap<string, IncomingEvent[][]>,
    offers: readonly PushOffer[] = [],
  ): Promise<Map<string, ReportOutcome[]>> {
    const started = performance.now();
    const lone = batch.size === 1 ? [...batch][0] : undefined;
    if (lone !== undefined && lone[1].length === 1) {
      const outcome = await this.applyOptimistic(lone[0], lone[1][0]!, offers).catch((err: unknown) => {
        this.log.debug({ err }, "optimistic write failed; taking the lock");
        return undefined;
      });
      if (outcome !== undefined) {
        this.vacuum.commandsFinished(1);
        this.metrics.eventHandling.observe((performance.now() - started) / 1000);
        return new Map([[lone[0], [outcome]]]);
      }
    }
    const apply = (tx: Db, scope: TxScope, reports: ReadonlyMap<string, IncomingEvent[][]>) => {
      scope.offers = offers;
      return this.applyReportsIn(tx, reports, scope);
    };
    try {
      const outcomes = await this.transact((tx, scope) => apply(tx, scope, batch));
      this.vacuum.commandsFinished([...outcomes.values()].flat().length);
      return outcomes;
    } catch (err) {
      if (batch.size === 1) throw err;
      this.log.warn(
        { err, executions: batch.size },
        "a batch of reports failed; applying each execution alone",
      );
      const outcomes = new Map<string, ReportOutcome[]>();
      for (const [executionId, reports] of batch) {
        const one = new Map([[executionId, reports]]);
        try {
          const answers = await this.transact((tx, scope) => apply(tx, scope, one));
          outcomes.set(executionId, answers.get(executionId)!);
        } catch (failure) {
          const error = failure instanceof Error ? failure : new Error(String(failure));
          outcomes.set(
            executionId,
            reports.map(() => ({ error })),
          );
        }
      }
      return outcomes;
    } finally {
      this.metrics.eventHandling.observe((performance.now() - started) / 1000);
    }
  }

  /**
   * A lone report on an execution whose current state this server holds, without a lock round trip: the
   * engine runs first, on the kept state, with the database clock as estimated at the last locked
   * transaction (never earlier than the execution's previous transaction), and one autocommit statement
   * writes the outcome under a guard (commitTransitions): the execution still running at the kept head, the
   * report's lease still held. One round trip instead of three (BEGIN with the lock, the write, COMMIT).
   * Undefined when it does not apply (an end, a child, a cancellation, a checkpoint due: the locked path has
   * the logic for those) or when the guard failed: nothing was written, and the caller takes the lock.
   */
  private async applyOptimistic(
    executionId: string,
    report: IncomingEvent[],
    offers: readonly PushOffer[],
  ): Promise<ReportOutcome | undefined> {
    const kept = this.states.peek(executionId);
    const row = kept?.row;
    if (kept === undefined || row === undefined || this.clockOffset === undefined) return undefined;
    if (row.journal_events + report.length >= CHECKPOINT_EVERY_EVENTS) return undefined;
    const first = report[0]!;
    const { engine } = await this.catalog.load(row.playbook_path, row.playbook_version);
    const clock = new Date(Math.max(Date.now() + this.clockOffset, Date.parse(row.clock))).toISOString();
    const result = engine.handleAll(
      kept.state,
      report.map((e) => toInputEvent(e, clock)),
    );
    const state = result.state;
    if (state === undefined || state.status !== "running" || result.cancel_commands.length > 0)
      return undefined;
    if (result.commands.some((c) => c.kind === "playbook")) return undefined;
    const events: NewEvent[] = report.map(toStored);
    for (const e of result.events) events.push(fromEngine(executionId, e));
    const scope = newScope(offers);
    const leases = this.assignOffers(scope, result.commands);
    const open = result.commands.filter((c) => !leases.has(c.command_id));
    const transition: Transition = {
      executionId,
      events,
      commands: withLeases(result.commands, leases),
      status: state.status,
      result: state.result ?? null,
      error: (state.error as JsonObject | undefined) ?? null,
      ended: false,
      journalEvents: report.length,
    };
    const guard = { head: kept.head, lease: leaseOf(report), clock };
    const wake = open.length > 0 ? wakeHint(open, clock) : "";
    const sent = Date.now();
    const written = await commitTransitions(this.db, [transition], wake, guard);
    const head = written.heads.get(executionId);
    if (head === undefined) return undefined;
    // Every write measures the clock again: a chain that only ever writes here keeps its estimate fresh.
    this.learnClock(written.now, sent);
    scope.observed.push({ group: report, stored: events, queued: result.commands });
    const committed: Committed = {
      execution_id: executionId,
      events,
      commands: result.commands.length,
      status: state.status,
    };
    // "" is a wake-up too (runnable now); only commands all pushed to the offering worker need none.
    if (open.length > 0) committed.wake = wake;
    scope.out.push(committed);
    scope.states.set(executionId, {
      state,
      head,
      row: { ...row, journal_events: row.journal_events + report.length, clock },
    });
    this.announce(scope);
    return { ack: { ...ackBase(first), status: "accepted", execution_status: state.status } };
  }

  /**
   * The database clock minus this server's, estimated from a locked transaction's now() (the time its first
   * statement reached the database) against the midpoint of that round trip. Used by applyOptimistic only.
   */
  private clockOffset: number | undefined;

  private learnClock(databaseNow: string | undefined, sent: number): void {
    if (databaseNow === undefined) return;
    this.clockOffset = Date.parse(databaseNow) - (sent + Date.now()) / 2;
  }

  /**
   * A report whose events are all stored already is a duplicate; one whose lease is gone is refused (409)
   * alone; the others' events run through the engine, one batch per execution.
   */
  private async applyReportsIn(
    tx: Db,
    batch: ReadonlyMap<string, IncomingEvent[][]>,
    scope: TxScope,
  ): Promise<Map<string, ReportOutcome[]>> {
    const ids = [...batch.keys()].sort();
    // A report posted twice (a retry racing its first try) may sit twice in one batch: the first counts.
    const firstOfLease = new Set<IncomingEvent[]>();
    const leaseKeys = new Set<string>();
    for (const report of ids.flatMap((id) => batch.get(id)!)) {
      const key = leaseKey(report[0]!.command_id!, report[0]!.lease_token!);
      if (leaseKeys.has(key)) continue;
      leaseKeys.add(key);
      firstOfLease.add(report);
    }
    const leases = [...firstOfLease].map((r) => leaseOf(r));
    // Pipelined, in this order: the executions' rows are still locked before any command row.
    const sent = Date.now();
    const [rows, held] = await Promise.all([lockExecutions(tx, ids), completeCommands(tx, leases)]);
    this.learnClock(rows.values().next().value?.locked_at, sent);
    const holds = (r: IncomingEvent[]) => held.has(leaseKey(r[0]!.command_id!, r[0]!.lease_token!));
    // Only reports whose lease is not held need the slower look-up: applied before, or stale?
    const keys = ids.flatMap((id) =>
      batch
        .get(id)!
        .filter((r) => !holds(r))
        .flatMap((r) => r.map(idempotencyKey)),
    );
    const seen = new Set((await eventsByIdempotencyKey(tx, keys as string[])).map((e) => e.idempotency_key));
    const outcomes = new Map<string, ReportOutcome[]>();
    for (const executionId of ids) {
      const reports = batch.get(executionId)!;
      let row = rows.get(executionId);
      if (!row) {
        const error = notFound(`no execution ${executionId}`);
        outcomes.set(
          executionId,
          reports.map(() => ({ error })),
        );
        continue;
      }
      // Written already by this transaction (a child of the batch reported its end to it): read it again.
      if (scope.states.has(executionId)) row = (await lockExecution(tx, executionId)) ?? row;
      const accepted = reports.filter((r) => firstOfLease.has(r) && holds(r));
      const applied =
        accepted.length > 0 ? await this.applyEvents(tx, row, accepted.flat(), scope, true) : undefined;
      const status = applied?.status ?? row.status;
      const answers = reports.map((report): ReportOutcome => {
        const base = ackBase(report[0]!);
        if (firstOfLease.has(report) && holds(report)) {
          return { ack: { ...base, status: "accepted", execution_status: status } };
        }
        if (!firstOfLease.has(report) || report.every((e) => seen.has(idempotencyKey(e)!))) {
          return { ack: { ...base, status: "duplicate", execution_status: status } };
        }
        this.metrics.leaseConflicts.inc();
        const message = `command ${base.command_id} is not leased with this token any more`;
        return { error: conflict("E_LEASE_LOST", message, { command_id: base.command_id }) };
      });
      outcomes.set(executionId, answers);
    }
    return outcomes;
  }

  /**
   * Locks the execution, runs the engine over the events and writes everything the engine decided. Starts
   * children for `playbook` calls, reports an ending child to its parent, and cancels the children of an
   * execution that failed or was cancelled — each in this same transaction.
   */
  private async applyLocked(
    tx: Db,
    executionId: string,
    group: IncomingEvent[],
    scope: TxScope,
  ): Promise<Committed> {
    const row = await lockExecution(tx, executionId);
    if (!row) throw notFound(`no execution ${executionId}`);
    return this.applyEvents(tx, row, group, scope);
  }

  /**
   * Runs the engine over events of the locked execution `row` and writes everything it decided. With
   * `deferred`, the writes may wait to go out with the other executions' of this transaction in one
   * statement (see writePending); they never wait when a child, a parent or a cascade comes next.
   */
  private async applyEvents(
    tx: Db,
    row: LockedExecution,
    group: IncomingEvent[],
    scope: TxScope,
    deferred = false,
  ): Promise<Committed> {
    const executionId = row.id;
    const { engine } = await this.catalog.load(row.playbook_path, row.playbook_version, tx);
    const timestamp = row.locked_at;
    const before = await this.stateOf(tx, row, engine, scope);
    const result = engine.handleAll(
      before.state,
      group.map((e) => toInputEvent(e, timestamp)),
    );
    const state = result.state;
    const events: NewEvent[] = group.map(toStored);
    for (const e of result.events) events.push(fromEngine(executionId, e));
    const commands = result.commands;
    const cancel = new Set(result.cancel_commands);
    if (!state) throw badRequest(`execution ${executionId} has not started: post workflow.start first`);
    const ended = state.status !== "running";
    // Ended in this transaction (not an event arriving after the end, e.g. a cancel of a finished run):
    // only then are commands dropped, children cancelled, the parent told and the end counted.
    const endedNow = ended && (row.status === "running" || row.status === "pending");
    const live = ended ? [] : commands.filter((c) => !cancel.has(c.command_id));
    const queued = live.filter((c) => c.kind !== "playbook");
    // A new checkpoint at the end (the final state stays readable in the row), when the journal has grown
    // long, and after a long replay (another replica, a restart: the next transaction should not pay it
    // again).
    const checkpoint =
      endedNow ||
      row.journal_events + group.length >= CHECKPOINT_EVERY_EVENTS ||
      before.replayed > CHECKPOINT_AFTER_REPLAY;
    const transition: Transition = {
      executionId,
      events,
      commands: queued,
      status: state.status,
      result: state.result ?? null,
      error: (state.error as JsonObject | undefined) ?? null,
      ended,
      journalEvents: group.length,
    };
    if (endedNow) transition.cancel = "all";
    else if (cancel.size > 0) transition.cancel = [...cancel];
    if (checkpoint) transition.checkpoint = state as unknown as JsonObject;
    const committed: Committed = {
      execution_id: executionId,
      events,
      commands: queued.length,
      status: state.status,
    };
    if (endedNow) committed.ended = state.status;
    scope.out.push(committed);
    scope.pending.push({ transition, state, headBefore: row.head_event_id, now: timestamp, committed, row });
    // Children, a parent or a cascade below need this execution's new head.
    const more = endedNow || live.some((c) => c.kind === "playbook");
    if (!deferred || more) await this.writePending(tx, scope);
    scope.observed.push({ group, stored: events, queued, ...(endedNow && { endedAs: state.status }) });

    // Everything below re-enters applyLocked for other executions (or this one, whose state is saved).
    for (const call of live) if (call.kind === "playbook") await this.startChild(tx, row, call, scope);
    if (endedNow) {
      if (state.status !== "completed") {
        for (const child of await runningChildren(tx, executionId)) {
          const reason = { reason: `parent execution ${executionId} ${state.status}` };
          await this.applyLocked(
            tx,
            child,
            [{ execution_id: child, name: "workflow.cancel", payload: reason }],
            scope,
          );
        }
      }
      if (row.parent_execution_id !== null && row.parent_command_id !== null) {
        await this.reportToParent(tx, row, state, scope);
      }
      this.log.info({ execution_id: executionId, status: state.status }, "execution ended");
    }
    return committed;
  }

  /**
   * Writes the transitions decided so far in this transaction, all in one statement, and keeps each state
   * whose events were stored (were none, all duplicates, which the lease check rules out, the journal as
   * stored is the truth and the next transaction replays it).
   */
  private async writePending(tx: Db, scope: TxScope): Promise<void> {
    const pending = scope.pending.splice(0);
    if (pending.length === 0) return;
    const queued = pending.flatMap((p) => p.transition.commands);
    const leases = this.assignOffers(scope, queued);
    const open = queued.filter((c) => !leases.has(c.command_id));
    const { heads } = await commitTransitions(
      tx,
      pending.map((p) => ({
        ...p.transition,
        commands: withLeases(p.transition.commands, leases),
      })),
      open.length > 0 ? wakeHint(open, pending[0]!.now) : "",
    );
    for (const p of pending) {
      // In-process workers are woken only for the commands left for any worker to claim (the NOTIFY's rule).
      const left = p.transition.commands.filter((c) => !leases.has(c.command_id));
      if (left.length > 0) p.committed.wake = wakeHint(left, p.now);
      const head = heads.get(p.transition.executionId) ?? p.headBefore;
      if (p.transition.checkpoint !== undefined || head !== p.headBefore) {
        const journal =
          p.transition.checkpoint !== undefined ? 0 : p.row.journal_events + p.transition.journalEvents;
        const row = {
          playbook_path: p.row.playbook_path,
          playbook_version: p.row.playbook_version,
          journal_events: journal,
          clock: p.now,
        };
        scope.states.set(p.transition.executionId, { state: p.state, head, row });
      } else scope.states.delete(p.transition.executionId);
    }
  }

  /**
   * Leases commands that are runnable now to the workers that offered slots in this transaction's reports,
   * as far as their offers reach; the rest stay queued for any worker to claim.
   */
  private assignOffers(scope: TxScope, queued: readonly Command[]): Map<string, InsertLease> {
    const leases = new Map<string, InsertLease>();
    const offers = [...scope.offers];
    for (const command of queued) {
      if (command.run_at !== undefined) continue;
      let offer = offers[0];
      while (
        offer !== undefined &&
        offer.pushed.length + (scope.pushed.get(offer)?.length ?? 0) >= offer.slots
      ) {
        offers.shift();
        offer = offers[0];
      }
      if (offer === undefined) break;
      const lease = { owner: offer.worker_id, token: randomUUID(), ms: offer.lease_ms };
      leases.set(command.command_id, lease);
      const pushed = scope.pushed.get(offer) ?? [];
      pushed.push({ ...command, lease_token: lease.token });
      scope.pushed.set(offer, pushed);
    }
    return leases;
  }

  /**
   * The current state of the locked execution `row`: as this transaction left it, as this server kept it
   * after its last transaction on it (both only if current for the row's head), else the checkpoint with
   * the journal replayed.
   */
  private async stateOf(
    tx: Db,
    row: LockedExecution,
    engine: Engine,
    scope: TxScope,
  ): Promise<{ state: ExecutionState | undefined; replayed: number }> {
    const inTx = scope.states.get(row.id);
    if (inTx !== undefined && inTx.head === row.head_event_id) return { state: inTx.state, replayed: 0 };
    const kept = this.states.get(row.id, row.head_event_id);
    if (kept !== undefined) return { state: kept, replayed: 0 };
    const checkpoint = (await readCheckpoint<ExecutionState>(tx, row.id)) ?? {
      state: null,
      state_event_id: 0,
    };
    return replayJournal(tx, row.id, checkpoint, row.head_event_id, engine);
  }

  /**
   * The current state of an execution row read without locking (for the API), replaying its journal up to
   * the head that row has; undefined before it starts.
   */
  async currentState(row: ExecutionRow<ExecutionState>): Promise<ExecutionState | undefined> {
    // peek, not get: a row read without a lock may be older than the kept state, which must stay kept (a
    // client polling an execution would otherwise send every next report down the locked path).
    const kept = this.states.peek(row.id);
    if (kept !== undefined && kept.head === row.head_event_id) return kept.state;
    const { engine } = await this.catalog.load(row.playbook_path, row.playbook_version);
    return (await replayJournal(this.db, row.id, row, row.head_event_id, engine)).state;
  }

  /** A `playbook` tool call: start the child execution now; its end answers the call. */
  private async startChild(tx: Db, parent: LockedExecution, call: Command, scope: TxScope) {
    const path = typeof call.tool.path === "string" ? call.tool.path : "";
    const version = typeof call.tool.version === "number" ? call.tool.version : undefined;
    let loaded: LoadedPlaybook;
    try {
      loaded = await this.catalog.load(path, version, tx);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const error = { kind: "playbook", message: err.message, retryable: false };
      await this.applyLocked(tx, parent.id, callFinished(parent.id, call, { error }), scope);
      return;
    }
    const childId = randomUUID();
    await this.insert(tx, childId, loaded, {
      parentExecutionId: parent.id,
      parentCommandId: call.command_id,
    });
    const start = { execution_id: childId, name: "workflow.start", payload: { payload: call.args } } as const;
    await this.applyLocked(tx, childId, [start], scope);
  }

  private async reportToParent(tx: Db, child: LockedExecution, state: ExecutionState, scope: TxScope) {
    const parentId = child.parent_execution_id!;
    const parent = await lockExecution(tx, parentId);
    if (!parent) return;
    const { engine } = await this.catalog.load(parent.playbook_path, parent.playbook_version, tx);
    const { state: parentState } = await this.stateOf(tx, parent, engine, scope);
    const entry = parentState?.commands[child.parent_command_id!];
    const run = entry && parentState?.runs[entry.step_run_id];
    if (!entry || !run) return; // the parent ended (or moved on) meanwhile: nobody waits for this child
    const call = { command_id: child.parent_command_id!, step: run.step, step_run_id: entry.step_run_id };
    const payload: JsonObject =
      state.status === "completed"
        ? { response: state.result ?? null }
        : {
            error: {
              kind: "playbook",
              message: `child execution ${child.id} ${state.status}${state.error ? `: ${state.error.message}` : ""}`,
              retryable: false,
              child_execution_id: child.id,
              status: state.status,
            },
          };
    await this.applyLocked(tx, parentId, callFinished(parentId, call, payload), scope);
  }

  private observe({ group, stored, queued, endedAs }: Observation): void {
    const m = this.metrics;
    for (const e of group) {
      m.events.inc({ name: e.name });
      const queuedMs = e.name === "step.enter" ? e.payload?.queued_ms : undefined;
      if (typeof queuedMs === "number") m.claimLatency.observe(queuedMs / 1000);
    }
    for (const c of queued) m.commandsQueued.inc({ kind: c.kind });
    for (const e of stored) {
      if (e.name !== "step.done" || typeof e.payload.duration_ms !== "number") continue;
      m.stepDuration.observe(e.payload.duration_ms / 1000, { status: String(e.payload.status) });
    }
    if (endedAs !== undefined) m.executionsEnded.inc({ status: endedAs });
  }
}

/** The events that finish a call the server answered itself (a child playbook), as a worker would post them. */
function callFinished(
  executionId: string,
  call: { command_id: string; step: string; step_run_id: string; attempt?: number },
  payload: JsonObject,
  by = "server",
): IncomingEvent[] {
  const base: Omit<IncomingEvent, "name"> = {
    execution_id: executionId,
    command_id: call.command_id,
    step: call.step,
    step_run_id: call.step_run_id,
    worker_id: by,
  };
  if (call.attempt !== undefined) base.attempt = call.attempt;
  const exit: JsonObject =
    payload.error === undefined ? { status: "completed" } : { status: "failed", error: payload.error };
  return [
    { ...base, name: "call.done", payload },
    { ...base, name: "step.exit", payload: exit },
  ];
}

/**
 * The NOTIFY payload: empty when a command is runnable now, else `delay_ms=<n>` for the earliest delayed one
 * (a retry's backoff), so workers wake when it becomes runnable instead of at their next poll.
 */
function wakeHint(queued: readonly Command[], now: string): string {
  let earliest = Number.POSITIVE_INFINITY;
  for (const c of queued) {
    const delay = c.run_at === undefined ? 0 : Date.parse(c.run_at) - Date.parse(now);
    earliest = Math.min(earliest, Math.max(0, delay));
  }
  return earliest > 0 && Number.isFinite(earliest) ? `delay_ms=${Math.ceil(earliest)}` : "";
}

function newScope(offers: readonly PushOffer[] = []): TxScope {
  return { out: [], states: new Map(), pending: [], offers, pushed: new Map(), observed: [] };
}

function leaseOf(report: IncomingEvent[]): HeldLease {
  const first = report[0]!;
  return { executionId: first.execution_id, commandId: first.command_id!, leaseToken: first.lease_token! };
}

function ackBase(e: IncomingEvent): Pick<EventAck, "execution_id" | "command_id"> {
  return e.command_id === undefined
    ? { execution_id: e.execution_id }
    : { execution_id: e.execution_id, command_id: e.command_id };
}

/** The commands, each with the lease assignOffers gave it (if any): inserted leased to that worker. */
function withLeases(
  commands: readonly Command[],
  leases: ReadonlyMap<string, InsertLease>,
): Array<Command & { lease?: InsertLease }> {
  return commands.map((c) => {
    const lease = leases.get(c.command_id);
    return lease === undefined ? c : { ...c, lease };
  });
}

/** An execute request on its way into a start batch. */
interface NewStart {
  executionId: string;
  loaded: LoadedPlaybook;
  request: ExecuteRequest;
}

/** A unique violation on insert means the execution id is taken: a 409 the client can act on. */
function existsError(err: unknown, executionId: string): unknown {
  if (sqlState(err) !== SQLSTATE.uniqueViolation) return err;
  return conflict("E_EXECUTION_EXISTS", `execution ${executionId} exists`);
}
