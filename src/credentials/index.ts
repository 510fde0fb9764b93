/**
 * Stored credentials that never leak (DSL §8): encrypted at rest (cipher.ts), resolved on the worker just
 * before a call (resolver.ts, run.ts), masked in everything the call reports (mask.ts), checked at
 * registration (auth-check.ts). See docs/security.md.
 */
export { checkAuthNames } from "./auth-check.ts";
export {
  type CredentialPlain,
  type CredentialSealed,
  decryptCredential,
  encryptCredential,
} from "./cipher.ts";
export { CredentialError, type CredentialErrorCode } from "./errors.ts";
export { formatKeyId, keyFromBytes, keyId, parseSecretKey, type SecretKey } from "./key.ts";
export {
  defaultKeyFile,
  KEY_FILE_NAME,
  type KeySource,
  type LoadedKey,
  loadSecretKey,
  openCredentialKey,
} from "./key-file.ts";
export { MASK, maskPattern, maskSecrets, maskText } from "./mask.ts";
export { rekeyCredentials } from "./rekey.ts";
export {
  CREDENTIAL_CACHE_MS,
  type CredentialResolver,
  createCredentialResolver,
  type ResolvedCommand,
  type ResolverOptions,
} from "./resolver.ts";
export { credentialFailure, maskOutcome, runWithCredentials } from "./run.ts";
export { DESCRIPTIVE_FIELDS, MIN_SECRET_LENGTH, secretStrings } from "./secrets.ts";
export {
  type CredentialSummary,
  checkCredentialInput,
  credentialSummary,
  deleteCredential,
  listCredentials,
  type ResolvedCredential,
  readCredential,
  storeCredential,
} from "./vault.ts";
