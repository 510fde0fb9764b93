/**
 * The playbook catalog: every registered version of every path, immutable once written.
 */
import type { JsonObject } from "../dsl/types.ts";
import type { Db } from "./db.ts";

export interface PlaybookRow<P = JsonObject> {
  path: string;
  version: number;
  yaml: string;
  /** The parsed, normalised playbook as registered (the server parses once per version). */
  parsed: P;
  registered_at: string;
}

export interface PlaybookSummary {
  path: string;
  /** The latest version. */
  version: number;
  /** How many versions are registered. */
  versions: number;
  /** When the latest version was registered. */
  registered_at: string;
}

/** Serialises registrations per path: a 32-bit namespace key beside hashtext(path). */
const CATALOG_LOCK_NAMESPACE = 7404;

/**
 * Registers the next version of `path` (1 for a new path). Two concurrent registrations of the same path
 * get distinct consecutive versions: a transaction-scoped advisory lock per path orders them, and the
 * INSERT runs after the lock so its snapshot sees the other's committed row.
 */
export async function registerPlaybookVersion(
  db: Db,
  input: { path: string; yaml: string; parsed: object },
): Promise<{ path: string; version: number; registered_at: string; created: boolean }> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::int4, hashtext($2))", [
      CATALOG_LOCK_NAMESPACE,
      input.path,
    ]);
    // The same text as the latest version is that version again: running a file repeatedly (noetl run,
    // execute with playbook_yaml) does not grow the catalog. A changed text is the next version.
    const rows = await tx.query<{ path: string; version: number; registered_at: string; created: boolean }>(
      `WITH latest AS (
         SELECT path, version, yaml, registered_at FROM playbook WHERE path = $1 ORDER BY version DESC LIMIT 1
       ), inserted AS (
         INSERT INTO playbook (path, version, yaml, parsed)
         SELECT $1, COALESCE((SELECT version FROM latest), 0) + 1, $2, $3::jsonb
         WHERE NOT EXISTS (SELECT 1 FROM latest WHERE yaml = $2)
         RETURNING path, version, registered_at
       )
       SELECT path, version, registered_at, true AS created FROM inserted
       UNION ALL
       SELECT path, version, registered_at, false AS created FROM latest WHERE yaml = $2`,
      [input.path, input.yaml, input.parsed],
    );
    return rows[0]!;
  });
}

/** One version of a playbook, the latest when `version` is omitted; undefined when not registered. */
export async function getPlaybook<P = JsonObject>(
  db: Db,
  path: string,
  version?: number,
): Promise<PlaybookRow<P> | undefined> {
  const rows =
    version === undefined
      ? await db.query<PlaybookRow<P>>(
          "SELECT path, version, yaml, parsed, registered_at FROM playbook WHERE path = $1 ORDER BY version DESC LIMIT 1",
          [path],
        )
      : await db.query<PlaybookRow<P>>(
          "SELECT path, version, yaml, parsed, registered_at FROM playbook WHERE path = $1 AND version = $2",
          [path, version],
        );
  return rows[0];
}

/** Every path with its latest version and version count, ordered by path. */
export async function listPlaybooks(db: Db): Promise<PlaybookSummary[]> {
  return db.query<PlaybookSummary>(
    `SELECT DISTINCT ON (path) path, version, count(*) OVER (PARTITION BY path) AS versions, registered_at
     FROM playbook ORDER BY path, version DESC`,
  );
}

/** All versions of one path, newest first, without their YAML. */
export async function listPlaybookVersions(
  db: Db,
  path: string,
): Promise<Array<{ path: string; version: number; registered_at: string }>> {
  return db.query("SELECT path, version, registered_at FROM playbook WHERE path = $1 ORDER BY version DESC", [
    path,
  ]);
}
