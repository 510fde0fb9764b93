/**
 * The current engine state of an execution. The database keeps it as a checkpoint (the row's `state`, as of
 * event `state_event_id`) plus a journal: the engine inputs among the execution's later events, up to
 * `head_event_id`. Replaying the journal over the checkpoint gives the current state, exactly: the engine is
 * deterministic and its only clock is each event's `created_at`, the time of the transaction that applied it
(an optimistic write stores the clock it ran the engine with).
 *
 * A transaction therefore writes its events and a few columns, not the whole state (which a wide loop makes
 * hundreds of kilobytes), and a server keeps the states it produced (StateCache) so that the next
 * transaction on the same execution reads neither the checkpoint nor the journal. A kept state is used only
 * when its head equals the locked row's head_event_id: a state left stale by another server replica or by a
 * rolled-back transaction is never used, and the database stays the only source of truth.
 */
import {
  type Engine,
  type ExecutionState,
  INPUT_EVENT_NAMES,
  type InputEvent,
  type InputEventName,
} from "../engine/index.ts";
import { type Db, type EventRow, journalEvents } from "../store/index.ts";
import { type IncomingEvent, toInputEvent } from "./event-records.ts";

/** The journal length (engine inputs) after which a transaction writes a new checkpoint. */
export const CHECKPOINT_EVERY_EVENTS = 512;
/** A transaction that had to replay more than this many events writes a checkpoint, so the next need not. */
export const CHECKPOINT_AFTER_REPLAY = 64;

export interface VersionedState {
  state: ExecutionState;
  /** The head_event_id this state is current for. */
  head: number;
  /** What a transaction without a lock needs of the row besides the state (Orchestrator.applyOptimistic). */
  row?: KeptRow;
}

/** The row as the transaction that produced a kept state left it. */
export interface KeptRow {
  playbook_path: string;
  playbook_version: number;
  journal_events: number;
  /** The engine's clock in that transaction: the next one's never goes back before it. */
  clock: string;
}

export interface Checkpoint {
  state: ExecutionState | null;
  state_event_id: number;
}

/** The state as of `head`: the checkpoint with the journal after it replayed; `replayed` counts the events. */
export async function replayJournal(
  db: Db,
  executionId: string,
  checkpoint: Checkpoint,
  head: number,
  engine: Engine,
): Promise<{ state: ExecutionState | undefined; replayed: number }> {
  const state = checkpoint.state ?? undefined;
  if (checkpoint.state_event_id >= head) return { state, replayed: 0 };
  const journal = await journalEvents(db, executionId, {
    afterId: checkpoint.state_event_id,
    upToId: head,
    names: INPUT_EVENT_NAMES,
  });
  if (journal.length === 0) return { state, replayed: 0 };
  return { state: engine.handleAll(state, journal.map(storedInput)).state, replayed: journal.length };
}

/** A stored event as the engine saw it when it was applied (its timestamp is the applying transaction's). */
function storedInput(e: EventRow): InputEvent {
  const incoming: IncomingEvent = {
    execution_id: e.execution_id,
    name: e.name as InputEventName,
    payload: e.payload,
  };
  if (e.step !== null) incoming.step = e.step;
  if (e.step_run_id !== null) incoming.step_run_id = e.step_run_id;
  if (e.command_id !== null) incoming.command_id = e.command_id;
  if (e.attempt !== null) incoming.attempt = e.attempt;
  if (e.worker_id !== null) incoming.worker_id = e.worker_id;
  return toInputEvent(incoming, e.created_at);
}

/**
 * The states of the executions this server touched last, least recently used evicted first. Ended
 * executions are dropped (their final state is always checkpointed). The capacity bounds memory: a state is
 * usually a few KB, a wide loop's up to a few hundred KB while it runs; an evicted execution costs one
 * checkpoint read and a replay of at most CHECKPOINT_EVERY_EVENTS events on its next transaction.
 */
export class StateCache {
  private readonly entries = new Map<string, VersionedState>();

  constructor(private readonly capacity = 1_000) {}

  /** The kept state if it is current for `head`. */
  get(executionId: string, head: number): ExecutionState | undefined {
    const entry = this.entries.get(executionId);
    if (entry === undefined) return undefined;
    if (entry.head !== head) {
      this.entries.delete(executionId);
      return undefined;
    }
    this.entries.delete(executionId); // re-inserted: most recently used
    this.entries.set(executionId, entry);
    return entry.state;
  }

  /** The kept entry, whatever head it is for (the caller checks it against the database itself). */
  peek(executionId: string): VersionedState | undefined {
    const entry = this.entries.get(executionId);
    if (entry === undefined) return undefined;
    this.entries.delete(executionId); // re-inserted: most recently used
    this.entries.set(executionId, entry);
    return entry;
  }

  set(executionId: string, entry: VersionedState): void {
    this.entries.delete(executionId);
    if (entry.state.status !== "running") return;
    this.entries.set(executionId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
