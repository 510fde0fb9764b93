/**
 * Credential errors: typed, with stable codes (CONVENTIONS 7). A message may name a credential, a key
 * source or a key id, never a value: these errors travel into events, logs and API responses.
 */
export type CredentialErrorCode =
  /** NOETL_SECRET_KEY (or the key file) is not a usable key. */
  | "E_CREDENTIAL_KEY"
  /** No key configured and none may be created here (a worker never creates one). */
  | "E_CREDENTIAL_NO_KEY"
  /** The blob was encrypted with a key this process does not have. */
  | "E_CREDENTIAL_WRONG_KEY"
  /** The blob fails authentication: tampered with, truncated, or moved to another name/type. */
  | "E_CREDENTIAL_DECRYPT"
  /** No credential of that name is stored. */
  | "E_CREDENTIAL_UNKNOWN"
  /** A name, type or data that cannot be stored. */
  | "E_CREDENTIAL_INVALID"
  /** The database could not be read (retryable). */
  | "E_CREDENTIAL_UNAVAILABLE";

export class CredentialError extends Error {
  constructor(
    readonly code: CredentialErrorCode,
    message: string,
    /** The credential concerned, when there is one. */
    readonly credential?: string,
  ) {
    super(message);
    this.name = "CredentialError";
  }

  /** Only a database outage may pass: a missing credential or a wrong key stays wrong on the next attempt. */
  get retryable(): boolean {
    return this.code === "E_CREDENTIAL_UNAVAILABLE";
  }
}
