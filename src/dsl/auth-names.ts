/**
 * Credential names a playbook uses: every `auth: <name>` of a tool config (step tools, sink tools, workbook
 * entries, `call` overrides, and tool configs nested under `tool`/`sink`), the same places the worker
 * resolves (src/credentials/resolver.ts). A templated name (`auth: "{{ workload.cred }}"`) is only known
 * at run time.
 *
 * A name need not be declared in `keychain:`: a stored credential may be used without declaring it. The
 * server checks at registration that every undeclared name is stored (checkAuthNames in src/credentials).
 */
import { type Checker, isObject } from "./checker.ts";
import { formatPath, type Path } from "./path.ts";
import { SourceDoc } from "./source.ts";
import { isTemplate } from "./template-sites.ts";
import { forEachToolConfig } from "./tool-configs.ts";
import type { JsonObject, JsonValue, Playbook } from "./types.ts";

export interface AuthSite {
  /** The credential name as written. */
  name: string;
  path: Path;
  /** The step it belongs to; undefined in workbook entries. */
  step?: string;
  /** A templated name, resolved at run time. */
  template: boolean;
}

export interface LocatedAuthName {
  name: string;
  path: string;
  line: number;
  column: number;
  step?: string;
  template: boolean;
  /** Whether `keychain:` declares this name. */
  declared: boolean;
}

/** Every string `auth` of a playbook document, in the written form or the normalised one. */
export function authSites(doc: JsonValue): AuthSite[] {
  const sites: AuthSite[] = [];
  forEachToolConfig(doc, (tool, path, step) => {
    if (typeof tool.auth !== "string") return;
    const site: AuthSite = { name: tool.auth, path: [...path, "auth"], template: isTemplate(tool.auth) };
    if (step !== undefined) site.step = step;
    sites.push(site);
  });
  return sites;
}

/** The credential names a playbook uses (templated ones left out), each once, in order of first use. */
export function playbookAuthNames(playbook: Playbook): string[] {
  const sites = authSites(playbook as unknown as JsonObject).filter((site) => !site.template);
  return [...new Set(sites.map((site) => site.name))];
}

export function keychainNames(playbook: Pick<Playbook, "keychain">): string[] {
  return playbook.keychain.map((entry) => entry.name).filter((name) => typeof name === "string");
}

/** The `auth` sites of a YAML text with their line and column ([] when the text is not YAML). */
export function locateAuthNames(text: string): LocatedAuthName[] {
  const source = new SourceDoc(text);
  if (source.problems.length > 0) return [];
  let doc: JsonValue;
  try {
    doc = source.toJson();
  } catch {
    return [];
  }
  const keychain = isObject(doc) && Array.isArray(doc.keychain) ? doc.keychain : [];
  const declared = new Set(
    keychain.flatMap((e) => (isObject(e) && typeof e.name === "string" ? [e.name] : [])),
  );
  return authSites(doc).map((site) => ({
    ...site,
    path: formatPath(site.path),
    ...source.locate(site.path),
    declared: declared.has(site.name),
  }));
}

/**
 * The validator's part: keychain names are unique, and `auth` is a credential name or a mapping (an inline,
 * already resolved credential). An undeclared name is not an error (see the module comment).
 */
export function checkKeychainAndAuth(checker: Checker, doc: JsonObject): void {
  if (Array.isArray(doc.keychain)) {
    const seen = new Set<string>();
    doc.keychain.forEach((entry, i) => {
      if (!isObject(entry) || typeof entry.name !== "string") return;
      if (seen.has(entry.name)) {
        checker.error(["keychain", i, "name"], `duplicate keychain entry '${entry.name}'`);
      }
      seen.add(entry.name);
    });
  }
  forEachToolConfig(doc, (tool, path, step) => {
    const auth = tool.auth;
    if (auth === undefined || auth === null || typeof auth === "string" || isObject(auth)) return;
    const owner = step !== undefined ? `Step '${step}': ` : `${formatPath(path.slice(0, 2))}: `;
    checker.error(
      [...path, "auth"],
      `${owner}'auth' must be a credential name (or a mapping of the credential's fields)`,
    );
  });
}
