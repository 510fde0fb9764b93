/**
 * Credential data at rest: AES-256-GCM over the JSON of the data, one blob per credential.
 *
 *   byte 0       format version (1)
 *   byte 1       id of the key that encrypted it (see key.ts), so keys can rotate
 *   bytes 2-13   random 96-bit IV, fresh for every write
 *   bytes 14..   ciphertext, then the 16-byte GCM tag
 *
 * The header, the credential's name and its type are authenticated (GCM additional data): a blob copied
 * onto another row, or a row whose type was edited, fails to open instead of serving the wrong secret.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { JsonObject } from "../dsl/types.ts";
import { CredentialError } from "./errors.ts";
import { formatKeyId, type SecretKey } from "./key.ts";

export const FORMAT_VERSION = 1;
const HEADER_BYTES = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CredentialPlain {
  name: string;
  type: string;
  data: JsonObject;
}

export interface CredentialSealed {
  name: string;
  type: string;
  data: Uint8Array;
}

function additionalData(header: Uint8Array, name: string, type: string): Buffer {
  return Buffer.concat([header, Buffer.from(JSON.stringify([name, type]), "utf8")]);
}

export function encryptCredential(key: SecretKey, credential: CredentialPlain): Uint8Array {
  const header = Uint8Array.of(FORMAT_VERSION, key.id);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, iv);
  cipher.setAAD(additionalData(header, credential.name, credential.type));
  const body = Buffer.concat([cipher.update(JSON.stringify(credential.data), "utf8"), cipher.final()]);
  return new Uint8Array(Buffer.concat([header, iv, body, cipher.getAuthTag()]));
}

/** Opens a blob with whichever of `keys` has its key id (the first is the current key). */
export function decryptCredential(
  keys: SecretKey | readonly SecretKey[],
  sealed: CredentialSealed,
): JsonObject {
  const ring: readonly SecretKey[] = Array.isArray(keys) ? keys : [keys as SecretKey];
  const blob = Buffer.from(sealed.data);
  const name = sealed.name;
  if (blob.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_VERSION) {
    throw new CredentialError(
      "E_CREDENTIAL_DECRYPT",
      `credential '${name}' is not in a format this version of NoETL can read`,
      name,
    );
  }
  const id = blob[1] ?? 0;
  const candidates = ring.filter((key) => key.id === id);
  if (candidates.length === 0) {
    const have = ring.map((key) => `${formatKeyId(key.id)} from ${key.source}`).join(", ") || "none";
    throw new CredentialError(
      "E_CREDENTIAL_WRONG_KEY",
      `credential '${name}' was encrypted with key id ${formatKeyId(id)}, but this process has key ${have}; ` +
        "the server, its workers and the CLI must share one key (NOETL_SECRET_KEY)",
      name,
    );
  }
  const header = blob.subarray(0, HEADER_BYTES);
  const iv = blob.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const body = blob.subarray(HEADER_BYTES + IV_BYTES, blob.length - TAG_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  for (const key of candidates) {
    const plain = tryOpen(key, header, iv, body, tag, sealed);
    if (plain !== undefined) return JSON.parse(plain) as JsonObject;
  }
  throw new CredentialError(
    "E_CREDENTIAL_DECRYPT",
    `credential '${name}' cannot be decrypted: its stored bytes, name or type were altered, or it was ` +
      `encrypted with another key that has the same id (${formatKeyId(id)})`,
    name,
  );
}

function tryOpen(
  key: SecretKey,
  header: Buffer,
  iv: Buffer,
  body: Buffer,
  tag: Buffer,
  sealed: CredentialSealed,
): string | undefined {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, iv);
    decipher.setAAD(additionalData(header, sealed.name, sealed.type));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
