/**
 * A fresh PostgreSQL database per benchmark run, created from the admin url (NOETL_BENCH_ADMIN_URL,
 * default postgres://postgres@127.0.0.1:5432/test) and dropped at the end, so runs never see old rows.
 */
import postgres from "postgres";

const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  return process.env.NOETL_BENCH_ADMIN_URL || DEFAULT_ADMIN_URL;
}

async function admin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `noetl_bench_${Date.now().toString(36)}_${process.pid}`;
  await admin((sql) => sql.unsafe(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Whether the admin database answers (server mode is skipped with a message when it does not). */
export async function postgresAvailable(): Promise<boolean> {
  try {
    await admin((sql) => sql.unsafe("SELECT 1"));
    return true;
  } catch {
    return false;
  }
}
