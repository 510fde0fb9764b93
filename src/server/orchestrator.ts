/**
 * The orchestration transaction (ARCHITECTURE.md "Flow of one step"): the only place that writes commands.
 *
 * For each event (or a worker's batch of events for one command), in ONE transaction:
 *   finish the worker's command (lease check) → lock the execution → run the pure engine → append the events,
 *   save the state, cancel/insert commands → NOTIFY (delivered on commit).
 * The command row is locked before the execution row everywhere (the reaper too), so the two never deadlock.
 */
import { randomUUID } from "node:crypto";
import type { JsonObject } from "../dsl/types.ts";
import type { ExecutionState } from "../engine/index.ts";
import type { Command, InputEvent, InputEventName, OutputEvent } from "../engine/types.ts";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/db.ts";
import {
  appendEvents,
  cancelCommands,
  completeCommand,
  dbNow,
  eventsByIdempotencyKey,
  insertCommands,
  insertExecution,
  lockExecution,
  type NewEvent,
  QUEUE_CHANNEL,
  SQLSTATE,
  saveExecution,
  sqlState,
  takeExhaustedCommands,
} from "../store/index.ts";
import { badRequest, conflict, notFound } from "./errors.ts";
import { ServerMetrics } from "./metrics.ts";
import type { LoadedPlaybook, PlaybookCatalog } from "./playbooks.ts";

/** An event as posted to the API: by a client (workflow.start) or by a worker (with its lease token). */
export interface IncomingEvent {
  execution_id: string;
  name: InputEventName;
  payload?: JsonObject;
  step?: string;
  step_run_id?: string;
  command_id?: string;
  attempt?: number;
  worker_id?: string;
  lease_token?: string;
  idempotency_key?: string;
}

export interface EventAck {
  execution_id: string;
  command_id?: string;
  /** accepted: applied now; duplicate: these events were applied before (nothing changed). */
  status: "accepted" | "duplicate";
  execution_status: string;
}

/** What one orchestration transaction wrote, announced to listeners once it has committed. */
export interface Committed {
  execution_id: string;
  events: NewEvent[];
  /** Commands queued. */
  commands: number;
  /** Set when the execution ended in this transaction. */
  ended?: string;
}

export interface ExecuteRequest {
  path?: string;
  version?: number;
  playbook_yaml?: string;
  payload?: JsonObject;
  execution_id?: string;
  parent_execution_id?: string;
}

/** Events a worker posts for one command; their key makes a re-post harmless. */
const WORKER_EVENTS = new Set<string>(["step.enter", "call.done", "step.exit"]);

function idempotencyKey(e: IncomingEvent): string | undefined {
  if (e.idempotency_key !== undefined) return e.idempotency_key;
  if (e.command_id !== undefined && e.lease_token !== undefined)
    return `${e.command_id}/${e.lease_token}/${e.name}`;
  if (e.name === "workflow.start") return `${e.execution_id}/workflow.start`;
  return undefined;
}

export class Orchestrator {
  constructor(
    readonly db: Db,
    readonly catalog: PlaybookCatalog,
    private readonly log: Logger,
    readonly metrics: ServerMetrics = new ServerMetrics(),
  ) {}

  private readonly listeners: Array<(c: Committed) => void> = [];

