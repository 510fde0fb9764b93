/**
 * The only clock NoETL trusts: the database's. Workers' clocks may drift; leases, run_at and event
 * timestamps are all compared against now() in SQL.
 */
import type { Db } from "./db.ts";

/** The database's now() as an ISO string: the start time of the current transaction when inside one. */
export async function dbNow(db: Db): Promise<string> {
  const rows = await db.query<{ now: string }>("SELECT now() AS now");
  return rows[0]!.now;
}
