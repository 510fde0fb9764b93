/**
 * Credentials as opaque encrypted blobs: encryption and decryption happen above the store, so the
 * database (and its backups) never sees a secret in clear.
 */
import type { Db } from "./db.ts";

export interface CredentialRow {
  name: string;
  type: string;
  /** The encrypted secret. */
  data: Uint8Array;
  created_at: string;
  updated_at: string;
}

export type CredentialSummary = Omit<CredentialRow, "data">;

/** Inserts or replaces a credential (keeping its created_at on replace). */
export async function putCredential(
  db: Db,
  input: { name: string; type: string; data: Uint8Array },
): Promise<void> {
  await db.query(
    `INSERT INTO credential (name, type, data) VALUES ($1, $2, $3::bytea)
     ON CONFLICT (name) DO UPDATE SET type = EXCLUDED.type, data = EXCLUDED.data, updated_at = now()`,
    [input.name, input.type, input.data],
  );
}

export async function getCredential(db: Db, name: string): Promise<CredentialRow | undefined> {
  const rows = await db.query<CredentialRow>(
    "SELECT name, type, data, created_at, updated_at FROM credential WHERE name = $1",
    [name],
  );
  return rows[0];
}

/** All credentials without their data, ordered by name. */
export async function listCredentials(db: Db): Promise<CredentialSummary[]> {
  return db.query<CredentialSummary>(
    "SELECT name, type, created_at, updated_at FROM credential ORDER BY name",
  );
}

/** True when a credential was deleted. */
export async function deleteCredential(db: Db, name: string): Promise<boolean> {
  const rows = await db.query("DELETE FROM credential WHERE name = $1 RETURNING name", [name]);
  return rows.length === 1;
}
