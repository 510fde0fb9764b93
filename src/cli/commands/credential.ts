/**
 * `noetl credential add|list|delete`: stored credentials (DSL §8).
 *
 * Where: with `--server-url` the command goes through the server's API (the server encrypts with its own
 * key, which this machine need not have). Otherwise it works directly on the database: `--db` (or
 * NOETL_DATABASE_URL) for PostgreSQL, else the embedded data dir that `noetl run` uses, encrypting with
 * this machine's key (NOETL_SECRET_KEY, or the key file, created on first use).
 *
 * Secrets are never printed and never echoed in error messages. Prefer `--file` (or `--file -` for stdin)
 * over `--data`: a command line is visible in the process list and the shell history.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { type Config, loadConfig } from "../../config.ts";
import {
  type CredentialSummary,
  deleteCredential,
  formatKeyId,
  listCredentials,
  loadSecretKey,
  parseSecretKey,
  rekeyCredentials,
  storeCredential,
} from "../../credentials/index.ts";
import { defaultKeyFile } from "../../credentials/key-file.ts";
import { type Db, migrate, openDb } from "../../store/index.ts";
import { ApiClient, ApiRequestError } from "../client.ts";
import { UsageError } from "../payload.ts";

export interface CredentialFlags {
  serverUrl?: string;
  db?: string;
  dataDir?: string;
  json?: boolean;
}

export interface AddFlags extends CredentialFlags {
  type?: string;
  data?: string;
  file?: string;
}

/** What a credential command prints; the caller writes it and sets the exit code. */
export interface CredentialOutput {
  stdout: string;
  exitCode: number;
}

function checkWhere(flags: CredentialFlags): void {
  if (flags.serverUrl !== undefined && (flags.db !== undefined || flags.dataDir !== undefined)) {
    throw new UsageError(
      "give either --server-url (through the server) or --db/--data-dir (direct), not both",
    );
  }
}

async function withDatabase<T>(config: Readonly<Config>, action: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(
    config.databaseUrl !== undefined ? { url: config.databaseUrl, max: 1 } : { dataDir: config.dataDir },
  );
  try {
    await migrate(db); // a fresh data dir: credentials may be added before the first `noetl run`
    return await action(db);
  } finally {
    await db.close();
  }
}

const where = (config: Readonly<Config>): string =>
  config.databaseUrl !== undefined ? "the PostgreSQL database" : `the data dir ${config.dataDir}`;

export async function credentialAdd(
  name: string,
  flags: AddFlags,
  env: NodeJS.ProcessEnv = process.env,
  stdin: () => Promise<string> = readStdin,
): Promise<CredentialOutput> {
  checkWhere(flags);
  if (flags.type === undefined) throw new UsageError("--type is required (e.g. postgres, http, bearer)");
  const data = await readData(flags, stdin);
  const input = { name, type: flags.type, data };
  const config = loadConfig(env, flags);
  if (flags.serverUrl !== undefined) {
    const stored = await new ApiClient(config.serverUrl).post<CredentialSummary>(
      "/api/v2/credentials",
      input,
    );
    return done(
      flags,
      stored,
      `stored credential '${stored.name}' (type ${stored.type}) on ${config.serverUrl}`,
    );
  }
  const keyFile = defaultKeyFile(config);
  const { key, created } = await loadSecretKey({ secretKey: config.secretKey, keyFile }, { create: true });
  const { credential } = await withDatabase(config, (db) => storeCredential(db, key, input));
  const keyNote = `${key.source}${created ? ", created now" : ""}; key id ${formatKeyId(key.id)}`;
  return done(
    flags,
    credential,
    `stored credential '${credential.name}' (type ${credential.type}) in ${where(config)}, encrypted with the key from ${keyNote}`,
  );
}