  /** Calls `fn` after each committed orchestration transaction (progress display, wake-ups, waiting). */
  onCommit(fn: (c: Committed) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private announce(done: Committed[]): void {
    for (const c of done) for (const fn of this.listeners) fn(c);
  }

  /** Creates an execution and starts it (workflow.start) in one transaction. */
  async execute(request: ExecuteRequest): Promise<{ execution_id: string; path: string; version: number }> {
    const loaded = await this.resolve(request);
    const executionId = request.execution_id ?? randomUUID();
    const committed = await this.db.transaction(async (tx) => {
      await insertExecution(tx, {
        id: executionId,
        playbookPath: loaded.path,
        playbookVersion: loaded.version,
        workload: loaded.playbook.workload,
        parentExecutionId: request.parent_execution_id ?? null,
      }).catch((err: unknown) => {
        throw isUniqueViolation(err)
          ? conflict("E_EXECUTION_EXISTS", `execution ${executionId} exists`)
          : err;
      });
      return this.applyLocked(tx, executionId, [
        { execution_id: executionId, name: "workflow.start", payload: { payload: request.payload ?? {} } },
      ]);
    });
    this.announce([committed]);
    return { execution_id: executionId, path: loaded.path, version: loaded.version };
  }

  /**
   * The original two-call flow: register a playbook for a given execution id, then post workflow.start.
   * The execution exists (without engine state) from registration on.
   */
  async prepare(executionId: string, loaded: LoadedPlaybook): Promise<void> {
    await insertExecution(this.db, {
      id: executionId,
      playbookPath: loaded.path,
      playbookVersion: loaded.version,
      workload: loaded.playbook.workload,
    }).catch((err: unknown) => {
      throw isUniqueViolation(err) ? conflict("E_EXECUTION_EXISTS", `execution ${executionId} exists`) : err;
    });
  }

  /** Applies posted events: consecutive events of one execution and command form one transaction. */
  async accept(events: IncomingEvent[]): Promise<EventAck[]> {
    const acks: EventAck[] = [];
    for (const group of groupByCommand(events)) acks.push(await this.acceptGroup(group));
    return acks;
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
    const done: Committed[] = [];
    const count = await this.db.transaction(async (tx) => {
      const taken = await takeExhaustedCommands(tx, { limit });
      for (const c of taken) {
        const error = {
          kind: "worker_lost",
          message: `the worker running this command was lost ${c.claims} time(s); giving up`,
          retryable: false,
        };
        const base = { execution_id: c.execution_id, step: c.step, step_run_id: c.step_run_id };
        const ids = { ...base, command_id: c.command_id, attempt: c.attempt, worker_id: "reaper" };
        done.push(
          await this.applyLocked(tx, c.execution_id, [
            { ...ids, name: "call.done", payload: { error } },
            { ...ids, name: "step.exit", payload: { status: "failed", error } },
          ]),
        );
      }
      return taken.length;
    });
    this.announce(done);
    return count;
  }

  private async resolve(request: ExecuteRequest): Promise<LoadedPlaybook> {
    if (request.playbook_yaml !== undefined) return this.catalog.register(request.playbook_yaml);
    if (request.path !== undefined) return this.catalog.load(request.path, request.version);
    throw badRequest("give either 'path' (a registered playbook) or 'playbook_yaml'");
  }

  private async acceptGroup(group: IncomingEvent[]): Promise<EventAck> {
    const first = group[0]!;
    const keys = group.map(idempotencyKey);
    const started = performance.now();
    let committed: Committed | undefined;
    const ack = await this.db.transaction(async (tx): Promise<EventAck> => {
      if (keys.every((k) => k !== undefined)) {
        const seen = await eventsByIdempotencyKey(tx, keys as string[]);
        if (seen.length === keys.length) {
          return {
            ...ackBase(first),
            status: "duplicate",
            execution_status: await statusOf(tx, first.execution_id),
          };
        }
      }
      if (first.lease_token !== undefined && first.command_id !== undefined) {
        const held = await completeCommand(tx, {
          commandId: first.command_id,
          leaseToken: first.lease_token,
        });
        if (!held) {
          this.metrics.leaseConflicts.inc();
          throw conflict(
            "E_LEASE_LOST",
            `command ${first.command_id} is not leased with this token any more`,
            {
              command_id: first.command_id,
            },
          );
        }
      } else if (group.some((e) => WORKER_EVENTS.has(e.name))) {
        throw badRequest(`${first.name} events must carry command_id and lease_token`);
      }
      const applied = await this.applyLocked(tx, first.execution_id, group);
      committed = applied;
      return { ...ackBase(first), status: "accepted", execution_status: applied.ended ?? "running" };
    });
    if (committed) this.announce([committed]);
    this.metrics.eventHandling.observe((performance.now() - started) / 1000);
    return ack;
  }

  /** Locks the execution, runs the engine over the events and writes everything the engine decided. */
  private async applyLocked(tx: Db, executionId: string, group: IncomingEvent[]): Promise<Committed> {
    const row = await lockExecution<ExecutionState>(tx, executionId);
    if (!row) throw notFound(`no execution ${executionId}`);
    const { engine } = await this.catalog.load(row.playbook_path, row.playbook_version);
    const timestamp = await dbNow(tx);
    let state: ExecutionState | undefined = row.state ?? undefined;
    const events: NewEvent[] = [];
    const commands: Command[] = [];
    const cancel = new Set<string>();
    for (const incoming of group) {
      const input = toInputEvent(incoming, timestamp);
      const result = engine.handle(state, input);
      state = result.state;
      events.push(toStored(incoming, idempotencyKey(incoming)));
      for (const out of result.events) events.push(fromEngine(executionId, out));
      commands.push(...result.commands);
      for (const id of result.cancel_commands) cancel.add(id);
    }
    if (!state) throw badRequest(`execution ${executionId} has not started: post workflow.start first`);
    const ended = state.status !== "running";
    await appendEvents(tx, events);
    if (ended) await cancelCommands(tx, executionId, "all");
    else if (cancel.size > 0) await cancelCommands(tx, executionId, [...cancel]);
    const live = ended ? [] : commands.filter((c) => !cancel.has(c.command_id));
    if (live.length > 0) {
      await insertCommands(tx, live);
      await tx.notify(QUEUE_CHANNEL);
    }
    await saveExecution(tx, executionId, {
      state,
      status: state.status,
      result: state.result ?? null,
      error: (state.error as JsonObject | undefined) ?? null,
      ended,
    });
    this.observe(group, events, live, ended ? state.status : undefined);
    if (ended) this.log.info({ execution_id: executionId, status: state.status }, "execution ended");
    const committed: Committed = { execution_id: executionId, events, commands: live.length };
    if (ended) committed.ended = state.status;
    return committed;
  }

  private observe(group: IncomingEvent[], stored: NewEvent[], queued: Command[], endedAs?: string): void {
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

function groupByCommand(events: IncomingEvent[]): IncomingEvent[][] {
  const groups: IncomingEvent[][] = [];
  for (const e of events) {
    const last = groups.at(-1)?.[0];
    if (
      last &&
      last.execution_id === e.execution_id &&
      last.command_id !== undefined &&
      last.command_id === e.command_id
    ) {
      groups.at(-1)!.push(e);
    } else {
      groups.push([e]);
    }
  }
  return groups;
}

function ackBase(e: IncomingEvent): Pick<EventAck, "execution_id" | "command_id"> {
  return e.command_id === undefined
    ? { execution_id: e.execution_id }
    : { execution_id: e.execution_id, command_id: e.command_id };
}

async function statusOf(tx: Db, executionId: string): Promise<string> {
  const rows = await tx.query<{ status: string }>("SELECT status FROM execution WHERE id = $1", [
    executionId,
  ]);
  return rows[0]?.status ?? "unknown";
}

function toInputEvent(e: IncomingEvent, timestamp: string): InputEvent {
  const input: InputEvent = {
    name: e.name,
    execution_id: e.execution_id,
    timestamp,
    payload: e.payload ?? {},
  };
  if (e.step !== undefined) input.step = e.step;
  if (e.step_run_id !== undefined) input.step_run_id = e.step_run_id;
  if (e.command_id !== undefined) input.command_id = e.command_id;
  if (e.attempt !== undefined) input.attempt = e.attempt;
  if (e.worker_id !== undefined) input.worker_id = e.worker_id;
  return input;
}

function toStored(e: IncomingEvent, key: string | undefined): NewEvent {
  const { lease_token: _token, idempotency_key: _key, ...rest } = e;
  const stored: NewEvent = { ...rest, payload: e.payload ?? {} };
  if (key !== undefined) stored.idempotency_key = key;
  return stored;
}

function fromEngine(executionId: string, e: OutputEvent): NewEvent {
  const stored: NewEvent = { execution_id: executionId, name: e.name, payload: e.payload };
  if (e.step !== undefined) stored.step = e.step;
  if (e.step_run_id !== undefined) stored.step_run_id = e.step_run_id;
  return stored;
}

function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === SQLSTATE.uniqueViolation;
}
