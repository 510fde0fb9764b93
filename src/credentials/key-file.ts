/**
 * Where the master key comes from: NOETL_SECRET_KEY when set, else a key file, created on first use by a
 * process that stores credentials (the server, `noetl credential add`), never by a worker or `noetl run`,
 * which only read it: a process that made up its own key could decrypt nothing.
 *
 * Default key file: `<dataDir>/secret.key` for embedded PGlite (it belongs with that database), and
 * `~/.noetl/secret.key` with a PostgreSQL url (the database is elsewhere; the key stays with the user).
 * In server mode every server and worker must use the same key: set NOETL_SECRET_KEY on all of them.
 */
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { Config } from "../config.ts";
import { CredentialError } from "./errors.ts";
import { KEY_BYTES, parseSecretKey, type SecretKey } from "./key.ts";

export const KEY_FILE_NAME = "secret.key";

export interface KeySource {
  /** NOETL_SECRET_KEY (config.secretKey): hex, base64 or a passphrase; wins over the file. */
  secretKey?: string | undefined;
  keyFile: string;
}

export interface LoadedKey {
  key: SecretKey;
  /** True when this call created the key file. */
  created: boolean;
}

export function defaultKeyFile(
  config: Pick<Config, "databaseUrl" | "dataDir">,
  home: string = homedir(),
): string {
  return config.databaseUrl === undefined
    ? join(config.dataDir, KEY_FILE_NAME)
    : join(home, ".noetl", KEY_FILE_NAME);
}

/** The key, or undefined when there is none and `create` is false. */
export async function loadSecretKey(source: KeySource, opts: { create: true }): Promise<LoadedKey>;
export async function loadSecretKey(
  source: KeySource,
  opts: { create: boolean },
): Promise<LoadedKey | undefined>;
export async function loadSecretKey(
  source: KeySource,
  opts: { create: boolean },
): Promise<LoadedKey | undefined> {
  if (source.secretKey !== undefined && source.secretKey !== "") {
    return { key: parseSecretKey(source.secretKey, "NOETL_SECRET_KEY"), created: false };
  }
  const existing = await readKeyFile(source.keyFile);
  if (existing !== undefined) return { key: existing, created: false };
  if (!opts.create) return undefined;
  return createKeyFile(source.keyFile);
}

/**
 * The config-level entry point: the key for this process, or undefined when there is none. With `create`
 * (server, CLI, `noetl run`) a missing key file is created; a worker passes `create: false`.
 */
export async function openCredentialKey(
  config: Pick<Config, "databaseUrl" | "dataDir" | "secretKey">,
  opts: { create: true },
): Promise<SecretKey>;
export async function openCredentialKey(
  config: Pick<Config, "databaseUrl" | "dataDir" | "secretKey">,
  opts: { create: boolean },
): Promise<SecretKey | undefined>;
export async function openCredentialKey(
  config: Pick<Config, "databaseUrl" | "dataDir" | "secretKey">,
  opts: { create: boolean },
): Promise<SecretKey | undefined> {
  const loaded = await loadSecretKey({ secretKey: config.secretKey, keyFile: defaultKeyFile(config) }, opts);
  return loaded?.key;
}

async function readKeyFile(file: string): Promise<SecretKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CredentialError(
      "E_CREDENTIAL_KEY",
      `cannot read the key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseSecretKey(text, file);
}

/**
 * Writes a fresh random key to a private temporary file, then hard-links it into place: link() fails when
 * the file exists, so two processes starting at once agree on one key and nobody reads a half-written file.
 */
async function createKeyFile(file: string): Promise<LoadedKey> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${randomBytes(KEY_BYTES).toString("base64")}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temporary, 0o600); // open()'s mode is filtered by the umask; make it exact
    await link(temporary, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const winner = await readKeyFile(file);
    if (winner === undefined) throw err;
    return { key: winner, created: false };
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const key = await readKeyFile(file);
  if (key === undefined) throw new CredentialError("E_CREDENTIAL_KEY", `the key file ${file} vanished`);
  return { key, created: true };
}
