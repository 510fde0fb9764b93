/**
 * Registration check (DSL §8): every credential name a playbook's tools use must be declared in its
 * `keychain:` or be stored. The pure validator cannot see the credential table, so the server runs this
 * after parsing. Issues carry line and column when the YAML text is given; without it (a playbook parsed
 * earlier) they carry the path in the normalised playbook and line/column 0.
 */
import { authSites, formatPath, keychainNames, locateAuthNames } from "../dsl/index.ts";
import type { JsonObject, Playbook, ValidationIssue } from "../dsl/types.ts";
import { type Db, listCredentials } from "../store/index.ts";

export async function checkAuthNames(
  db: Db,
  playbook: Playbook,
  opts: { yaml?: string; file?: string } = {},
): Promise<ValidationIssue[]> {
  const declared = new Set(keychainNames(playbook));
  const sites = (
    opts.yaml !== undefined
      ? locateAuthNames(opts.yaml)
      : authSites(playbook as unknown as JsonObject).map((site) => ({
          ...site,
          path: formatPath(site.path),
          line: 0,
          column: 0,
        }))
  ).filter((site) => !site.template && !declared.has(site.name));
  if (sites.length === 0) return [];
  const stored = new Set((await listCredentials(db)).map((row) => row.name));
  return sites
    .filter((site) => !stored.has(site.name))
    .map((site) => ({
      ...(opts.file !== undefined && { file: opts.file }),
      line: site.line,
      column: site.column,
      path: site.path,
      message:
        `${site.step === undefined ? "" : `Step '${site.step}': `}credential '${site.name}' is neither stored nor ` +
        `declared in 'keychain' (store it with: noetl credential add ${site.name} --type <type> --file <json>)`,
    }));
}
