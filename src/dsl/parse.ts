import { readFile } from "node:fs/promises";
import { type Analysis, analyse } from "./analyse.ts";
import { cacheKey, deepFreeze, LruCache } from "./cache.ts";
import { PlaybookInvalidError } from "./errors.ts";
import type { Playbook, ValidationIssue } from "./types.ts";

/**
 * Parsed texts by content key. Servers parse the same playbook for every event of an execution; 256
 * entries cover any realistic working set while bounding memory.
 */
const cache = new LruCache<Analysis>(256);

function analyseCached(text: string): Analysis {
  const key = cacheKey(text);
  const hit = cache.get(key);
  if (hit) return hit;
  const analysis = deepFreeze(analyse(text));
  cache.set(key, analysis);
  return analysis;
}

function withFile(issues: readonly ValidationIssue[], file: string | undefined): ValidationIssue[] {
  return issues.map((issue) => (file === undefined ? { ...issue } : { ...issue, file }));
}

/**
 * Parses, validates and normalises a playbook. The result is deep-frozen and shared: parsing the same text
 * again returns the same object. Throws PlaybookInvalidError listing every problem.
 */
export function parsePlaybook(text: string, opts: { file?: string } = {}): Playbook {
  const analysis = analyseCached(text);
  if (!analysis.playbook) throw new PlaybookInvalidError(withFile(analysis.issues, opts.file));
  return analysis.playbook;
}

export async function parsePlaybookFile(path: string): Promise<Playbook> {
  return parsePlaybook(await readFile(path, "utf8"), { file: path });
}

/** Like parsePlaybook, but returns the problems instead of throwing. */
export function validate(
  text: string,
  opts: { file?: string } = {},
): { ok: boolean; errors: ValidationIssue[]; playbook?: Playbook } {
  const analysis = analyseCached(text);
  if (analysis.playbook) return { ok: true, errors: [], playbook: analysis.playbook };
  return { ok: false, errors: withFile(analysis.issues, opts.file) };
}

/** Forgets every cached parse (tests). */
export function clearParseCache(): void {
  cache.clear();
}
