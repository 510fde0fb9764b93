/**
 * The catalog as the orchestrator uses it: registers validated playbooks, and turns (path, version) into a
 * parsed playbook and its engine, each parsed once per version and kept for the life of the process.
 */

import { checkAuthNames } from "../credentials/index.ts";
import { formatIssue, PlaybookInvalidError, parsePlaybook, type ValidationIssue } from "../dsl/index.ts";
import type { Playbook } from "../dsl/types.ts";
import { createEngine, type Engine } from "../engine/index.ts";
import type { Db } from "../store/db.ts";
import { getPlaybook, registerPlaybookVersion } from "../store/index.ts";
import { ApiError, notFound } from "./errors.ts";

export interface LoadedPlaybook {
  path: string;
  version: number;
  playbook: Playbook;
  engine: Engine;
}

/** 400 with every issue in `details.issues`; the message lists them too, for clients that only show it. */
function invalidPlaybook(issues: ValidationIssue[]): ApiError {
  const lines = issues.map(formatIssue).join("\n");
  return new ApiError(400, "E_PLAYBOOK_INVALID", `the playbook is invalid:\n${lines}`, { issues });
}

/** Parses YAML for registration; an invalid playbook becomes a 400 with every issue (line, column, path). */
export function parseForRegistration(yaml: string, file?: string): Playbook {
  try {
    return parsePlaybook(yaml, file === undefined ? {} : { file });
  } catch (err) {
    if (err instanceof PlaybookInvalidError) {
      throw invalidPlaybook(err.issues);
    }
    throw err;
  }
}

/**
 * Parsed versions kept in memory. Every POST /execute with `playbook_yaml` registers a new version, so an
 * unbounded cache grew by one parsed playbook and engine per execution for the life of the server. The
 * least recently used versions are dropped and parsed again from the catalog if they are needed.
 */
export const DEFAULT_CACHED_VERSIONS = 256;

export class PlaybookCatalog {
  private readonly loaded = new Map<string, LoadedPlaybook>();

  constructor(
    private readonly db: Db,
    private readonly maxCached = DEFAULT_CACHED_VERSIONS,
  ) {}

  /** How many parsed versions are in memory (at most the constructor's `maxCached`). */
  get cached(): number {
    return this.loaded.size;
  }

  /** Registers a version; the same text as the latest version is that version again (`created: false`). */
  async register(yaml: string): Promise<LoadedPlaybook & { created: boolean }> {
    const playbook = parseForRegistration(yaml);
    // Every `auth:` name must be declared in the keychain or stored, or the run would fail at the first call.
    const issues = await checkAuthNames(this.db, playbook, { yaml });
    if (issues.length > 0) throw invalidPlaybook(issues);
    const path = playbook.metadata.path;
    const row = await registerPlaybookVersion(this.db, { path, yaml, parsed: playbook });
    return { ...this.remember(path, row.version, playbook), created: row.created };
  }

  /**
   * A registered version (the latest when `version` is undefined); 404 when there is none. Inside a
   * transaction pass its handle as `db`: on PGlite a query through another handle waits for the transaction.
   */
  async load(path: string, version?: number, db: Db = this.db): Promise<LoadedPlaybook> {
    if (version !== undefined) {
      const hit = this.loaded.get(key(path, version));
      if (hit) return this.touch(hit);
    }
    const row = await getPlaybook(db, path, version);
    if (!row) {
      // Which is missing, the version or the whole path? One more query, on the error path only.
      const latest = version === undefined ? undefined : await getPlaybook(db, path);
      throw notFound(
        latest === undefined
          ? `no playbook registered at '${path}'`
          : `no version ${version} of '${path}' (the latest is ${latest.version})`,
      );
    }
    const hit = this.loaded.get(key(path, row.version));
    return hit ? this.touch(hit) : this.remember(path, row.version, parsePlaybook(row.yaml));
  }

  private remember(path: string, version: number, playbook: Playbook): LoadedPlaybook {
    const loaded = { path, version, playbook, engine: createEngine(playbook) };
    this.touch(loaded);
    if (this.loaded.size > this.maxCached) this.loaded.delete(this.loaded.keys().next().value!);
    return loaded;
  }

  /** Marks a version as the most recently used (a Map iterates in insertion order). */
  private touch(loaded: LoadedPlaybook): LoadedPlaybook {
    const k = key(loaded.path, loaded.version);
    this.loaded.delete(k);
    this.loaded.set(k, loaded);
    return loaded;
  }
}

const key = (path: string, version: number) => `${version}@${path}`;
