/**
 * The master key that encrypts credentials: 32 bytes for AES-256-GCM, read from text in one of three forms
 * (NOETL_SECRET_KEY or a key file):
 * - 64 hex digits;
 * - base64 (or base64url) of exactly 32 bytes;
 * - anything else of at least 12 characters is a passphrase, stretched with scrypt (N=2^15, r=8, p=1,
 *   about 100 ms once per process) and a fixed salt. The salt must be fixed: every process (server,
 *   workers, CLI) has to derive the same key from the same passphrase without sharing any other state.
 */
import { createHash, scryptSync } from "node:crypto";
import { CredentialError } from "./errors.ts";

export interface SecretKey {
  /** One byte stored in front of every blob, so a blob names the key that can open it (rotation). */
  readonly id: number;
  readonly bytes: Buffer;
  /** Where the key came from, for messages: `NOETL_SECRET_KEY` or a file path. Never the key itself. */
  readonly source: string;
}

export const KEY_BYTES = 32;
export const MIN_PASSPHRASE_LENGTH = 12;
/** Changing any of these changes every passphrase-derived key: they are part of the stored format. */
const SCRYPT_SALT = "noetl-credential-key-v1";
const SCRYPT_OPTIONS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const BASE64URL = /^[A-Za-z0-9_-]{43}$/;

/** How `text` is read: hex and base64 win over passphrase (a 64-hex-digit passphrase is read as hex). */
export function keyForm(text: string): "hex" | "base64" | "passphrase" {
  if (HEX.test(text)) return "hex";
  if (BASE64.test(text) || BASE64URL.test(text)) return "base64";
  return "passphrase";
}

export function parseSecretKey(raw: string, source: string): SecretKey {
  const text = raw.trim();
  let bytes: Buffer;
  switch (keyForm(text)) {
    case "hex":
      bytes = Buffer.from(text, "hex");
      break;
    case "base64":
      bytes = Buffer.from(text.replaceAll("-", "+").replaceAll("_", "/"), "base64");
      break;
    case "passphrase":
      if (text.length < MIN_PASSPHRASE_LENGTH) {
        throw new CredentialError(
          "E_CREDENTIAL_KEY",
          `the key from ${source} is neither 32 bytes in hex (64 digits) or base64 nor a passphrase of at ` +
            `least ${MIN_PASSPHRASE_LENGTH} characters`,
        );
      }
      bytes = scryptSync(text, SCRYPT_SALT, KEY_BYTES, SCRYPT_OPTIONS);
      break;
  }
  return keyFromBytes(bytes, source);
}

export function keyFromBytes(bytes: Buffer, source: string): SecretKey {
  if (bytes.length !== KEY_BYTES) {
    throw new CredentialError("E_CREDENTIAL_KEY", `the key from ${source} must be ${KEY_BYTES} bytes`);
  }
  return Object.freeze({ id: keyId(bytes), bytes, source });
}

/**
 * The first byte of a domain-separated SHA-256 of the key. It tells a wrong key from a tampered blob in
 * 255 cases of 256 and lets a keyring pick the right key; it reveals nothing usable about the key.
 */
export function keyId(bytes: Buffer): number {
  return createHash("sha256").update("noetl-key-id").update(bytes).digest()[0] ?? 0;
}

/** `2a`: how messages show a key id. */
export const formatKeyId = (id: number): string => id.toString(16).padStart(2, "0");
