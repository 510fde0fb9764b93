/**
 * Turns the harness's spans into per-step figures: statements and transactions per step (by process and
 * statement), and the critical path of one step split into phases (commit → worker wakes → claim → tool →
 * report over HTTP → server transaction → commit).
 */
import type { JsonObject } from "../../src/dsl/types.ts";
import { median, p95, round } from "../stats.ts";
import type { Span } from "./trace.ts";

/** Statements per step, by process and statement name (0-row claims counted apart: they found nothing). */
export function statementCounts(spans: readonly Span[], steps: number): JsonObject {
  const perProcess = new Map<string, Map<string, { count: number; ms: number }>>();
  for (const s of spans) {
    if (s.kind !== "query" && s.kind !== "tx") continue;
    const proc = s.proc.startsWith("w") ? "workers" : s.proc;
    const name =
      s.kind === "tx"
        ? "transaction (BEGIN … COMMIT)"
        : s.label === "claimCommands" && s.rows === 0
          ? "claimCommands (0 rows)"
          : s.label;
    const byName = perProcess.get(proc) ?? new Map();
    const entry = byName.get(name) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += s.end - s.start;
    byName.set(name, entry);
    perProcess.set(proc, byName);
  }
  const out: JsonObject = {};
  for (const [proc, byName] of perProcess) {
    const rows: JsonObject = {};
    const sorted = [...byName].sort((a, b) => b[1].count - a[1].count);
    for (const [name, e] of sorted) {
      rows[name] = { per_step: round(e.count / steps, 2), mean_ms: round(e.ms / e.count, 3) };
    }
    out[proc] = rows;
  }
  return out;
}

/**
 * Round trips per step: each statement is one, a transaction adds BEGIN and COMMIT. Commits: one per
 * transaction plus each write statement sent outside one (autocommit: the claim, the heartbeat).
 */
export function roundTrips(spans: readonly Span[], steps: number): JsonObject {
  const tally = (pred: (s: Span) => boolean) => spans.filter(pred).length;
  const isWorker = (s: Span) => s.proc.startsWith("w");
  const writes =
    /^(claimCommands|extendLeases|completeCommand|saveExecution|insertCommands|appendEvents|commitTransitions|notify)/;
  const result: JsonObject = {};
  for (const [name, pred] of [
    ["server", (s: Span) => !isWorker(s)],
    ["workers", isWorker],
  ] as const) {
    const statements = tally((s) => pred(s) && s.kind === "query");
    const txs = tally((s) => pred(s) && s.kind === "tx");
    const autocommitWrites = tally(
      (s) => pred(s) && s.kind === "query" && !s.inTx && writes.test(s.label) && (s.rows ?? 0) > 0,
    );
    result[name] = {
      statements_per_step: round(statements / steps, 2),
      transactions_per_step: round(txs / steps, 2),
      round_trips_per_step: round((statements + 2 * txs) / steps, 2),
      commits_per_step: round((txs + autocommitWrites) / steps, 2),
    };
  }
  return result;
}

interface StepPhases {
  /** Commit of the transaction that queued the command → the worker starts claiming it (0 when pushed). */
  wake: number;
  /** The claim statement, or for a pushed command the answer's way back to the worker. */
  claim: number;
  dispatch: number;
  tool: number;
  to_report: number;
  /** The report's request until its write starts (on the optimistic path this includes the engine). */
  http_in: number;
  /** The report's transaction, or on the optimistic path its one statement. */
  tx: number;
  tx_sql: number;
  http_out: number;
  total: number;
}

/**
 * The critical path of each step, from the commit that queued its command to the commit of its events. A
 * command came either by a claim or pushed in the answer to the worker's previous report (the push model):
 * then that report's transaction queued it, and it arrived with the answer.
 */
export function stepPhases(spans: readonly Span[]): JsonObject {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const reports = sorted.filter((s) => s.kind === "report");
  const serverTx = sorted.filter((s) => s.kind === "tx" && s.proc === "server");
  const serverQueries = sorted.filter((s) => s.proc === "server" && s.kind === "query");
  const inside = (tx: Span) => serverQueries.filter((q) => q.start >= tx.start && q.end <= tx.end);
  // The write of a report: its transaction, or on the optimistic path its one statement (no transaction).
  const writes = [
    ...serverTx,
    ...serverQueries.filter((q) => q.label === "commitTransitions" && !q.inTx),
  ].sort((a, b) => a.start - b.start);
  const txWithin = (request: Span) => writes.find((s) => s.start >= request.start && s.end <= request.end);
  // Transactions that queued a command (not the reaper's): the start of the next step's critical path.
  // NOTIFY is delivered at commit, so a worker may claim before the server has the COMMIT's answer: a
  // transaction counts as "queued before the claim" once its insert finished, and `wake` may be negative.
  const queuing = serverTx
    .map((tx) => ({
      tx,
      inserted: inside(tx).find((q) => q.label === "insertCommands" || q.label === "commitTransitions")?.end,
    }))
    .filter((q): q is { tx: Span; inserted: number } => q.inserted !== undefined);
  const phases: StepPhases[] = [];
  let pushed = 0;
  for (const report of reports) {
    const tool = sorted.find((s) => s.kind === "tool" && s.label === report.label);
    if (!tool) continue;
    const tx = txWithin(report);
    if (!tx) continue;
    const claim = sorted
      .filter(
        (s) =>
          s.proc === report.proc && s.label === "claimCommands" && (s.rows ?? 0) > 0 && s.end <= tool.start,
      )
      .at(-1);
    const previous = reports.filter((s) => s.proc === report.proc && s.end <= tool.start).at(-1);
    const pushedBy = previous && (!claim || previous.end > claim.end) ? txWithin(previous) : undefined;
    let queued: Span | undefined;
    let acquired: { start: number; end: number };
    if (pushedBy && previous) {
      queued = pushedBy;
      acquired = { start: pushedBy.end, end: previous.end };
      pushed++;
    } else if (claim) {
      queued = queuing.filter((q) => q.inserted <= claim.start).at(-1)?.tx;
      acquired = claim;
    } else continue;
    if (!queued) continue;
    const sql = inside(tx).reduce((sum, s) => sum + (s.end - s.start), 0);
    phases.push({
      wake: acquired.start - queued.end,
      claim: acquired.end - acquired.start,
      dispatch: tool.start - acquired.end,
      tool: tool.end - tool.start,
      to_report: report.start - tool.end,
      http_in: tx.start - report.start,
      tx: tx.end - tx.start,
      tx_sql: sql,
      http_out: report.end - tx.end,
      total: tx.end - queued.end,
    });
  }
  const out: JsonObject = { steps_matched: phases.length, pushed };
  for (const key of Object.keys(phases[0] ?? {}) as Array<keyof StepPhases>) {
    const values = phases.map((p) => p[key]);
    out[key] = { median_ms: round(median(values), 3), p95_ms: round(p95(values), 3) };
  }
  return out;
}
