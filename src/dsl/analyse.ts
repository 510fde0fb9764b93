import { checkNul } from "./check-nul.ts";
import { checkPlaybook } from "./check-playbook.ts";
import { checkTemplates } from "./check-templates.ts";
import { Checker, isObject } from "./checker.ts";
import { normalizePlaybook } from "./normalize.ts";
import { SourceDoc } from "./source.ts";
import type { Playbook, ValidationIssue } from "./types.ts";
import { findUnquotedTemplates, unquotedHint } from "./unquoted.ts";

export interface Analysis {
  /** Present when there are no issues. */
  playbook?: Playbook;
  /** Without `file`: the caller adds it (the cache is keyed by content only). */
  issues: ValidationIssue[];
}

let parses = 0;

/** How many texts have actually been parsed (not served from the cache) in this process. */
export function parseCount(): number {
  return parses;
}

/** Parses and validates one text: YAML syntax, structure, templates; normalises when all is well. */
export function analyse(text: string): Analysis {
  parses++;
  const source = new SourceDoc(text);
  const checker = new Checker(source);
  let fatal = false;
  for (const problem of source.problems) {
    const position = source.position(problem.offset);
    if (problem.code === "DUPLICATE_KEY") {
      const path = source.pathAt(problem.offset);
      checker.error(path, `duplicate key '${String(path[path.length - 1] ?? "?")}'`, { position });
    } else if (problem.code === "MULTIPLE_DOCS") {
      fatal = true;
      checker.error(
        [],
        "a playbook file holds one YAML document, but a second document starts here (put each playbook in a file of its own, or remove the extra '---')",
        { position },
      );
    } else {
      fatal = true;
      const hint = unquotedHint(text, problem.offset);
      checker.error(source.pathAt(problem.offset), `YAML syntax error: ${problem.message}${hint}`, {
        position,
      });
    }
  }
  if (fatal) return { issues: checker.result(undefined) };
  if (source.doc.contents === null) {
    return {
      issues: [{ line: 0, column: 0, path: "", message: "the document is empty; expected a playbook" }],
    };
  }
  for (const found of findUnquotedTemplates(source)) {
    checker.error(
      found.path,
      `unquoted template: YAML reads {{ ... }} as a map; quote it: ${found.suggestion}`,
    );
    checker.suppress(found.path);
  }
  checkNul(checker, source);
  let doc: ReturnType<SourceDoc["toJson"]>;
  try {
    doc = source.toJson();
  } catch (error) {
    checker.error([], `cannot read the document: ${(error as Error).message}`);
    return { issues: checker.result(undefined) };
  }
  checkPlaybook(checker, doc);
  if (isObject(doc)) checkTemplates(checker, doc);
  const issues = checker.result(undefined);
  if (issues.length > 0 || !isObject(doc)) return { issues };
  return { playbook: normalizePlaybook(doc), issues };
}
