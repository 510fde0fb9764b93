/**
 * Key rotation: re-encrypts every stored credential with a new key. Blobs name their key by id (cipher.ts),
 * so `from` may hold several old keys, and blobs already under the new key are left as they are. All or
 * nothing: one transaction, so a credential that no key opens leaves every row untouched.
 */
import { type Db, getCredential, listCredentials, putCredential } from "../store/index.ts";
import { decryptCredential, encryptCredential } from "./cipher.ts";
import type { SecretKey } from "./key.ts";

export async function rekeyCredentials(
  db: Db,
  from: readonly SecretKey[],
  to: SecretKey,
): Promise<{ rekeyed: string[]; unchanged: string[] }> {
  return db.transaction(async (tx) => {
    const rekeyed: string[] = [];
    const unchanged: string[] = [];
    for (const { name } of await listCredentials(tx)) {
      const row = await getCredential(tx, name);
      if (row === undefined) continue;
      if (row.data[1] === to.id && from.every((key) => key.id !== to.id)) {
        unchanged.push(name);
        continue;
      }
      const data = decryptCredential([to, ...from], row);
      await putCredential(tx, {
        name,
        type: row.type,
        data: encryptCredential(to, { name, type: row.type, data }),
      });
      rekeyed.push(name);
    }
    return { rekeyed, unchanged };
  });
}
