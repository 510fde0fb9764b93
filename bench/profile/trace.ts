/**
 * In-process instrumentation for the profile harness (bench-only; nothing in src/ knows about it): every
 * SQL statement, transaction, HTTP request, NOTIFY, claim, tool call and report is recorded as a span on
 * the machine's clock (epoch milliseconds with microsecond precision, comparable across processes).
 */
import type { Db } from "../../src/store/db.ts";

export type SpanKind = "query" | "tx" | "http" | "notify-received" | "tool" | "report";

export interface Span {
  proc: string;
  kind: SpanKind;
  label: string;
  start: number;
  end: number;
  /** query: rows returned; tx: statements inside. */
  rows?: number;
  inTx?: boolean;
}

export const clock = (): number => performance.timeOrigin + performance.now();

export class Trace {
  private spans: Span[] = [];
  constructor(readonly proc: string) {}

  add(span: Omit<Span, "proc">): void {
    this.spans.push({ proc: this.proc, ...span });
  }

  /** Everything recorded since the last take. */
  take(): Span[] {
    const all = this.spans;
    this.spans = [];
    return all;
  }
}

/** Statement names for the SQL NoETL sends, matched on its text (the store keeps SQL constant). */
const NAMES: Array<[RegExp, string]> = [
  [/^WITH picked AS/, "claimCommands"],
  [/^SELECT id, playbook_path.*ANY.*FOR UPDATE/s, "lockExecutions"],
  [/^SELECT id, playbook_path.*FOR UPDATE/s, "lockExecution"],
  [/^DELETE FROM command WHERE command_id = \$1 AND status = 'leased'/, "completeCommand"],
  [/^DELETE FROM command c USING unnest/, "completeCommands (batch)"],
  [/FROM event WHERE idempotency_key = ANY/, "eventsByIdempotencyKey"],
  [/^SELECT now\(\) AS now/, "dbNow"],
  [/appended AS \(INSERT INTO event/, "commitTransitions"],
  [/^WITH input AS \(\s*SELECT nextval\('event_id_seq'\)/, "appendEvents"],
  [/^INSERT INTO command/, "insertCommands"],
  [/^SELECT pg_notify/, "notify"],
  [/^UPDATE execution\s+SET state/, "saveExecution"],
  [/^INSERT INTO execution/, "insertExecution"],
  [/^UPDATE command SET lease_expires_at/, "extendLeases (heartbeat)"],
  [/^DELETE FROM command WHERE execution_id/, "cancelCommands"],
  [/FROM playbook/, "catalog"],
  [/^SELECT id, playbook_path/, "getExecution"],
];

export function statementName(sql: string): string {
  const text = sql.trim();
  for (const [pattern, name] of NAMES) if (pattern.test(text)) return name;
  return text.replace(/\s+/g, " ").slice(0, 70);
}

/** The Db with every statement and transaction recorded in `trace` (BEGIN/COMMIT are not statements here). */
export function tracedDb(db: Db, trace: Trace, inTx = false): Db {
  return {
    get driver() {
      return db.driver;
    },
    async query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      const start = clock();
      const rows = await db.query<T>(sql, params);
      trace.add({ kind: "query", label: statementName(sql), start, end: clock(), rows: rows.length, inTx });
      return rows;
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (inTx) return fn(this);
      const start = clock();
      try {
        return await db.transaction((tx) => fn(tracedDb(tx, trace, true)));
      } finally {
        trace.add({ kind: "tx", label: "transaction", start, end: clock() });
      }
    },
    defer: (write) => db.defer(write),
    exec: (sql) => db.exec(sql),
    listen: (channel, onNotify) =>
      db.listen(channel, (payload) => {
        const at = clock();
        trace.add({ kind: "notify-received", label: channel, start: at, end: at });
        onNotify(payload);
      }),
    async notify(channel, payload) {
      const start = clock();
      await db.notify(channel, payload);
      trace.add({ kind: "query", label: "notify", start, end: clock(), rows: 1, inTx });
    },
    close: () => db.close(),
  };
}
