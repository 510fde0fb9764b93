/**
 * Applies src/store/migrations/NNNN_name.sql in order, each once, recorded in `noetl_migration`.
 * Everything runs in one transaction behind a transaction-scoped advisory lock, so two processes
 * starting at once on the same PostgreSQL database apply each file exactly once (the second waits,
 * then finds nothing left to do), and a failing file leaves the schema untouched.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Db } from "./db.ts";
import { StoreError } from "./errors.ts";

export interface Migration {
  /** The file name without ".sql", e.g. "0001_init". */
  name: string;
  sql: string;
}

/** An arbitrary constant that names "NoETL migrations" among the database's advisory locks. */
const MIGRATION_LOCK_KEY = 7_404_330_001;
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;

/**
 * The folder beside this module; from a compiled dist/store/ (which has no .sql files) it falls back to the
 * package's src/store/migrations, which is shipped too.
 */
export function migrationsDir(): string {
  const candidates = [
    new URL("./migrations/", import.meta.url),
    new URL("../../src/store/migrations/", import.meta.url),
  ];
  const found = candidates.map((url) => fileURLToPath(url)).find((dir) => existsSync(dir));
  if (found === undefined) throw new StoreError("E_MIGRATIONS", "migrations folder not found");
  return found;
}

export async function loadMigrations(dir: string = migrationsDir()): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  const seen = new Set<string>();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (match === null) throw new StoreError("E_MIGRATIONS", `migration file '${file}' is not NNNN_name.sql`);
    const number = match[1] ?? "";
    if (seen.has(number)) throw new StoreError("E_MIGRATIONS", `two migration files are numbered ${number}`);
    seen.add(number);
    migrations.push({ name: file.slice(0, -".sql".length), sql: await readFile(`${dir}/${file}`, "utf8") });
  }
  return migrations;
}

export async function migrate(db: Db, migrations?: readonly Migration[]): Promise<{ applied: string[] }> {
  const pending = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS noetl_migration (
         name       text        PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await tx.query<{ name: string }>("SELECT name FROM noetl_migration")).map((r) => r.name),
    );
    const applied: string[] = [];
    for (const migration of pending) {
      if (done.has(migration.name)) continue;
      await tx.exec(migration.sql);
      await tx.query("INSERT INTO noetl_migration (name) VALUES ($1)", [migration.name]);
      applied.push(migration.name);
    }
    return { applied };
  });
}
