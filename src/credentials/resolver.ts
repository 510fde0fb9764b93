/**
 * Resolution on the worker (DSL §8): every `auth: "<name>"` of a command's tool config (and of tool configs
 * nested in it under `tool` or `sink`) becomes the decrypted credential, just before the tool runs. The
 * command with values only ever lives in the worker's memory: it is never stored, logged or reported.
 *
 * Decrypted credentials are cached for 30 s: a fan-out of 10,000 calls with one credential reads and
 * decrypts it once, and a changed or deleted credential takes effect within 30 s. A lookup that failed
 * (unknown name) is not cached, so adding the credential helps at once.
 */
import { SECOND } from "../config.ts";
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import type { Command } from "../engine/types.ts";
import type { Db } from "../store/index.ts";
import type { SecretKey } from "./key.ts";
import { secretStrings } from "./secrets.ts";
import { type ResolvedCredential, readCredential } from "./vault.ts";

export const CREDENTIAL_CACHE_MS = 30 * SECOND;
/** Keys under which a tool config may hold another tool config (a sink's tool, a wrapped tool). */
const NESTED_TOOL_KEYS = ["tool", "sink"] as const;

export interface ResolvedCommand<C extends Command> {
  /** A copy of the command with credentials in place of their names (the same object when it had none). */
  command: C;
  /** The secret strings of every credential used, for masking what the call reports. */
  secrets: string[];
}

export interface CredentialResolver {
  resolve<C extends Command>(command: C): Promise<ResolvedCommand<C>>;
  /** Forgets every cached credential. */
  clear(): void;
}

export interface ResolverOptions {
  ttlMs?: number;
  /** Milliseconds clock for the cache (tests move it instead of sleeping). */
  now?: () => number;
}

interface Entry {
  expires: number;
  value: Promise<{ credential: ResolvedCredential; secrets: string[] }>;
}

export function createCredentialResolver(
  db: Db,
  key: SecretKey | readonly SecretKey[] | undefined,
  opts: ResolverOptions = {},
): CredentialResolver {
  const ttlMs = opts.ttlMs ?? CREDENTIAL_CACHE_MS;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry>();

  function lookup(name: string): Entry["value"] {
    const at = now();
    const hit = cache.get(name);
    if (hit !== undefined && hit.expires > at) return hit.value;
    if (cache.size > 1000) for (const [k, e] of cache) if (e.expires <= at) cache.delete(k);
    const value = readCredential(db, key, name).then((credential) => ({
      credential,
      secrets: secretStrings(credential),
    }));
    const entry = { expires: at + ttlMs, value };
    cache.set(name, entry);
    value.catch(() => {
      if (cache.get(name) === entry) cache.delete(name);
    });
    return value;
  }

  return {
    async resolve<C extends Command>(command: C): Promise<ResolvedCommand<C>> {
      const names = new Set<string>();
      authNames(command.tool, names);
      if (names.size === 0) return { command, secrets: [] };
      const found = await Promise.all([...names].map(async (name) => [name, await lookup(name)] as const));
      const credentials = new Map(found.map(([name, entry]) => [name, entry.credential]));
      const secrets = [...new Set(found.flatMap(([, entry]) => entry.secrets))];
      secrets.sort((a, b) => b.length - a.length);
      return { command: { ...command, tool: withCredentials(command.tool, credentials) }, secrets };
    },
    clear() {
      cache.clear();
    },
  };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function authNames(tool: JsonObject, out: Set<string>): void {
  if (typeof tool.auth === "string") out.add(tool.auth);
  for (const key of NESTED_TOOL_KEYS) {
    const nested = tool[key];
    if (isObject(nested)) authNames(nested, out);
  }
}

/** Copies only what changes; each command gets its own copy of a credential (a tool may modify its config). */
function withCredentials(tool: JsonObject, credentials: ReadonlyMap<string, ResolvedCredential>): JsonObject {
  let copy: JsonObject | undefined;
  if (typeof tool.auth === "string") {
    const credential = credentials.get(tool.auth);
    if (credential !== undefined) copy = { ...tool, auth: structuredClone(credential) };
  }
  for (const key of NESTED_TOOL_KEYS) {
    const nested = tool[key];
    if (!isObject(nested)) continue;
    const replaced = withCredentials(nested, credentials);
    if (replaced !== nested) {
      copy ??= { ...tool };
      copy[key] = replaced;
    }
  }
  return copy ?? tool;
}
