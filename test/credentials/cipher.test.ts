/** Encryption at rest: AES-256-GCM blobs that open only with the right key, name and type. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CredentialError,
  decryptCredential,
  encryptCredential,
  formatKeyId,
  parseSecretKey,
} from "../../src/credentials/index.ts";

// Fixed keys with different ids, so "wrong key" is always detected by id (random keys collide 1 time in 256).
const KEY_A = parseSecretKey("11".repeat(32), "test key A");
const KEY_B = parseSecretKey("22".repeat(32), "test key B");
const credential = {
  name: "pg_main",
  type: "postgres",
  data: { host: "db.internal", user: "etl", password: "correct horse battery staple", port: 5432 },
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CredentialError, `expected a CredentialError, got ${String(err)}`);
    return err.code;
  }
  assert.fail("expected an error");
}

describe("credentials: cipher", () => {
  test("keys used by these tests have different ids", () => {
    assert.notEqual(KEY_A.id, KEY_B.id);
  });

  test("round trip: what was encrypted decrypts to the same data", () => {
    const blob = encryptCredential(KEY_A, credential);
    assert.deepEqual(decryptCredential(KEY_A, { ...credential, data: blob }), credential.data);
  });

  test("the blob starts with format version 1 and the key id, and holds no plaintext", () => {
    const blob = Buffer.from(encryptCredential(KEY_A, credential));
    assert.equal(blob[0], 1);
    assert.equal(blob[1], KEY_A.id);
    assert.equal(blob.includes(Buffer.from("correct horse")), false);
    assert.equal(blob.includes(Buffer.from("db.internal")), false);
  });

  test("every write uses a fresh IV: the same data twice gives different blobs", () => {
    const one = Buffer.from(encryptCredential(KEY_A, credential));
    const two = Buffer.from(encryptCredential(KEY_A, credential));
    assert.notDeepEqual(one.subarray(2, 14), two.subarray(2, 14));
    assert.notDeepEqual(one, two);
  });

  test("a tampered ciphertext, tag or IV fails to decrypt", () => {
    const blob = encryptCredential(KEY_A, credential);
    for (const index of [2, 14, 20, blob.length - 1]) {
      const tampered = Uint8Array.from(blob);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      assert.equal(
        codeOf(() => decryptCredential(KEY_A, { ...credential, data: tampered })),
        "E_CREDENTIAL_DECRYPT",
      );
    }
    const truncated = blob.subarray(0, blob.length - 1);
    assert.equal(
      codeOf(() => decryptCredential(KEY_A, { ...credential, data: truncated })),
      "E_CREDENTIAL_DECRYPT",
    );
    assert.equal(
      codeOf(() => decryptCredential(KEY_A, { ...credential, data: new Uint8Array(5) })),
      "E_CREDENTIAL_DECRYPT",
    );
  });

  test("a blob moved to another name, or a row whose type was edited, fails to decrypt", () => {
    const blob = encryptCredential(KEY_A, credential);
    assert.equal(
      codeOf(() => decryptCredential(KEY_A, { name: "other", type: "postgres", data: blob })),
      "E_CREDENTIAL_DECRYPT",
    );
    assert.equal(
      codeOf(() => decryptCredential(KEY_A, { name: "pg_main", type: "bearer", data: blob })),
      "E_CREDENTIAL_DECRYPT",
    );
  });

  test("the wrong key fails with a message naming both key ids and how to fix it, never a value", () => {
    const blob = encryptCredential(KEY_A, credential);
    try {
      decryptCredential(KEY_B, { ...credential, data: blob });
      assert.fail("decrypted with the wrong key");
    } catch (err) {
      assert.ok(err instanceof CredentialError);
      assert.equal(err.code, "E_CREDENTIAL_WRONG_KEY");
      assert.equal(err.retryable, false);
      assert.equal(err.credential, "pg_main");
      assert.match(err.message, new RegExp(`key id ${formatKeyId(KEY_A.id)}`));
      assert.match(err.message, new RegExp(`${formatKeyId(KEY_B.id)} from test key B`));
      assert.match(err.message, /NOETL_SECRET_KEY/);
      assert.doesNotMatch(err.message, /correct horse/);
    }
  });

  test("rotation: a keyring opens blobs of its older keys (the current key first)", () => {
    const old = encryptCredential(KEY_A, credential);
    const current = encryptCredential(KEY_B, credential);
    for (const blob of [old, current]) {
      assert.deepEqual(decryptCredential([KEY_B, KEY_A], { ...credential, data: blob }), credential.data);
    }
  });
});
