/**
 * Real databases for integration tests (never mocks): a fresh PostgreSQL database per test file when a
 * server is reachable (NOETL_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), and an
 * in-memory PGlite always. Write a suite once and run it on both:
 *
 *   await forEachDatabase("store: commands", (database) => {
 *     let db: Db;
 *     before(async () => { db = await database.open(); await migrate(db); });
 *     test("…", async () => { … });
 *   });
 *
 * Each entry creates its database on the first open() and drops it in cleanup() (forEachDatabase calls
 * cleanup after the suite). Tests must not close what open() returned: cleanup does.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe } from "node:test";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { openPglite } from "../../src/store/db-pglite.ts";
import { type Db, openDb } from "../../src/store/index.ts";

export interface TestDatabase {
  name: "postgres" | "pglite";
  /** A reason to skip when this database is unavailable; false when usable. */
  skip: string | false;
  /**
   * A connection to this entry's database, created on first call. On PostgreSQL each call opens another
   * pool on the same database (to race two claimers); on PGlite every call returns the one instance.
   */
  open(options?: { max?: number; stallMs?: number }): Promise<Db>;
  /** Closes everything open() returned and drops the database. */
  cleanup(): Promise<void>;
}

const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";

function adminUrl(): string {
  return process.env.NOETL_TEST_DATABASE_URL || DEFAULT_ADMIN_URL;
}

let reachable: Promise<boolean> | undefined;

/** Whether PostgreSQL answers; decided once per process, printing one line when it does not. */
export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const sql = postgres(adminUrl(), { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql.unsafe("SELECT 1");
      return true;
    } catch {
      console.log("PostgreSQL not reachable: running PGlite only");
      return false;
    } finally {
      await sql.end({ timeout: 0 });
    }
  })();
  return reachable;
}

function postgresDatabase(available: boolean): TestDatabase {
  const dbName = `noetl_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const url = new URL(adminUrl());
  url.pathname = `/${dbName}`;
  const opened: Db[] = [];
  let created: Promise<void> | undefined;
  const admin = () => postgres(adminUrl(), { max: 1, onnotice: () => {} });
  return {
    name: "postgres",
    skip: available ? false : "PostgreSQL not reachable",
    async open(options = {}) {
      created ??= (async () => {
        const sql = admin();
        try {
          await sql.unsafe(`CREATE DATABASE ${dbName}`);
        } finally {
          await sql.end({ timeout: 0 });
        }
      })();
      await created;
      const db = await openDb({ url: url.toString(), max: options.max ?? 4, stallMs: options.stallMs });
      opened.push(db);
      return withoutClose(db);
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((db) => db.close()));
      if (created === undefined) return;
      const sql = admin();
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      } finally {
        await sql.end({ timeout: 0 });
      }
    },
  };
}

/**
 * A dump of a freshly initialised PGlite, cached in the temp folder per PGlite version: starting from it
 * skips initdb (about 4 s → 1 s per test file here). Written under a temporary name, then renamed, so
 * test files starting at once never read a partial file.
 */
async function pgliteTemplate(): Promise<Blob> {
  const entry = fileURLToPath(import.meta.resolve("@electric-sql/pglite"));
  const manifest = join(dirname(entry), "..", "package.json");
  const { version } = JSON.parse(await readFile(manifest, "utf8")) as { version: string };
  const file = join(tmpdir(), `noetl-pglite-template-${version}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const pg = await PGlite.create();
    const dump = await pg.dumpDataDir("none");
    await pg.close();
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  }
}

function pgliteDatabase(): TestDatabase {
  let instance: Promise<Db> | undefined;
  return {
    name: "pglite",
    skip: false,
    async open() {
      instance ??= pgliteTemplate().then((loadDataDir) => openPglite(undefined, { loadDataDir }));
      return withoutClose(await instance);
    },
    async cleanup() {
      const db = instance;
      instance = undefined;
      if (db !== undefined) await (await db).close();
    },
  };
}

/** The Db with close() disarmed: the helper owns the lifetime. */
function withoutClose(db: Db): Db {
  return {
    get driver() {
      return db.driver;
    },
    query: <T>(sql: string, params?: readonly unknown[]) => db.query<T>(sql, params),
    transaction: <T>(fn: (tx: Db) => Promise<T>) => db.transaction(fn),
    defer: (write) => db.defer(write),
    exec: (sql) => db.exec(sql),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    notify: (channel, payload) => db.notify(channel, payload),
    close: async () => {},
  };
}

/** PostgreSQL (skipped with a reason when unreachable) and PGlite, each a fresh database. */
export async function testDatabases(): Promise<TestDatabase[]> {
  return [postgresDatabase(await postgresReachable()), pgliteDatabase()];
}

/** Declares `describe("<title> [<driver>]")` once per database, cleaning up after the suite. */
export async function forEachDatabase(title: string, body: (database: TestDatabase) => void): Promise<void> {
  for (const database of await testDatabases()) {
    describe(`${title} [${database.name}]`, { skip: database.skip }, () => {
      after(() => database.cleanup());
      body(database);
    });
  }
}