export async function credentialList(
  flags: CredentialFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CredentialOutput> {
  checkWhere(flags);
  const config = loadConfig(env, flags);
  const items =
    flags.serverUrl !== undefined
      ? (await new ApiClient(config.serverUrl).get<{ items: CredentialSummary[] }>("/api/v2/credentials"))
          .items
      : await withDatabase(config, listCredentials);
  if (flags.json) return { stdout: `${JSON.stringify(items, null, 2)}\n`, exitCode: 0 };
  if (items.length === 0) return { stdout: "no credentials stored\n", exitCode: 0 };
  const width = Math.max(4, ...items.map((c) => c.name.length));
  const typeWidth = Math.max(4, ...items.map((c) => c.type.length));
  const lines = [`${"NAME".padEnd(width)}  ${"TYPE".padEnd(typeWidth)}  UPDATED`];
  for (const c of items) lines.push(`${c.name.padEnd(width)}  ${c.type.padEnd(typeWidth)}  ${c.updated_at}`);
  return { stdout: `${lines.join("\n")}\n`, exitCode: 0 };
}

export async function credentialDelete(
  name: string,
  flags: CredentialFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CredentialOutput> {
  checkWhere(flags);
  const config = loadConfig(env, flags);
  const deleted =
    flags.serverUrl !== undefined
      ? await deleteOnServer(config.serverUrl, name)
      : await withDatabase(config, (db) => deleteCredential(db, name));
  if (!deleted) return { stdout: `no credential named '${name}'\n`, exitCode: 1 };
  return done(flags, { name, deleted: true }, `deleted credential '${name}'`);
}

/**
 * Key rotation, directly on the database: re-encrypts every credential with this machine's current key
 * (NOETL_SECRET_KEY, or the key file, created when missing) from the old key(s) in `oldKeyFiles`.
 */
export async function credentialRekey(
  flags: CredentialFlags & { oldKeyFile?: string[] },
  env: NodeJS.ProcessEnv = process.env,
): Promise<CredentialOutput> {
  if (flags.serverUrl !== undefined)
    throw new UsageError("rekey works on the database: use --db or --data-dir");
  const files = flags.oldKeyFile ?? [];
  if (files.length === 0) throw new UsageError("give the old key with --old-key-file <file> (repeatable)");
  const old = await Promise.all(
    files.map(async (file) => {
      try {
        return parseSecretKey(await readFile(file, "utf8"), file);
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new UsageError(`cannot use the old key file ${file}: ${reason}`);
      }
    }),
  );
  const config = loadConfig(env, flags);
  const keyFile = defaultKeyFile(config);
  const { key } = await loadSecretKey({ secretKey: config.secretKey, keyFile }, { create: true });
  const result = await withDatabase(config, (db) => rekeyCredentials(db, old, key));
  return done(
    flags,
    { ...result, key_id: formatKeyId(key.id) },
    `re-encrypted ${result.rekeyed.length} credential(s) with the key from ${key.source} (key id ${formatKeyId(key.id)})` +
      (result.unchanged.length > 0 ? `; ${result.unchanged.length} already used it` : ""),
  );
}

function done(flags: CredentialFlags, value: object, text: string): CredentialOutput {
  return { stdout: flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`, exitCode: 0 };
}

/** The credential's data from --data or --file; parse errors give a position, never the text. */
async function readData(flags: AddFlags, stdin: () => Promise<string>): Promise<unknown> {
  if ((flags.data === undefined) === (flags.file === undefined)) {
    throw new UsageError("give the credential's data with exactly one of --data <json> or --file <path|->");
  }
  if (flags.data !== undefined) {
    try {
      return JSON.parse(flags.data) as unknown;
    } catch (err) {
      const at = /position (\d+)/.exec((err as Error).message)?.[1];
      throw new UsageError(`--data is not valid JSON${at === undefined ? "" : ` (at position ${at})`}`);
    }
  }
  const file = flags.file as string;
  let text: string;
  try {
    text = file === "-" ? await stdin() : await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: YAML (a certificate reads well as a `|` block) with the failsafe schema, where every scalar
    // is a string: the core schema would turn a password `0123` into the number 123.
  }
  try {
    return parseYaml(text, { schema: "failsafe" }) as unknown;
  } catch (err) {
    const pos = err instanceof YAMLParseError ? err.linePos?.[0] : undefined;
    const at = pos === undefined ? "" : ` (line ${pos.line}, column ${pos.col})`;
    throw new UsageError(`${file === "-" ? "stdin" : file} is not valid JSON or YAML${at}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** DELETE through the API; false when the server has no such credential (404). */
async function deleteOnServer(baseUrl: string, name: string): Promise<boolean> {
  try {
    await new ApiClient(baseUrl).delete(`/api/v2/credentials/${encodeURIComponent(name)}`);
    return true;
  } catch (err) {
    if (err instanceof ApiRequestError && err.status === 404) return false;
    throw err;
  }
}

async function print(output: Promise<CredentialOutput>): Promise<void> {
  try {
    const { stdout, exitCode } = await output;
    process.stdout.write(stdout);
    process.exitCode = exitCode;
  } catch (err) {
    if (!(err instanceof ApiRequestError)) throw err;
    process.stderr.write(`error: ${err.message} (${err.status} ${err.code})\n`);
    process.exitCode = 1;
  }
}

export function registerCredential(program: Command): void {
  const credential = program
    .command("credential")
    .description("stored credentials (encrypted at rest; `auth: <name>` in a tool uses one)");
  const whereOptions = (command: Command): Command =>
    command
      .option("--server-url <url>", "go through this server's API (it encrypts with its own key)")
      .option("--db <url>", "work directly on this PostgreSQL database (or NOETL_DATABASE_URL)")
      .option("--data-dir <dir>", "work directly on this embedded data dir (default .noetl)")
      .option("--json", "print JSON");

  whereOptions(
    credential
      .command("add")
      .description("store a credential, replacing one of the same name")
      .argument("<name>", "credential name, as written in `auth:`")
      .requiredOption("--type <type>", "credential type (postgres, bearer, basic, api_key, header, ...)")
      .option("--data <json>", "the credential's fields as a JSON object (visible in `ps`; prefer --file)")
      .option("--file <path>", "a JSON or YAML file with the credential's fields, or - for stdin"),
  ).action((name: string, flags: AddFlags) => print(credentialAdd(name, flags)));

  whereOptions(
    credential.command("list").description("list credentials: names and types, never values"),
  ).action((flags: CredentialFlags) => print(credentialList(flags)));

  whereOptions(
    credential.command("delete").description("delete a credential").argument("<name>", "credential name"),
  ).action((name: string, flags: CredentialFlags) => print(credentialDelete(name, flags)));

  whereOptions(
    credential
      .command("rekey")
      .description("re-encrypt every credential with the current key (rotation; direct on the database only)")
      .option(
        "--old-key-file <file>",
        "a file holding an old key (hex, base64 or passphrase; repeatable)",
        (value: string, previous: string[] = []) => [...previous, value],
      ),
  ).action((flags: CredentialFlags & { oldKeyFile?: string[] }) => print(credentialRekey(flags)));
}
