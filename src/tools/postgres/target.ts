/**
 * Where a `postgres` call connects. Either `auth` (a credential the worker resolved before the call, DSL §8):
 * `{host, port?, user, password?, database, sslmode?}` (also `username`, `dbname`, and v1's `db_host`,
 * `db_port`, `db_user`, `db_password`, `db_name`) or `{url}`/`{dsn}`; or, without a stored credential,
 * `connection` (alias `dsn`) in the tool config: a `postgres://` URL or a libpq `key=value` string.
 *
 * Nothing here may put a password in a message: problems name fields, never values.
 */
import { createHash } from "node:crypto";
import type { JsonObject, JsonValue } from "../../dsl/types.ts";
import { isObject } from "../fields.ts";

export type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";
const SSL_MODES: readonly string[] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  sslmode?: SslMode;
}

type Parsed = { target: PgTarget } | { problem: string };

function text(value: JsonValue | undefined): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

function fromFields(fields: Record<string, string | undefined>, where: string): Parsed {
  const host = fields.host ?? fields.db_host;
  const user = fields.user ?? fields.username ?? fields.db_user;
  const database = fields.database ?? fields.dbname ?? fields.db_name;
  const missing = [
    host === undefined && "host",
    user === undefined && "user",
    database === undefined && "database",
  ].filter((name): name is string => name !== false);
  if (missing.length > 0) return { problem: `${where} has no ${missing.join(", ")}` };
  const portText = fields.port ?? fields.db_port ?? "5432";
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    return { problem: `${where} has an invalid port` };
  }
  const sslmode = fields.sslmode;
  if (sslmode !== undefined && !SSL_MODES.includes(sslmode)) {
    return { problem: `${where} has sslmode '${sslmode}' (expected ${SSL_MODES.join(", ")})` };
  }
  const target: PgTarget = { host: host as string, port, user: user as string, database: database as string };
  const password = fields.password ?? fields.db_password;
  if (password !== undefined) target.password = password;
  if (sslmode !== undefined) target.sslmode = sslmode as SslMode;
  return { target };
}

function fromUrl(raw: string, where: string): Parsed {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `${where} is not a valid postgres:// URL` };
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    return { problem: `${where} must start with postgres:// or postgresql://` };
  }
  const decode = (part: string): string | undefined => (part === "" ? undefined : decodeURIComponent(part));
  return fromFields(
    {
      host: decode(url.hostname.replace(/^\[(.*)\]$/, "$1")),
      port: decode(url.port),
      user: decode(url.username),
      password: decode(url.password),
      database: decode(url.pathname.replace(/^\//, "")),
      sslmode: url.searchParams.get("sslmode") ?? undefined,
    },
    where,
  );
}

/** libpq's `host=h port=5432 dbname=d user=u password='p w'`. */
function fromKeyValue(raw: string, where: string): Parsed {
  const fields: Record<string, string> = {};
  const pair = /\s*([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)/y;
  let at = 0;
  while (at < raw.length && raw.slice(at).trim() !== "") {
    pair.lastIndex = at;
    const match = pair.exec(raw);
    if (!match) return { problem: `${where} is neither a postgres:// URL nor key=value pairs` };
    const value = match[2] ?? "";
    fields[(match[1] ?? "").toLowerCase()] = value.startsWith("'")
      ? value.slice(1, -1).replace(/\\(.)/g, "$1")
      : value;
    at = pair.lastIndex;
  }
  return fromFields(fields, where);
}

function fromString(raw: string, where: string): Parsed {
  return /^[a-z]+:\/\//i.test(raw.trim()) ? fromUrl(raw.trim(), where) : fromKeyValue(raw, where);
}

function fromCredential(auth: JsonObject): Parsed {
  const url = text(auth.url) ?? text(auth.dsn) ?? text(auth.connection);
  if (url !== undefined) return fromString(url, "the 'auth' credential's url");
  const fields: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(auth)) fields[key] = text(value);
  return fromFields(fields, "the 'auth' credential");
}

/** The connection a config names, or the problem with it. */
export function parseTarget(config: JsonObject): Parsed {
  const auth = config.auth;
  const connection = config.connection ?? config.dsn;
  const hasAuth = auth !== undefined && auth !== null;
  const hasConnection = connection !== undefined && connection !== null;
  if (hasAuth && hasConnection) return { problem: "give either 'auth' or 'connection', not both" };
  if (hasAuth) {
    if (typeof auth === "string") {
      return { problem: `'auth' names credential '${auth}' but it was not resolved before the call` };
    }
    if (!isObject(auth)) return { problem: "'auth' must be a resolved credential mapping" };
    return fromCredential(auth);
  }
  if (hasConnection) {
    if (typeof connection !== "string") return { problem: "'connection' must be a string" };
    return fromString(connection, "'connection'");
  }
  return { problem: "needs 'auth' (a postgres credential) or 'connection' (a postgres:// URL)" };
}

/** A stable key per connection: a hash, so a password never sits in clear in a map that may be logged. */
export function targetKey(target: PgTarget): string {
  const { host, port, user, password, database, sslmode } = target;
  const canonical = JSON.stringify([host, port, user, password ?? null, database, sslmode ?? null]);
  return createHash("sha256").update(canonical).digest("hex");
}
