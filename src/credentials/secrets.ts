/**
 * Which strings of a resolved credential are secrets to mask in everything a worker reports.
 *
 * Every string (and number) value of the data is, except the values of the descriptive fields below:
 * masking a host name, a port, a database or a user name would rewrite query results and error messages
 * that merely mention them (a result row `current_user = postgres` would read `***`) and corrupt the data
 * later steps read, while hiding nothing an attacker needs. Values shorter than 4 characters are not
 * masked either: `***` in place of every `ab` in a response would destroy it.
 */
import type { JsonObject, JsonValue } from "../dsl/types.ts";

export const MIN_SECRET_LENGTH = 4;

/** Field names (any depth, case-insensitive) whose values are not secret. */
export const DESCRIPTIVE_FIELDS: ReadonlySet<string> = new Set([
  "type",
  "host",
  "hostname",
  "port",
  "database",
  "dbname",
  "db_name",
  "db_host",
  "db_port",
  "sslmode",
  "header_name",
  "user",
  "username",
  "db_user",
]);

const USER_FIELDS = ["username", "user", "db_user"];
const PASSWORD_FIELDS = ["password", "db_password"];

/** The secret strings of one resolved credential, longest first, without duplicates. */
export function secretStrings(credential: JsonObject): string[] {
  const found = new Set<string>();
  collect(credential, found);
  // Basic auth sends base64("user:password"); the pair is masked as one string (mask.ts adds its base64).
  const user = firstString(credential, USER_FIELDS);
  const password = firstString(credential, PASSWORD_FIELDS);
  if (user !== undefined && password !== undefined) found.add(`${user}:${password}`);
  return [...found].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

function collect(value: JsonValue, found: Set<string>): void {
  if (typeof value === "string") {
    found.add(value);
    const password = urlPassword(value);
    if (password !== undefined) found.add(password);
  } else if (typeof value === "number") {
    found.add(String(value));
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (!DESCRIPTIVE_FIELDS.has(key.toLowerCase())) collect(item, found);
    }
  }
}

function firstString(object: JsonObject, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = object[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/** The password inside `scheme://user:password@host/...` (decoded), so an error quoting it is masked too. */
function urlPassword(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*:[^/]*@/i.test(text)) return undefined;
  try {
    const password = new URL(text).password;
    return password === "" ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
