/**
 * Credentials with their values encrypted: the store keeps opaque blobs (src/store/credentials.ts); this
 * module checks input, encrypts on the way in and decrypts on the way out. Summaries never carry data.
 */
import type { JsonObject } from "../dsl/types.ts";
import {
  type CredentialSummary,
  type Db,
  deleteCredential,
  getCredential,
  listCredentials,
  putCredential,
} from "../store/index.ts";
import { type CredentialPlain, decryptCredential, encryptCredential } from "./cipher.ts";
import { CredentialError } from "./errors.ts";
import type { SecretKey } from "./key.ts";

/** Names appear in playbooks, URLs and messages: identifier-like, dots and dashes allowed. */
export const CREDENTIAL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const CREDENTIAL_TYPE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** Credentials are small (a password, a token, a certificate); 64 KiB refuses the mistaken upload. */
export const MAX_DATA_BYTES = 64 * 1024;

/** What a tool receives for `auth: <name>`: the type, then the data (whose own `type` wins). */
export type ResolvedCredential = JsonObject & { type: string };

export type { CredentialSummary };

const invalid = (message: string) => new CredentialError("E_CREDENTIAL_INVALID", message);

/** Checks a credential to store; messages name fields, never values. */
export function checkCredentialInput(input: {
  name: unknown;
  type: unknown;
  data: unknown;
}): CredentialPlain {
  const { name, type, data } = input;
  if (typeof name !== "string" || !CREDENTIAL_NAME.test(name)) {
    throw invalid(
      "a credential name is 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
    );
  }
  if (typeof type !== "string" || !CREDENTIAL_TYPE.test(type)) {
    throw invalid(
      `credential '${name}': 'type' is 1-64 letters, digits, '_', '.' or '-' (e.g. postgres, http)`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw invalid(`credential '${name}': 'data' must be a JSON object (e.g. {"password": "..."})`);
  }
  if (Buffer.byteLength(JSON.stringify(data), "utf8") > MAX_DATA_BYTES) {
    throw invalid(`credential '${name}': 'data' is larger than ${MAX_DATA_BYTES / 1024} KiB`);
  }
  return { name, type, data: data as JsonObject };
}

/** Encrypts and stores (replacing a credential of the same name). `created` is false on a replace. */
export async function storeCredential(
  db: Db,
  key: SecretKey,
  input: { name: unknown; type: unknown; data: unknown },
): Promise<{ created: boolean; credential: CredentialSummary }> {
  const plain = checkCredentialInput(input);
  await putCredential(db, { name: plain.name, type: plain.type, data: encryptCredential(key, plain) });
  const credential = await credentialSummary(db, plain.name);
  if (credential === undefined)
    throw new CredentialError("E_CREDENTIAL_UNKNOWN", "stored credential vanished");
  // One statement sets both timestamps to the same now() on insert; a replace moves updated_at only.
  return { created: credential.created_at === credential.updated_at, credential };
}

export async function credentialSummary(db: Db, name: string): Promise<CredentialSummary | undefined> {
  const row = await getCredential(db, name);
  if (row === undefined) return undefined;
  return { name: row.name, type: row.type, created_at: row.created_at, updated_at: row.updated_at };
}

export { deleteCredential, listCredentials };

/** Reads and decrypts one credential into what a tool receives. */
export async function readCredential(
  db: Db,
  keys: SecretKey | readonly SecretKey[] | undefined,
  name: string,
): Promise<ResolvedCredential> {
  let row: Awaited<ReturnType<typeof getCredential>>;
  try {
    row = await getCredential(db, name);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CredentialError(
      "E_CREDENTIAL_UNAVAILABLE",
      `cannot read credential '${name}': ${reason}`,
      name,
    );
  }
  if (row === undefined) {
    throw new CredentialError(
      "E_CREDENTIAL_UNKNOWN",
      `credential '${name}' is not stored (add it with: noetl credential add ${name} --type <type> --file <json>)`,
      name,
    );
  }
  if (keys === undefined || (Array.isArray(keys) && keys.length === 0)) {
    throw new CredentialError(
      "E_CREDENTIAL_NO_KEY",
      `credential '${name}' cannot be decrypted: no secret key is configured here (set NOETL_SECRET_KEY to the key the server uses)`,
      name,
    );
  }
  const data = decryptCredential(keys, row);
  return { type: row.type, ...data } as ResolvedCredential;
}
